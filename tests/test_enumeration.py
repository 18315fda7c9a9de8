"""Nobody learns which e-mail addresses have accounts: sign-up is closed by default, and where it is open
(with mandatory e-mail verification) sign-up, login and password reset answer a known and an unknown address
alike: same status, same body once the CSRF token and the typed address are taken out."""

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client

from accessctl.models import User

pytestmark = pytest.mark.django_db

KNOWN, UNKNOWN = "member@acme.test", "stranger@nowhere.test"
NEW_PASSWORD = "a-long-and-new-passphrase-42"


@pytest.fixture
def open_sign_up(settings):
    settings.ACCOUNT_ALLOW_REGISTRATION = True
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"


def answer(path, data, email):
    """Status and body of the answer (redirects followed), with CSRF tokens and the address itself masked."""
    response = Client().post(path, data, follow=True)
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", body)
    body = re.sub(r'nonce="[^"]+"', "NONCE", body)  # the Content-Security-Policy nonce, new on every answer
    body = body.replace(email, "EMAIL")
    return response.status_code, [url for url, _ in response.redirect_chain], body


def test_sign_up_is_closed_by_default(client):
    page = client.get("/accounts/signup/")
    assert "Sign Up Closed" in page.content.decode() or page.status_code != HTTPStatus.OK
    client.post("/accounts/signup/", {"email": UNKNOWN, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email=UNKNOWN).exists()


def test_sign_up_stays_closed_without_mandatory_verification(settings, client):
    settings.ACCOUNT_ALLOW_REGISTRATION = True
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    client.post("/accounts/signup/", {"email": UNKNOWN, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email=UNKNOWN).exists()


def test_sign_up_answers_known_and_unknown_addresses_alike(open_sign_up, member):
    def sign_up(email):
        return answer(
            "/accounts/signup/", {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, email
        )

    known, unknown = sign_up(KNOWN), sign_up(UNKNOWN)
    assert known == unknown
    assert known[0] == HTTPStatus.OK and "already registered" not in known[2]
    new = User.objects.get(email=UNKNOWN)
    assert not new.emailaddress_set.filter(verified=True).exists(), "the new address must be verified first"
    assert {m.to[0] for m in mail.outbox} == {KNOWN, UNKNOWN}, "each address hears about it by e-mail only"


def test_login_answers_known_and_unknown_addresses_alike(member):
    def log_in(email):
        return answer("/accounts/login/", {"login": email, "password": "wrong-password-1"}, email)

    known, unknown = log_in(KNOWN), log_in(UNKNOWN)
    assert known == unknown and known[0] == HTTPStatus.OK


def test_password_reset_answers_known_and_unknown_addresses_alike(member):
    def reset(email):
        return answer("/accounts/password/reset/", {"email": email}, email)

    known, unknown = reset(KNOWN), reset(UNKNOWN)
    assert known == unknown and known[0] == HTTPStatus.OK
    assert known[1] == ["/accounts/password/reset/done/"]
