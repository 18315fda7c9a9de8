"""API tokens follow the user's sign-in: a factor removed or added, a password change or reset, deactivation
revoke them (kept on the account page with the reason, the user told by e-mail); removal from a team narrows
what they reach."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from django.db.models import F

from accessctl.audit.log import COMMAND, SYSTEM
from accessctl.identity.accounts import user_set_active
from accessctl.identity.tokens import api_token_create
from accessctl.models import AuditEvent, User
from teams.services import team_member_remove
from tests.api_client import ACCEPT
from tests.factories import PASSWORD
from tests.mfa_flows import enrol, sign_in

pytestmark = pytest.mark.django_db(transaction=True)  # allauth signals factor changes on commit


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def call(client, raw, path="/account"):
    return client.get(path, HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {raw}")


def signed_in_with_token(user, mfa=False):
    client, _ = sign_in(user)
    if mfa:
        enrol(client)
    mail.outbox.clear()
    client.post("/account/tokens/", {"name": "laptop cli"})
    raw = client.session["new_api_token"]
    assert call(client, raw).status_code == HTTPStatus.OK
    return client, raw


def test_removing_the_authenticator_revokes_the_mfa_token_and_says_why(member):
    client, raw = signed_in_with_token(member, mfa=True)
    assert member.api_tokens.get().mfa
    removed = client.post("/accounts/2fa/totp/deactivate/")
    assert removed.status_code == HTTPStatus.FOUND
    assert call(client, raw).status_code == HTTPStatus.UNAUTHORIZED
    token = member.api_tokens.get()
    assert token.revoked_at is not None and "Two-factor authentication changed" in token.revoked_reason
    assert [m.to for m in mail.outbox if "API tokens were revoked" in m.subject] == [[member.email]]
    assert "laptop cli" in mail.outbox[-1].body
    event = AuditEvent.objects.get(action="token.invalidate", target_user=member)
    assert event.before == {"name": "laptop cli"}
    page = client.get("/account/").content.decode()
    row = page.split(f'id="token-{token.pk}"')[1].split("</tr>")[0]
    assert "revoked" in row and "Two-factor authentication changed" in row


def test_adding_an_authenticator_revokes_tokens_made_without_it(member):
    client, raw = signed_in_with_token(member)
    enrol(client)
    assert call(client, raw).status_code == HTTPStatus.UNAUTHORIZED
    client.post("/account/tokens/", {"name": "after mfa"})
    fresh = client.session["new_api_token"]
    assert call(client, fresh).status_code == HTTPStatus.OK, "a token made after the change works"


def test_a_password_change_revokes_tokens_and_mails_the_user(member):
    client, raw = signed_in_with_token(member)
    answer = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "another-horse-staple-9",
            "password2": "another-horse-staple-9",
        },
    )
    assert answer.status_code == HTTPStatus.FOUND
    assert client.get("/").status_code == HTTPStatus.OK, "the session that changed the password stays"
    assert call(client, raw).status_code == HTTPStatus.UNAUTHORIZED
    assert member.api_tokens.get().revoked_reason == "The password was changed."
    assert any(m.subject.endswith("API tokens were revoked") for m in mail.outbox)
    assert AuditEvent.objects.filter(action="user.password", target_user=member).exists()


def test_deactivation_revokes_tokens(client, member):
    raw = api_token_create(actor=member, name="cli", origin=COMMAND)[1]
    user_set_active(actor=SYSTEM, user=member, active=False, origin=COMMAND)
    user_set_active(actor=SYSTEM, user=member, active=True, origin=COMMAND)
    assert call(client, raw).status_code == HTTPStatus.UNAUTHORIZED, "reactivation does not revive it"
    assert member.api_tokens.get().revoked_reason == "The account was deactivated."
    assert AuditEvent.objects.filter(action="token.invalidate", target_user=member).count() == 1


def test_a_token_older_than_the_users_last_sign_in_change_is_refused_on_use(client, member):
    raw = api_token_create(actor=member, name="cli", origin=COMMAND)[1]
    User.objects.filter(pk=member.pk).update(session_epoch=F("session_epoch") + 1)  # a change that skipped us
    assert call(client, raw).status_code == HTTPStatus.UNAUTHORIZED
    assert member.api_tokens.get().revoked_at is not None


def test_removal_from_the_team_drops_the_team_from_the_token(client, team, team_admin, member, app):
    raw = api_token_create(actor=member, name="cli", origin=COMMAND)[1]
    assert "acme" in {t["name"] for t in call(client, raw, "/teams").json()}
    team_member_remove(actor=team_admin, team=team, user=member, origin=COMMAND)
    assert "acme" not in {t["name"] for t in call(client, raw, "/teams").json()}
    assert call(client, raw, "/teams/acme/apps").status_code == HTTPStatus.NOT_FOUND
    assert app.name not in {a["name"] for a in call(client, raw, "/users/~/apps").json()}


def test_removing_a_revoked_token_from_the_account_page(member):
    client, raw = signed_in_with_token(member)
    User.objects.filter(pk=member.pk).update(session_epoch=F("session_epoch") + 1)
    call(client, raw)
    client.force_login(User.objects.get(pk=member.pk))
    token = member.api_tokens.get()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert not member.api_tokens.exists()
