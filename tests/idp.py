"""Starting the test identity provider (tests/idp/server.mjs on npm oidc-provider) and signing in through it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import requests

from tests.processes import first_line

ROOT = Path(__file__).resolve().parent.parent
IDP_DIR = ROOT / ".cache" / "idp"


class IdentityProvider:
    """A running OpenID Connect provider on 127.0.0.1 with one confidential client."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uris: list[str]):
        if not (IDP_DIR / "node_modules" / "oidc-provider").exists():
            raise RuntimeError(f"oidc-provider is not installed in {IDP_DIR}: run `make test-idp` first.")
        shutil.copy(ROOT / "tests" / "idp" / "server.mjs", IDP_DIR / "server.mjs")
        config = {"clientId": client_id, "clientSecret": client_secret, "redirectUris": redirect_uris}
        self.process = subprocess.Popen(
            ["node", "server.mjs", json.dumps(config)],
            cwd=IDP_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = first_line(self.process, "The identity provider").strip()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"The identity provider did not start: {line!r}")
        self.issuer = line.split(" ", 1)[1]
        self.client_id, self.client_secret = client_id, client_secret

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


def browser() -> requests.Session:
    """A cookie-keeping HTTP client that follows redirects, like a browser without JavaScript."""
    session = requests.Session()
    session.headers["User-Agent"] = "accessctl-tests"
    return session


def csrf_post(session: requests.Session, base: str, path: str, data: dict, page: str = "/accounts/login/"):
    session.get(base + page)
    token = session.cookies.get("csrftoken")
    return session.post(
        base + path, data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": base + page}
    )


def password_sign_in(session: requests.Session, base: str, email: str, password: str):
    return csrf_post(session, base, "/accounts/login/", {"login": email, "password": password})


def sso_sign_in(
    session, base: str, provider_id: str, *, sub: str, email: str, mfa: bool = False, process: str = "login"
):
    """Start at accessctl, sign in at the IdP's page as ``sub``/``email``, come back. Returns the last answer."""
    answer = csrf_post(
        session,
        base,
        f"/accounts/sso/{provider_id}/login/",
        {"process": process},
        page="/accounts/login/" if process == "login" else "/account/",
    )
    if "/interaction/" not in answer.url:
        return answer
    form = {"sub": sub, "email": email}
    if mfa:
        form["mfa"] = "1"
    return session.post(answer.url, data=form)
