"""The authorization sweep: every route as every actor with every method, held to ``accessctl.web.authz``.

A route without a declaration fails ``test_every_route_is_declared``. For each declared route, every actor of the
fixture world (tests/world.py) sends every method; the status must be the one the declaration promises (see
``authz``'s docstring), and where the request was refused nothing may have changed (row counts, roles, grants,
app state, audit events). Each request runs in a transaction that is rolled back, so one world serves a route.
"""

from __future__ import annotations

import dataclasses
import json
import re
from functools import partial
from http import HTTPStatus

import pytest
from django.db import transaction
from django.test import Client

from accessctl.access import policy as p
from accessctl.audit.log import COMMAND
from accessctl.identity.models import User
from accessctl.identity.tokens import api_token_create
from accessctl.web import authz
from accessctl.web.routes_authz import HEROKU_ONLY_METHODS
from tests.api_client import ACCEPT
from tests.routes import API_ROUTES, OWN_ROUTES, PAGE_KWARGS, fill, route_values
from tests.world import ACTORS, SHOP_FIRST_RELEASE, build_world, snapshot

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A method a route does not declare is refused by AuthzMiddleware before the view, whoever asks: those are sent
# by a few actors (signed out, outsider, admin); the declared ones by every actor.
PROBE_ACTORS = ("anonymous", "outsider", "admin")
REFUSED = {
    HTTPStatus.FOUND,
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.METHOD_NOT_ALLOWED,
}


def test_every_route_is_declared():
    missing_pages = [(route, name) for route, name in OWN_ROUTES if name not in authz.PAGES]
    missing_api = [(route, name) for route, name in API_ROUTES if name not in authz.API]
    assert (missing_pages, missing_api) == ([], [])


def test_no_declaration_is_left_without_a_route():
    assert set(authz.PAGES) - {name for _, name in OWN_ROUTES} == set()
    assert set(authz.API) - {name for _, name in API_ROUTES} == set()


def test_a_route_without_a_declaration_is_refused(client, settings, monkeypatch, admin_user):
    """Fail closed: a view added without a declaration answers 404 (pages) or 404 JSON (API), never runs."""
    pages = dict(authz.PAGES)
    pages.pop("home")
    monkeypatch.setattr(authz, "PAGES", pages)
    client.force_login(admin_user)
    assert client.get("/").status_code == HTTPStatus.NOT_FOUND


# --- the sweep ----------------------------------------------------------------------------------------------

API_KWARGS = {
    "team": "acme",
    "app": "shop",
    "release": "1",
    "process_type": "web",
    "dyno": "web.1",
    "session_id": "~",  # the token of the call
    "rest": "anything/below",
}

# A valid body per API route and method, so that an allowed call reaches the service's own check.
BODIES = {
    ("oauth-authorizations", "POST"): {"description": "made in the sweep"},
    ("app-transfers", "POST"): {"app": "shop", "recipient": "admin@acme.test"},
    ("team-apps-create", "POST"): {"name": "brand-new", "team": "acme"},
    ("team-app", "PATCH"): {"locked": True},
    ("team-app-collaborators", "POST"): {"user": "newcomer@partner.test", "permissions": ["view"]},
    ("team-app-collaborator", "PATCH"): {"permissions": ["view", "operate"]},
    ("team-members", "PUT"): {"email": "newcomer@acme.test", "role": "member"},
    ("team-members", "POST"): {"email": "newcomer@acme.test", "role": "member"},
    ("team-members", "PATCH"): {"email": "member@acme.test", "role": "admin"},
    ("apps", "POST"): {"name": "my-own"},
    ("app", "PATCH"): {"name": "shop-renamed"},
    ("app-collaborators", "POST"): {"user": "newcomer@partner.test"},
    ("config-vars", "PATCH"): {"LOG_LEVEL": "debug"},
    ("releases", "POST"): {"release": SHOP_FIRST_RELEASE},
    ("formation", "PATCH"): {"updates": [{"type": "web", "quantity": 2}]},
    ("formation-info", "PATCH"): {"quantity": 2, "dyno_size": {"name": "Standard-1X"}},
    ("app-transfer", "PATCH"): {"state": "declined"},
    ("team-invitations", "PUT"): {"email": "another@acme.test", "role": "member"},
    ("team-access-reviews", "POST"): {"due_date": "2099-01-01"},
    ("team-access-review", "PATCH"): {"status": "closed"},
    ("team-access-review-item", "PATCH"): {"decision": "keep"},
    ("team-webhooks", "POST"): {"url": "https://93.184.215.14/new", "level": "notify"},
    ("team-webhook", "PATCH"): {"level": "sync"},
    ("app-webhooks", "POST"): {
        "url": "https://93.184.215.14/new",
        "level": "notify",
        "include": ["api:release"],
    },
    ("app-webhook", "PATCH"): {"level": "sync"},
    ("app-access-requests", "POST"): {"permissions": ["deploy"], "duration": "1d", "reason": "Release day"},
    ("app-access-request", "PATCH"): {"status": "approved"},
}
# Page forms, so that an allowed POST reaches the service (``{item}``: the review item's form prefix).
PAGE_BODIES = {
    "apps:request-deny": {"note": "Not now"},
    "apps:request-access": {"permissions": ["deploy"], "duration": "1d", "reason": "Release day"},
    "apps:temporary-extend": {"expires_at": "2099-01-01T00:00"},
    "reviews:item-decide": {"item-{item}-decision": "keep"},
    "reviews:list": {"due_date": "2099-01-01"},
    "teams:webhook-add": {"url": "https://93.184.215.14/new", "level": "notify"},
    "apps:webhook-add": {"url": "https://93.184.215.14/new", "level": "notify", "include": ["api:release"]},
}
FIELD_BODIES = {
    ("app", "PATCH"): {"maintenance": {"maintenance": True}},
    ("team-app", "PATCH"): {"owner": {"owner": "admin@acme.test"}},
}


