"""The session key changes on sign-in, on re-authentication (password or MFA) and on each MFA step, so a key
known before the step is worth nothing after it."""

import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD
from tests.mfa_flows import enrol, sign_in
from tests.totp import totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_sign_in_rotates_the_key(member):
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = client.session.session_key
    before = key(client)
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert key(client) != before


def test_reauthentication_rotates_the_key(member):
    client, _ = sign_in(member)
    before = key(client)
    answer = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert answer.status_code == HTTPStatus.FOUND
    assert key(client) != before
    assert client.get("/").status_code == HTTPStatus.OK, "still signed in under the new key"


def test_the_mfa_step_of_sign_in_rotates_the_key(member):
    client, _ = sign_in(member)
    secret = enrol(client)
    other, _ = sign_in(member)
    pending = key(other)
    other.post("/accounts/2fa/authenticate/", {"code": totp(secret, at=time.time() + 30)})
    assert key(other) != pending and other.get("/").status_code == HTTPStatus.OK


def test_mfa_reauthentication_rotates_the_key(member):
    client, _ = sign_in(member)
    secret = enrol(client)
    before = key(client)
    answer = client.post("/accounts/2fa/reauthenticate/", {"code": totp(secret, at=time.time() - 30)})
    assert answer.status_code == HTTPStatus.FOUND
    assert key(client) != before and client.get("/").status_code == HTTPStatus.OK
