"""Running the project in a second process from a test: manage.py, the worker, the test database's URL."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


WORKER_TIMEOUT = 120
STARTUP_TIMEOUT = 60


def first_line(process: subprocess.Popen, what: str, timeout: float = STARTUP_TIMEOUT) -> str:
    """The first line a started helper process prints (its address), or a clear error after ``timeout``
    seconds: a helper that never comes up fails its test instead of hanging the whole run."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        if not selector.select(timeout):
            process.kill()
            process.wait(timeout=10)
            raise RuntimeError(f"{what} printed nothing within {timeout:.0f} s of starting")
    return process.stdout.readline()  # type: ignore[union-attr]


def test_database_url() -> str:
    """A DATABASE_URL naming the database this test runs on, so a second process opens the same one."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    )
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a clean environment holding only ``env``."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_worker_batch() -> None:
    """Run the real worker (``manage.py db_worker --batch``) on the test database until the queue is empty."""
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": test_database_url()},
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT,
    )
    assert worker.returncode == 0, worker.stderr