TRANSFER_ROUTES = {"app-transfer", "transfer-accept", "transfer-decline", "transfer-cancel"}


def further(name: str, method: str, user, world) -> str | None:
    """What a service checks beyond the declaration's object: the refusal it answers, or None."""
    if name in TRANSFER_ROUTES:  # only its sender and recipient see it; each takes their own steps
        transfer = world.objects["transfer"]
        if user.pk not in (transfer.sender_id, transfer.recipient_id):
            return "404"
        cancels = method == "DELETE" or name == "transfer-cancel"
        if method == "GET":
            return None
        return None if user.pk == (transfer.sender_id if cancels else transfer.recipient_id) else "403"
    if name in {"invitation", "invitation-accept"} and method == "POST":  # only the invited address accepts
        return None if user.email == world.kwargs["email_invited"] else "403"
    if name in {"reviews:item-decide", "team-access-review-item"}:
        from accessctl.access.facts import access_for
        from reviews.selectors import may_review

        item = world.objects["item_id"]
        ok = item.user_id != user.pk and may_review(access_for(user), world.team, item)
        return None if ok else "403"
    return None


def fresh(user):
    return None if user is None else User.objects.get(pk=user.pk)


def expect_page(declared, method: str, user, world, name: str = "") -> str:
    """What the declaration promises a page request: 'login', '404', '403', '405' or 'allowed'."""
    rule = declared.get(method)
    if rule is None:
        public = any(rule.public for rule in declared.values())
        return "login" if user is None and not public else "405"
    if user is None:
        return "allowed" if rule.public else "login"
    outcome = _expect_object(rule, user, world, api=False)
    return (
        (further(name, method, user, world) or outcome)
        if outcome == "allowed" and method == "POST"
        else outcome
    )


def expect_api(
    rule: authz.Rule | None, perm: str | None, user, world, name: str = "", method: str = ""
) -> str:
    if rule is None:
        return "405"
    if user is None:
        return "401"
    outcome = _expect_object(dataclasses.replace(rule, perm=perm), user, world, api=True)
    return (further(name, method, user, world) or outcome) if outcome == "allowed" else outcome


def _expect_object(rule: authz.Rule, user, world, *, api: bool) -> str:
    if rule.on == "app":
        if not user.has_perm(p.VIEW_APP, world.app):
            return "404"
        if rule.of is not None:  # the permission is on the URL's other object: the service checks it
            return (
                "allowed"
                if user.has_perm(rule.perm, world.objects[rule.of])
                else "404"
                if rule.own
                else "403"
            )
        return "allowed" if rule.perm is None or user.has_perm(rule.perm, world.app) else "403"
    if rule.on == "team":
        if not user.has_perm(p.LIST_APPS_TEAM, world.team):
            return "404"
        if rule.perm is None or user.has_perm(rule.perm, world.team):
            return "allowed"
        # Pages hide the team from its collaborators entirely; the API tells them 403 (the CLI needs it).
        return "403" if (api and not rule.hides) or user.has_perm(p.VIEW_TEAM, world.team) else "404"
    return "allowed"


def check(outcome: str, response, before, after, label: str) -> None:
    """The answer is the one promised; a refused request changed nothing."""
    status = response.status_code
    assert status < 500 or outcome == "501", f"{label}: {status} {response.content[:300]!r}"
    if outcome == "allowed":
        assert status not in {401, 403, 405} and not _to_login(response), f"{label}: refused with {status}"
        return
    wanted = {"login": 302, "401": 401, "403": 403, "404": 404, "405": 405, "501": 501}[outcome]
    assert status == wanted, f"{label}: expected {wanted}, got {status} {response.content[:200]!r}"
    if outcome == "login":
        assert _to_login(response), label
    assert before == after, f"{label}: refused, yet something changed"


MISSING = {"app": "no-such-app", "team": "no-such-team"}
UNSEEING = ("outsider", "rival_admin")


