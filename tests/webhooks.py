"""Helpers for the webhook tests: a receiver process (``tests/webhook_receiver.py``) and the real worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import ROOT, first_line, test_database_url

RECEIVER = Path(__file__).resolve().parent / "webhook_receiver.py"


class Receiver:
    """A running receiver: ``url``, and ``requests()`` as logged (each with ``verified`` and ``answered``)."""

    def __init__(self, tmp_path: Path, secret: str, *args: str):
        self.log = tmp_path / f"receiver-{time.monotonic_ns()}.jsonl"
        self.log.touch()
        self.secret = secret
        self.process = subprocess.Popen(
            [sys.executable, str(RECEIVER), "--secret", secret, "--log", str(self.log), *args],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = first_line(self.process, "The webhook receiver")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}/hooks"

    def requests(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.requests()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.requests()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()  # type: ignore[union-attr]


class Worker:
    """``manage.py db_worker`` running beside the test, polling every 0.1 s, on the test's database."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0.1",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": test_database_url(),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def kill(self) -> None:
        """End the worker at once, as a crash or an out-of-memory kill would, mid-task included."""
        self.process.kill()
        self.process.communicate(timeout=20)

    def stop(self) -> str:
        if self.process.returncode is not None:
            return ""
        self.process.terminate()
        _, err = self.process.communicate(timeout=20)
        return err
