"""The sign-in policy on every route of the authorization registry: a route added later cannot forget it.

Team ``acme`` of the sweep world enforces SSO. Its admin signed in with a password (and a token made without
SSO) must be turned away from every page and API read that shows anything of acme or of its apps, with the
policy's own answer: the page that says "Sign in with acme SSO", the API's 403 naming it. Collaborators are
exempt (SPEC 10), which the identity tests cover.
"""

from http import HTTPStatus

import pytest
from django.test import Client

from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from accessctl.web import authz
from tests.api_client import ACCEPT
from tests.routes import API_ROUTES, OWN_ROUTES, PAGE_KWARGS, fill, route_values
from tests.world import build_world

pytestmark = pytest.mark.django_db

API_KWARGS = {"team": "acme", "app": "shop", "release": "1", "process_type": "web", "dyno": "web.1"}


def guarded(routes, table):
    """(route, name) of the GET routes whose declaration points at a team or an app in the URL."""
    for route, name in routes:
        rule = table.get(name, {}).get(authz.GET)
        if rule is not None and rule.on in ("team", "app") and not rule.public:
            yield route, name


PAGES = list(guarded(OWN_ROUTES, authz.PAGES))
API = list(guarded(API_ROUTES, authz.API))


@pytest.fixture
def world(db):
    world = build_world()
    world.team.sso_enforced = True
    world.team.save(update_fields=["sso_enforced"])
    return world


def test_the_sweep_covers_the_team_and_app_routes():
    assert len(PAGES) >= 15 and len(API) >= 15


@pytest.mark.parametrize(("route", "name"), PAGES, ids=[name for _, name in PAGES])
def test_every_team_page_asks_the_sign_in_policy(world, route, name):
    client = Client()
    client.force_login(world.user("admin"))
    values = route_values(
        world, route, {**PAGE_KWARGS, "user_id": str(world.user("target").pk), "token_id": "0"}
    )
    answer = client.get(fill(route, values))
    assert answer.status_code == HTTPStatus.FORBIDDEN, (name, answer.status_code)
    assert "Sign in with acme SSO" in answer.content.decode()


@pytest.mark.parametrize(("route", "name"), API, ids=[name for _, name in API])
def test_every_team_api_read_asks_the_sign_in_policy(world, route, name):
    raw = api_token_create(actor=world.user("admin"), name="no sso", origin=COMMAND)[1]
    values = route_values(world, route, {**API_KWARGS, "email": world.user("target").email})
    answer = Client().get(fill(route, values), HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == HTTPStatus.FORBIDDEN, (name, answer.status_code, answer.content[:200])
    assert "acme requires signing in through its single sign-on" in answer.json()["message"]
