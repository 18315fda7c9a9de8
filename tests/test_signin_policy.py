"""The team sign-in policy (SSO enforcement, required MFA) on every read of a team's data: pages, exports, the
account-level lists (home, ``GET /users/~/apps``, ``GET /teams``) and the API, for sessions and for tokens."""

import time
from http import HTTPStatus

import pytest
from allauth.socialaccount.models import SocialApp

from accessctl.access.signin import NO_SIGN_IN, SignIn
from accessctl.audit.log import COMMAND
from accessctl.identity.signin import provider_id_for
from accessctl.identity.sso.provider import PROVIDER
from accessctl.identity.tokens import api_token_create
from tests.api_client import ACCEPT
from tests.factories import AppFactory, GrantFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_team(team, team_admin, member, app):
    """acme with an IdP, enforcing SSO; ``member`` has a password-only session."""
    team.sso_app = SocialApp.objects.create(
        provider=PROVIDER,
        provider_id=provider_id_for(team),
        name="acme SSO",
        client_id="c",
        secret="s",
        settings={"server_url": "http://idp.test"},
    )
    team.sso_enforced = True
    team.save()
    return team


def sso_session(client, team):
    """Mark the client's session as signed in through ``team``'s IdP (what allauth records after SSO)."""
    session = client.session
    session["account_authentication_methods_user"] = session["_auth_user_id"]
    session["account_authentication_methods"] = [
        {"method": "socialaccount", "provider": provider_id_for(team), "uid": "x", "at": time.time()}
    ]
    session.save()
    return client


def token_of(user, sign_in=NO_SIGN_IN):
    return api_token_create(actor=user, name="cli", origin=COMMAND, sign_in=sign_in)[1]


def api_get(client, raw, path):
    return client.get(path, HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_home_names_the_sso_team_with_its_link_and_hides_its_apps(client_as, sso_team, member, app):
    personal = AppFactory(team=None, owner=member, name="my-own")
    html = client_as(member).get("/").content.decode()
    assert "Sign in with acme SSO to see this team" in html
    assert f'href="/accounts/sso/{provider_id_for(sso_team)}/login/"' in html
    assert f'id="app-{app.name}"' not in html
    assert f'id="app-{personal.name}"' in html


def test_home_shows_the_team_again_after_sso(client_as, sso_team, member, app):
    html = sso_session(client_as(member), sso_team).get("/").content.decode()
    assert "to see this team" not in html and f'id="app-{app.name}"' in html


def test_home_sends_members_of_a_team_requiring_mfa_to_set_up_an_authenticator(client_as, team, member, app):
    team.require_mfa = True
    team.save()
    html = client_as(member).get("/").content.decode()
    assert "Set up an authenticator app to see this team" in html and "/accounts/2fa/totp/activate/" in html
    assert f'id="app-{app.name}"' not in html


def test_home_of_a_collaborator_is_not_bound_by_the_policy(client_as, sso_team, collaborator, app):
    html = client_as(collaborator).get("/").content.decode()
    assert f'id="app-{app.name}"' in html and "to see this team" not in html


def test_other_teams_stay_visible(client_as, sso_team, member):
    other = TeamFactory(name="other")
    other_app = AppFactory(team=other, name="other-app")
    GrantFactory(app=other_app, user=member, permissions="view")
    html = client_as(member).get("/").content.decode()
    assert 'id="app-other-app"' in html


def test_create_app_page_does_not_offer_a_team_whose_policy_the_session_fails(client_as, sso_team, member):
    html = client_as(member).get("/new-app/").content.decode()
    assert 'value="acme"' not in html


def test_token_made_before_enforcement_no_longer_lists_the_team_or_its_apps(client, sso_team, member, app):
    raw = token_of(member)
    apps = api_get(client, raw, "/users/~/apps")
    assert apps.status_code == HTTPStatus.OK and app.name not in {a["name"] for a in apps.json()}
    GrantFactory(app=app, user=member, permissions="view,deploy")
    assert app.name not in {a["name"] for a in api_get(client, raw, "/users/~/apps").json()}
    assert "acme" not in {t["name"] for t in api_get(client, raw, "/teams").json()}


def test_token_from_an_sso_session_lists_the_team_and_its_apps(client, sso_team, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    raw = token_of(member, SignIn(sso_team_ids=frozenset({sso_team.pk})))
    assert app.name in {a["name"] for a in api_get(client, raw, "/users/~/apps").json()}
    assert "acme" in {t["name"] for t in api_get(client, raw, "/teams").json()}


PAGES = [
    "/teams/acme/apps/",
    "/teams/acme/access/",
    "/teams/acme/settings/",
    "/teams/acme/audit/",
    "/teams/acme/audit/?format=csv",
    "/apps/myapp/",
    "/apps/myapp/access/",
    "/apps/myapp/settings/",
]
API = [
    "/teams/acme",
    "/teams/acme/features",
    "/teams/acme/members",
    "/teams/acme/apps",
    "/teams/apps/myapp",
    "/apps/myapp",
    "/apps/myapp/collaborators",
    "/apps/myapp/config-vars",
    "/apps/myapp/releases",
    "/apps/myapp/formation",
    "/apps/myapp/dynos",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_team_page_asks_the_policy(client_as, sso_team, team_admin, path):
    refused = client_as(team_admin).get(path)
    assert refused.status_code == HTTPStatus.FORBIDDEN and "Sign in with acme SSO" in refused.content.decode()
    assert sso_session(client_as(team_admin), sso_team).get(path).status_code == HTTPStatus.OK


@pytest.mark.parametrize("path", API)
def test_every_team_api_read_asks_the_policy(client, sso_team, team_admin, path):
    refused = api_get(client, token_of(team_admin), path)
    assert refused.status_code == HTTPStatus.FORBIDDEN and "single sign-on" in refused.json()["message"]
    allowed = api_get(client, token_of(team_admin, SignIn(sso_team_ids=frozenset({sso_team.pk}))), path)
    assert allowed.status_code == HTTPStatus.OK, allowed.content
