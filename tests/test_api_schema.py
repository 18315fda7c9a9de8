"""The API schema (accessctl/api/schema/platform-api.json) itself, and the check every API test runs against it.

The schema is a valid Draft 4 (hyper-)schema whose references all resolve; every link names a real route and
method and every route and method has a link; the statuses follow prmd's conventions unless a ``deviation``
says why not. The check (tests/api_schema.py) refuses what a client would trip over, through the test client
and the live server alike.
"""

import json
import re

import pytest
import requests
from jsonschema import Draft4Validator

from accessctl.api import serializers, views_unsupported
from accessctl.api import urls as api_urls
from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from tests import api_schema
from tests.api_client import ACCEPT

SCHEMA = api_schema.schema()
ALL_LINKS = [item for definition in SCHEMA["definitions"].values() for item in definition.get("links", [])]
CT = "application/vnd.heroku+json; version=3"


def refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def pointer_target(pointer: str):
    node = SCHEMA
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part]  # a KeyError is a reference to nowhere
    return node


def example_path(href: str) -> str:
    return re.sub(r"\{[^}]*\}", "1", href)  # "1" fits <str:...> and <int:...> alike


def api_routes():
    """(normalized route, methods) of every API view; the JSON 404 catch-all is no route, and the Heroku-only
    paths answer nothing but their 501 error (whose shape the check validates like every other error)."""
    for pattern in api_urls.urlpatterns:
        if pattern.name == "not-found" or pattern.callback is views_unsupported.heroku_only:
            continue
        yield api_schema.normalize(str(pattern.pattern)), pattern.callback.api_methods


def test_the_schema_is_a_valid_draft_4_schema_whose_references_resolve():
    Draft4Validator.check_schema(SCHEMA)
    for ref in refs(SCHEMA):
        pointer_target(ref)
    for item in ALL_LINKS:  # href placeholders name identity definitions, prmd style
        for placeholder in re.findall(r"\{\(([^)]*)\)\}", item["href"]):
            pointer_target(placeholder.replace("%23", "#").replace("%2F", "/"))


def test_every_link_names_a_route_and_a_method_its_view_allows():
    methods = dict(api_routes())
    for item in ALL_LINKS:
        served = api_schema.route_of(example_path(item["href"]))
        assert served == api_schema.normalize(item["href"]), f"{item['href']} resolves to {served}"
        assert item["method"] in methods[served], (
            f"{item['method']} {item['href']} is not allowed by its view"
        )


def test_every_route_and_method_has_a_schema_link():
    missing = [
        f"{method} /{route}"
        for route, methods in api_routes()
        for method in methods
        if (route, method) not in api_schema.links()
    ]
    assert missing == [], "routes without a link in platform-api.json: " + ", ".join(missing)


def test_statuses_follow_prmd_conventions_unless_a_deviation_says_why():
    conventions = {"create": [201], "empty": [202], "instances": [200, 206]}
    for item in ALL_LINKS:
        expected = conventions.get(item["rel"], [200])
        if item["statuses"] != expected and item["statuses"] != [200]:  # a list answered whole: 200 only
            assert item.get("deviation"), f"{item['method']} {item['href']}: {item['statuses']} unexplained"


def test_formats_are_checked_for_uuid_email_and_date_time():
    release = {"$ref": "#/definitions/release"}
    good = {
        "id": "01234567-89ab-cdef-0123-456789abcdef",
        "version": 2,
        "description": "Set FOO config vars",
        "status": "succeeded",
        "current": True,
        "eligible_for_rollback": True,
        "output_stream_url": None,
        "created_at": "2026-01-01T12:00:00Z",
        "updated_at": "2026-01-01T12:00:00Z",
        "user": {"id": "01234567-89ab-cdef-0123-456789abcdef", "email": "admin@acme.test"},
        "app": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "myapp"},
        "slug": None,
        "addon_plan_names": [],
        "artifacts": [],
    }
    assert api_schema.errors_of(release, good) == []
    bad = {
        **good,
        "id": "1",
        "created_at": "yesterday",
        "user": {"id": good["user"]["id"], "email": "system"},
    }
    problems = " ".join(api_schema.errors_of(release, bad))
    assert "'1' is not a 'uuid'" in problems
    assert "'yesterday' is not a 'date-time'" in problems
    assert "'system' is not a 'email'" in problems


def test_the_check_refuses_a_broken_answer_an_unlisted_status_and_a_wrong_error_shape():
    account = json.dumps({"email": "admin@acme.test", "surprise": 1}).encode()
    problems = api_schema.check("GET", "/account", None, 200, CT, account)
    assert any("'id' is a required property" in problem for problem in problems)
    assert any("'surprise' was unexpected" in problem for problem in problems)
    problems = api_schema.check("GET", "/teams/permissions", None, 201, CT, b"[]")
    assert any("status 201 is not one the schema lists" in problem for problem in problems)
    problems = api_schema.check("GET", "/account", None, 404, CT, b'{"error": "nope"}')
    assert any("'message' is a required property" in problem for problem in problems)
    assert api_schema.check("GET", "/account", None, 200, "text/html", b"<html>") != []


def test_the_check_refuses_a_2xx_from_a_route_without_a_link_and_an_accepted_body_the_schema_refuses():
    problems = api_schema.check("GET", "/no/such/route", None, 200, CT, b"{}")
    assert any("no schema link" in problem for problem in problems)
    body = json.dumps({"updates": [{"type": "web", "quantity": "lots"}]}).encode()
    problems = api_schema.check("PATCH", "/apps/myapp/formation", body, 200, CT, b"[]")
    assert any("accepted a request" in problem for problem in problems)
    assert (
        api_schema.check("PATCH", "/apps/myapp/formation", body, 422, CT, b'{"id": "x", "message": "m"}')
        == []
    )


def _broken_account(user, **_):
    return {"email": user.email, "id": "not-a-uuid"}


def test_a_test_client_call_that_breaks_the_schema_is_recorded(api, team_admin, monkeypatch):
    monkeypatch.setattr(serializers, "account", _broken_account)
    assert api(team_admin, "GET", "/account").status_code == 200
    found = api_schema.take_violations()  # taken, so this test itself passes
    assert any("GET /account" in item and "'not-a-uuid' is not a 'uuid'" in item for item in found), found


@pytest.mark.django_db(transaction=True)
def test_a_live_server_call_that_breaks_the_schema_is_recorded(live_server, team_admin, monkeypatch):
    token = api_token_create(actor=team_admin, name="schema test", origin=COMMAND)[1]
    headers = {"Accept": ACCEPT, "Authorization": f"Bearer {token}"}
    assert requests.get(f"{live_server.url}/account", headers=headers, timeout=10).status_code == 200
    assert api_schema.take_violations() == []  # the real answer is fine
    monkeypatch.setattr(serializers, "account", _broken_account)
    assert requests.get(f"{live_server.url}/account", headers=headers, timeout=10).status_code == 200
    found = api_schema.take_violations()
    assert any("'id' is a required property" not in item and "not-a-uuid" in item for item in found), found