def normalised(response) -> tuple[int, bytes]:
    """Status and body without what differs on every answer (CSRF token, CSP nonce)."""
    body = re.sub(
        rb'("X-CSRFToken": "|nonce="|name="csrfmiddlewaretoken" value=")[^"]*', rb"\1", response.content
    )
    return response.status_code, body


def assert_like_missing(client, route, values, rule, response, label, **headers):
    """An object the actor may not see answers exactly as one that does not exist."""
    if rule is None or rule.on not in MISSING:
        return
    missing = client.generic(
        response.request["REQUEST_METHOD"], fill(route, {**values, rule.on: MISSING[rule.on]}), **headers
    )
    assert normalised(missing) == normalised(response), (
        f"{label}: an invisible object answers unlike a missing one"
    )


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _request(client, method, path, body=None, **headers):
    kwargs = dict(headers)
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method.lower())(path, **kwargs)


def _rolled_back(call, refused: bool):
    """Run ``call`` in a transaction that is always rolled back: each request meets the same world.

    The world after a refused request is compared with the world before any (``before``, taken once).
    """
    with transaction.atomic():
        response = call()
        after = snapshot() if refused else None
        transaction.set_rollback(True)
    return response, after


def _methods(declared, actor):
    return [m for m in METHODS if m in declared or actor in PROBE_ACTORS]


@pytest.fixture
def world(db):
    return build_world()


def _clients(world):
    clients = {}
    for actor in ACTORS:
        client = Client()
        if world.user(actor) is not None:
            client.force_login(world.user(actor))
        clients[actor] = client
    return clients


@pytest.mark.parametrize(("route", "name"), OWN_ROUTES, ids=[name for _, name in OWN_ROUTES])
def test_page_sweep(world, route, name):
    declared = authz.PAGES[name]
    token = api_token_create(actor=world.user("admin"), name="sweep", origin=COMMAND)[0]
    values = route_values(
        world, route, {**PAGE_KWARGS, "user_id": str(world.user("target").pk), "token_id": str(token.pk)}
    )
    data = {key.format(item=values["item_id"]): value for key, value in PAGE_BODIES.get(name, {}).items()}
    path = fill(route, values)
    clients = _clients(world)
    before = snapshot()
    for actor in ACTORS:
        user = fresh(world.user(actor))
        for method in _methods(declared, actor):
            outcome = expect_page(declared, method, user, world, name)
            call = partial(
                getattr(clients[actor], method.lower()), path, *([data] if method == "POST" else [])
            )
            response, after = _rolled_back(call, outcome != "allowed")
            check(outcome, response, before, after, f"{method} {path} as {actor}")
            if outcome == "404" and actor in UNSEEING:
                rule = declared.get(method)
                assert_like_missing(
                    clients[actor], route, values, rule, response, f"{method} {path} as {actor}"
                )


def _api_outcome(name: str, method: str) -> str | None:
    """The answers that do not depend on who asks: the catch-all's 404, Heroku-only features' 501."""
    if name == "not-found":
        return "404"
    if name == "heroku-only" or (name, method) in HEROKU_ONLY_METHODS:
        return "501"
    return None


@pytest.mark.parametrize(("route", "name"), API_ROUTES, ids=[name for _, name in API_ROUTES])
def test_api_sweep(world, route, name):
    declared = authz.API[name]
    token_id = str(api_token_create(actor=world.user("admin"), name="listed", origin=COMMAND)[0].public_id)
    values = route_values(
        world, route, {**API_KWARGS, "email": world.user("target").email, "token_id": token_id}
    )
    if name == "team-invitation":
        values["email"] = world.kwargs["email_invited"]
    path = fill(route, values) if name != "not-found" else "/no/such/thing"
    tokens = {
        actor: api_token_create(actor=world.user(actor), name="sweep", origin=COMMAND)[1]
        for actor in ACTORS
        if world.user(actor) is not None
    }
    client = Client()
    before = snapshot()
    for actor in ACTORS:
        headers = {"HTTP_ACCEPT": ACCEPT}
        if actor in tokens:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[actor]}"
        for method in _methods(declared, actor):
            rule = declared.get(method)
            variants = [(rule.perm if rule else None, BODIES.get((name, method)))]
            for field, body in FIELD_BODIES.get((name, method), {}).items():
                variants.append((rule.by_field[field], body))
            for perm, body in variants:
                user = fresh(world.user(actor))
                outcome = _api_outcome(name, method) or expect_api(rule, perm, user, world, name, method)
                call = partial(_request, client, method, path, body, **headers)
                response, after = _rolled_back(call, outcome != "allowed")
                label = f"{method} {path} {body} as {actor}"
                check(outcome, response, before, after, label)
                if outcome == "404" and actor in UNSEEING and body is None:
                    assert_like_missing(client, route, values, rule, response, label, **headers)
