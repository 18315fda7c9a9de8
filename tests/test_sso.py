"""Team SSO end to end against a real OpenID Connect provider process (npm oidc-provider) on 127.0.0.1.

The authorization-code flow runs through accessctl's pages and the IdP's sign-in page with a cookie-keeping
HTTP client; accessctl exchanges the code server-to-server and checks the ID token.
"""

import re
import time
from http import HTTPStatus

import jwt
import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import RequestFactory

from accessctl.audit.log import COMMAND, SYSTEM
from accessctl.identity.adapters import SocialAccountAdapter
from accessctl.identity.signin import provider_id_for
from accessctl.identity.sso.provider import TeamSsoAdapter
from accessctl.identity.sso.services import team_sso_configure
from accessctl.models import AuditEvent, User
from teams.models import Membership
from tests.factories import PASSWORD, AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory
from tests.idp import IdentityProvider, browser, csrf_post, password_sign_in, sso_sign_in

pytestmark = pytest.mark.django_db(transaction=True)
ACCEPT = "application/vnd.heroku+json; version=3"


@pytest.fixture
def world(live_server):
    """Team acme with an IdP, an admin, a member (password accounts) and a collaborator on one app."""
    team = TeamFactory(name="acme")
    admin = MembershipFactory(team=team, user=UserFactory(email="admin@acme.test"), role="admin").user
    member = MembershipFactory(team=team, user=UserFactory(email="member@acme.test"), role="member").user
    app = AppFactory(team=team, name="website")
    collaborator = UserFactory(email="collab@partner.test")
    GrantFactory(app=app, user=collaborator, permissions="view")
    provider_id = provider_id_for(team)
    idp = IdentityProvider(
        client_id="accessctl",
        client_secret="s3cret",
        redirect_uris=[f"{live_server.url}/accounts/sso/{provider_id}/login/callback/"],
    )
    team_sso_configure(
        actor=SYSTEM,
        team=team,
        origin=COMMAND,
        issuer=idp.issuer,
        client_id="accessctl",
        secret="s3cret",
        enforced=False,
    )
    team.refresh_from_db()
    yield {
        "team": team,
        "admin": admin,
        "member": member,
        "collaborator": collaborator,
        "app": app,
        "provider_id": provider_id,
        "idp": idp,
        "url": live_server.url,
    }
    idp.stop()


def signed_in_as(session, url):
    answer = session.get(url + "/account/")
    if answer.url.rstrip("/") != url + "/account":
        return None
    text = answer.text
    return text.split("<p>", 2)[1].split(" ")[0].split("<")[0] if "<p>" in text else None


def new_token(answer) -> str:
    """The secret shown once on the account page right after creating a token."""
    found = re.search(r"<code>(actl_[\w-]+)</code>", answer.text)
    assert found, "no new token on the page"
    return found.group(1)


def enforce(world):
    world["team"].sso_enforced = True
    world["team"].save()


# --- sign-in and provisioning -----------------------------------------------------------------------------------


def test_login_page_offers_team_sso(world):
    page = browser().get(world["url"] + "/accounts/login/").text
    assert "Sign in with acme SSO" in page


def test_first_sign_in_provisions_a_team_member(world):
    session = browser()
    answer = sso_sign_in(
        session, world["url"], world["provider_id"], sub="alice-1", email="alice@corp.test", mfa=True
    )
    assert answer.status_code == HTTPStatus.OK and answer.url == world["url"] + "/"
    alice = User.objects.get(email="alice@corp.test")
    assert not alice.has_usable_password()
    assert Membership.objects.get(team=world["team"], user=alice).role == "member"
    account = SocialAccount.objects.get(user=alice)
    assert (account.provider, account.uid) == (world["provider_id"], "alice-1")
    assert alice.last_sign_in_federated and "mfa" in alice.idp_amr
    event = AuditEvent.objects.get(action="member.add", target_user=alice)
    assert event.actor_label == "sso:acme"


def test_same_subject_with_a_new_email_is_the_same_account(world):
    sso_sign_in(browser(), world["url"], world["provider_id"], sub="alice-1", email="alice@corp.test")
    sso_sign_in(browser(), world["url"], world["provider_id"], sub="alice-1", email="alice.new@corp.test")
    assert User.objects.filter(email__startswith="alice").count() == 1
    assert SocialAccount.objects.count() == 1


def test_existing_account_with_the_same_email_is_not_taken_over(world):
    session = browser()
    answer = sso_sign_in(session, world["url"], world["provider_id"], sub="mallory", email="member@acme.test")
    assert answer.status_code == HTTPStatus.FORBIDDEN
    assert "An account with the e-mail member@acme.test already exists" in answer.text
    assert not SocialAccount.objects.exists()
    assert signed_in_as(session, world["url"]) is None


def test_sso_column_shows_idp_mfa_status(world):
    sso_sign_in(
        browser(), world["url"], world["provider_id"], sub="alice-1", email="alice@corp.test", mfa=True
    )
    sso_sign_in(browser(), world["url"], world["provider_id"], sub="bob-1", email="bob@corp.test", mfa=False)
    admin = browser()
    password_sign_in(admin, world["url"], "admin@acme.test", PASSWORD)
    page = admin.get(world["url"] + "/teams/acme/access/").text
    alice = User.objects.get(email="alice@corp.test")
    bob = User.objects.get(email="bob@corp.test")
    alice_row = page.split(f'id="member-{alice.pk}"')[1].split("</tr>")[0]
    bob_row = page.split(f'id="member-{bob.pk}"')[1].split("</tr>")[0]
    assert "SSO" in alice_row and "MFA at IdP (mfa, otp)" in alice_row
    assert "SSO" in bob_row and "managed by IdP (unknown)" in bob_row
    member_row = page.split(f'id="member-{world["member"].pk}"')[1].split("</tr>")[0]
    assert "no SSO" in member_row


