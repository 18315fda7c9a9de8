"""Running the real Heroku CLI (npm heroku@11.10.0) against a live accessctl, with no traffic leaving the machine.

The environment follows the implementer's contract (section 6.2): a fresh HOME, the API key in the
environment, particleboard pointed at the test server, telemetry, autoupdate and version checks off.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command

from accessctl.audit.log import COMMAND
from accessctl.identity.models import User
from accessctl.identity.tokens import api_token_create

ROOT = Path(__file__).resolve().parent.parent
HEROKU_BIN = Path(
    os.environ.get("HEROKU_CLI", ROOT / ".cache" / "heroku-cli" / "node_modules" / ".bin" / "heroku")
)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def message(self) -> str:
        """stderr with the CLI's prefix arrows (U+203A) and line wrapping removed."""
        return " ".join(self.err.replace("\u203a", " ").split())


def cli_environment(home: Path, url: str, token: str) -> dict:
    (home / ".cache" / "heroku").mkdir(parents=True, exist_ok=True)
    (home / ".cache" / "heroku" / "terms-of-service").touch()
    return {
        "HOME": str(home),
        "PATH": os.environ["PATH"],
        "HEROKU_HOST": url,
        "HEROKU_API_KEY": token,
        "HEROKU_PARTICLEBOARD_URL": url,
        "DISABLE_TELEMETRY": "true",
        "HEROKU_DISABLE_AUTOUPDATE": "1",
        "HEROKU_SKIP_NEW_VERSION_CHECK": "true",
        "TZ": "UTC",
        "NO_COLOR": "1",
    }


def run_heroku(args: list[str], *, home: Path, url: str, token: str, timeout: int = 90) -> Run:
    if not HEROKU_BIN.exists():
        raise RuntimeError(f"The Heroku CLI is not installed at {HEROKU_BIN}: run `make heroku-cli` first.")
    done = subprocess.run(
        [str(HEROKU_BIN), *args],
        env=cli_environment(home, url, token),
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def table(out: str) -> list[list[str]]:
    """The rows of a CLI table (header first), each split on runs of 2+ spaces; the rule line dropped."""
    rows = []
    for line in out.splitlines():
        if not line.strip() or set(line.strip()) <= {"─"}:
            continue
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def demo_cli(url: str, home: Path) -> Callable[..., Run]:
    """Load the demo data and return ``run(user_email, *args)``: the CLI as that demo user, each with a token
    of their own made on first use."""
    call_command("demo", stdout=io.StringIO())
    tokens: dict[str, str] = {}

    def run(email: str, *args: str) -> Run:
        if email not in tokens:
            user = User.objects.get(email=email)
            tokens[email] = api_token_create(actor=user, name="cli test", origin=COMMAND)[1]
        return run_heroku(list(args), home=home, url=url, token=tokens[email])

    return run
