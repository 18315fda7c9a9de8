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
from dataclasses import dataclass
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

    def messages(self) -> list[Message]:
        return [
            mailbox.Maildir(self.maildir, create=False).get_message(key)
            for key in sorted(mailbox.Maildir(self.maildir, create=False).keys())
        ]

    def messages_to(self, address: str) -> list[Message]:
        return [m for m in self.messages() if address in m["To"]]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> list[Message]:
        """The messages to ``address`` once at least ``count`` have arrived (the mail leaves after commit)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages_to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(
            f"no e-mail to {address} within {timeout}s; got {[m['To'] for m in self.messages()]}"
        )

    def clear(self) -> None:
        box = mailbox.Maildir(self.maildir, create=False)
        for key in list(box.keys()):
            box.remove(key)


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