# --- enforcement ---------------------------------------------------------------------------------------------------


def test_enforcement_on_pages_with_collaborators_exempt(world):
    sso_sign_in(browser(), world["url"], world["provider_id"], sub="alice-1", email="alice@corp.test")
    enforce(world)
    member = browser()
    password_sign_in(member, world["url"], "member@acme.test", PASSWORD)
    blocked = member.get(world["url"] + "/teams/acme/access/")
    assert blocked.status_code == HTTPStatus.FORBIDDEN
    assert (
        "acme requires signing in through its single sign-on" in blocked.text
        and "Sign in with acme SSO" in blocked.text
    )
    assert member.get(world["url"] + "/apps/website/").status_code == HTTPStatus.FORBIDDEN
    collaborator = browser()
    password_sign_in(collaborator, world["url"], "collab@partner.test", PASSWORD)
    assert collaborator.get(world["url"] + "/apps/website/").status_code == HTTPStatus.OK
    alice = browser()
    sso_sign_in(alice, world["url"], world["provider_id"], sub="alice-1", email="alice@corp.test")
    assert alice.get(world["url"] + "/teams/acme/access/").status_code == HTTPStatus.OK


def test_enforcement_on_the_api_follows_the_token_session(world):
    member = browser()
    password_sign_in(member, world["url"], "member@acme.test", PASSWORD)
    created = csrf_post(member, world["url"], "/account/tokens/", {"name": "before"}, page="/account/")
    headers = {"Accept": ACCEPT, "Authorization": f"Bearer {new_token(created)}"}
    assert member.get(world["url"] + "/teams/acme/members", headers=headers).status_code == HTTPStatus.OK
    enforce(world)
    refused = member.get(world["url"] + "/teams/acme/members", headers=headers)
    assert refused.status_code == HTTPStatus.FORBIDDEN and "single sign-on" in refused.json()["message"]
    denied = csrf_post(member, world["url"], "/account/tokens/", {"name": "after"}, page="/account/")
    assert denied.status_code == 422 and "This session cannot create API tokens" in denied.text
    alice = browser()
    sso_sign_in(alice, world["url"], world["provider_id"], sub="alice-1", email="alice@corp.test")
    created = csrf_post(alice, world["url"], "/account/tokens/", {"name": "sso"}, page="/account/")
    token = new_token(created)
    ok = alice.get(
        world["url"] + "/teams/acme/members", headers={"Accept": ACCEPT, "Authorization": f"Bearer {token}"}
    )
    assert ok.status_code == HTTPStatus.OK


def test_admin_links_their_account_before_enforcing(world):
    admin = browser()
    password_sign_in(admin, world["url"], "admin@acme.test", PASSWORD)
    form = {"issuer": world["idp"].issuer, "client_id": "accessctl", "secret": "", "enforced": "on"}
    refused = csrf_post(admin, world["url"], "/teams/acme/settings/sso/", form, page="/teams/acme/settings/")
    assert refused.status_code == 422 and "Link your own account to acme SSO" in refused.text
    sso_sign_in(
        admin, world["url"], world["provider_id"], sub="ada-admin", email="admin@acme.test", process="connect"
    )
    assert SocialAccount.objects.get(provider=world["provider_id"]).user == world["admin"]
    saved = csrf_post(admin, world["url"], "/teams/acme/settings/sso/", form, page="/teams/acme/settings/")
    # Saved; the admin's own password session now falls short, so the next page asks for SSO.
    assert saved.status_code == HTTPStatus.FORBIDDEN and "Single sign-on settings saved." in saved.text
    assert "Sign in with acme SSO" in saved.text
    world["team"].refresh_from_db()
    assert world["team"].sso_enforced
    assert AuditEvent.objects.filter(action="team.sso", after__enforced=True).exists()
    # The password session now falls short; signing in through the IdP lets the admin back in.
    assert admin.get(world["url"] + "/teams/acme/access/").status_code == HTTPStatus.FORBIDDEN
    again = browser()
    sso_sign_in(again, world["url"], world["provider_id"], sub="ada-admin", email="admin@acme.test")
    assert again.get(world["url"] + "/teams/acme/access/").status_code == HTTPStatus.OK


# --- what accessctl checks in the ID token --------------------------------------------------------------------------


def _adapter(world):
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    return TeamSsoAdapter(request, world["provider_id"])


def test_id_token_signed_by_another_key_is_refused(world):
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {
        "iss": world["idp"].issuer,
        "aud": "accessctl",
        "sub": "alice-1",
        "iat": int(time.time()),
        "exp": int(time.time()) + 300,
        "nonce": "n",
    }
    forged = jwt.encode(claims, forged_key, algorithm="RS256", headers={"kid": "test-key"})
    adapter = _adapter(world)
    with pytest.raises(OAuth2Error, match="Invalid id_token") as refused:
        adapter._decode_id_token(world["team"].sso_app, forged)
    assert isinstance(refused.value.__cause__, jwt.InvalidSignatureError)


def test_id_token_without_our_nonce_is_refused(world):
    class FakeLogin:
        state = {"nonce": "expected", "process": "login"}

        class account:
            extra_data = {"id_token": {"nonce": "something-else", "sub": "x"}}
            provider = world["provider_id"]

    request = RequestFactory().get("/")
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter(request).pre_social_login(request, FakeLogin())
    assert refused.value.response.status_code == HTTPStatus.BAD_REQUEST
