"""Signing in with a password and enrolling a TOTP authenticator through allauth's pages."""

from __future__ import annotations

from http import HTTPStatus

from django.test import Client

from tests.factories import PASSWORD
from tests.totp import totp


def sign_in(user, code=None):
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    if code is not None:
        assert response["Location"] == "/accounts/2fa/authenticate/"
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
    return client, response


def enrol(client, password=PASSWORD):
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == HTTPStatus.FOUND and page["Location"].startswith("/accounts/reauthenticate/"):
        client.post(page["Location"], {"password": password})  # allauth asks for the password again first
        page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == HTTPStatus.OK
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:500]
    return secret
