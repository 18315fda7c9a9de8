"""MFA with allauth: TOTP enrolment and sign-in with codes computed from the secret, replay refused, recovery
codes single use, other sessions ended on a factor change, the team Access page's MFA column, require-MFA."""

import re
import time
from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache

from accessctl.models import AuditEvent
from tests.mfa_flows import enrol, sign_in
from tests.totp import totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def signed_in(client) -> bool:
    return client.get("/").status_code == HTTPStatus.OK


def test_totp_enrolment_then_sign_in_needs_a_code(member):
    client, _ = sign_in(member)
    secret = enrol(client)
    assert Authenticator.objects.filter(user=member, type="totp").exists()
    other, response = sign_in(member)
    assert response["Location"] == "/accounts/2fa/authenticate/" and not signed_in(other)
    wrong = other.post(
        "/accounts/2fa/authenticate/", {"code": "000000" if totp(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == HTTPStatus.OK and "Incorrect code" in wrong.content.decode()
    other.post("/accounts/2fa/authenticate/", {"code": totp(secret, at=time.time() + 30)})
    assert signed_in(other)


def test_a_used_code_is_refused_the_second_time(member):
    client, _ = sign_in(member)
    secret = enrol(client)
    code = totp(secret, at=time.time() + 30)  # not the enrolment's code (one step of drift is accepted)
    first, _ = sign_in(member, code=code)
    assert signed_in(first)
    second, response = sign_in(member, code=code)
    assert "Incorrect code" in response.content.decode() and not signed_in(second)


def test_recovery_codes_work_once(member):
    client, _ = sign_in(member)
    enrol(client)
    page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.findall(r"\b[0-9a-f]{8}\b", page)
    assert len(set(codes)) >= 10
    code = codes[0]
    first, _ = sign_in(member, code=code)
    assert signed_in(first)
    second, response = sign_in(member, code=code)
    assert "Incorrect code" in response.content.decode() and not signed_in(second)


@pytest.mark.django_db(transaction=True)  # allauth signals factor changes on commit, as in production
def test_changing_a_factor_ends_other_sessions(member):
    client, _ = sign_in(member)
    laptop, _ = sign_in(member)
    assert signed_in(laptop)
    enrol(client)
    assert signed_in(client), "the session that made the change stays signed in"
    assert not signed_in(laptop), "other sessions are signed out"
    assert AuditEvent.objects.filter(action="user.mfa", target_user=member).exists()


def test_mfa_column_updates_right_after_enrolment(client_as, team, team_admin, member):
    admin_client = client_as(team_admin)
    row = re.search(
        rf'<tr id="member-{member.pk}">.*?</tr>',
        admin_client.get("/teams/acme/access/").content.decode(),
        re.S,
    )
    assert "MFA off" in row.group(0)
    client, _ = sign_in(member)
    enrol(client)
    row = re.search(
        rf'<tr id="member-{member.pk}">.*?</tr>',
        admin_client.get("/teams/acme/access/").content.decode(),
        re.S,
    )
    assert "MFA on" in row.group(0)


def test_require_mfa_sends_members_to_enrol_but_not_collaborators(client_as, team, member, collaborator, app):
    team.require_mfa = True
    team.save()
    client, _ = sign_in(member)
    response = client.get("/teams/acme/access/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    html = response.content.decode()
    assert "acme requires multi-factor authentication" in html and "/accounts/2fa/totp/activate/" in html
    assert client.get(f"/apps/{app.name}/").status_code == HTTPStatus.FORBIDDEN
    enrol(client)
    assert client.get("/teams/acme/access/").status_code == HTTPStatus.OK
    assert client_as(collaborator).get(f"/apps/{app.name}/").status_code == HTTPStatus.OK


def test_api_tokens_need_a_session_that_meets_the_policy(team, member):
    team.require_mfa = True
    team.save()
    client, _ = sign_in(member)
    refused = client.post("/account/tokens/", {"name": "cli"})
    assert refused.status_code == 422 and "This session cannot create API tokens" in refused.content.decode()
    assert not member.api_tokens.exists()
    enrol(client)
    client.post("/account/tokens/", {"name": "cli"})
    token = member.api_tokens.get()
    assert token.mfa is True


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == HTTPStatus.FOUND and response["Location"].startswith("/accounts/login/")
