"""A real SMTP server process on 127.0.0.1 for the tests (aiosmtpd's Maildir handler), and reading what it got.

``python -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR`` stores every message it
receives in the Maildir ``DIR``; tests point Django's SMTP backend at it and open the received messages.
"""

from __future__ import annotations

import mailbox
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpServer:
    port: int
    maildir: Path
    process: subprocess.Popen

    seen: set[str] = field(default_factory=set)

    def messages(self) -> list[Message]:
        box = mailbox.Maildir(self.maildir, create=False)
        return [box.get_message(key) for key in box.iterkeys()]

    def next_to(self, address: str, timeout: float = 10) -> Message:
        """The one message to ``address`` not returned before (Maildir keys do not sort by arrival)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            box = mailbox.Maildir(self.maildir, create=False)
            for key in box.iterkeys():
                message = box.get_message(key)
                if key not in self.seen and address in message["To"]:
                    self.seen.add(key)
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no new e-mail to {address} within {timeout}s")

    def clear(self) -> None:
        box = mailbox.Maildir(self.maildir, create=False)
        for key in list(box.keys()):
            box.remove(key)
        self.seen.clear()


def start_smtp_server(directory: Path) -> SmtpServer:
    maildir = directory / "maildir"
    mailbox.Maildir(maildir, create=True)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return SmtpServer(port, maildir, process)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the SMTP server (aiosmtpd) did not start") from None
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the SMTP server (aiosmtpd) did not start listening")


def stop_smtp_server(server: SmtpServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


LINK = re.compile(r"https?://\S+/invitations/(inv_[\w-]+)/")


def invitation_link(message: Message) -> tuple[str, str]:
    """The link in an invitation e-mail and its token."""
    match = LINK.search(body_of(message))
    assert match, body_of(message)
    return match.group(0), match.group(1)
