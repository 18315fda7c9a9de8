"""Request bodies through the API: every refusal of accessctl/api/bodies.py names the field and writes nothing."""

import pytest

from accessctl.models import AuditEvent
from apps.models import App, Grant
from teams.models import Membership
from tests.api_client import assert_error
from tests.factories import FormationFactory

pytestmark = pytest.mark.django_db


def nothing_written():
    """No change but the test's own token: no audit event beyond ``token.create``."""
    return not AuditEvent.objects.exclude(action="token.create").exists()


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (
            {"email": "x@y.test", "role": "member", "admin": True},
            "Unknown field 'admin'. Allowed: email, role.",
        ),
        ({"email": 5, "role": "member"}, "The field 'email' must be a string."),
        ({"email": None, "role": "member"}, "The field 'email' must be a string."),
        ({"email": "x@y.test", "role": ["member"]}, "The field 'role' must be a string."),
        ({"email": {"a": 1}, "role": "member"}, "The field 'email' must be a string."),
        ({"role": "member"}, "The field 'email' is required."),
    ],
)
def test_member_body_refusals_name_the_field(api, team, team_admin, payload, text):
    assert_error(api(team_admin, "PUT", "/teams/acme/members", payload), 422, "invalid_params", text)
    assert Membership.objects.count() == 1 and nothing_written()


@pytest.mark.parametrize(
    ("method", "path", "payload", "text"),
    [
        ("PATCH", "/teams/apps/myapp", {"locked": "true"}, "The field 'locked' must be true or false."),
        ("PATCH", "/teams/apps/myapp", {"locked": 1}, "The field 'locked' must be true or false."),
        ("PATCH", "/teams/apps/myapp", {"owner": ["acme"]}, "The field 'owner' must be a string."),
        ("PATCH", "/teams/apps/myapp", {}, "exactly one of 'locked' or 'owner'"),
        ("PATCH", "/apps/myapp", {"maintenance": [True]}, "The field 'maintenance' must be true or false."),
        ("PATCH", "/apps/myapp", {"name": None}, "The field 'name' must be a string."),
        ("PATCH", "/apps/myapp", {}, "Send 'name' to rename the app"),
        ("POST", "/teams/apps", {"name": "new", "team": "acme", "locked": "yes"}, "'locked' must be true"),
        ("POST", "/teams/apps", {"name": "new"}, "The field 'team' is required."),
        ("POST", "/apps", {"name": "new", "region": ["eu"]}, "The field 'region' must be a string."),
        (
            "POST",
            "/apps",
            {"name": "new", "team": "acme"},
            "Unknown field 'team'. Allowed: name, region, stack.",
        ),
        (
            "POST",
            "/apps/myapp/collaborators",
            {"user": "x@y.test", "permissions": ["view"]},
            "Unknown field 'permissions'. Allowed: silent, user.",
        ),
        (
            "POST",
            "/teams/apps/myapp/collaborators",
            {"user": "x@y.test", "permissions": "view"},
            "The field 'permissions' must be an array.",
        ),
        (
            "POST",
            "/teams/apps/myapp/collaborators",
            {"user": "x@y.test", "permissions": ["view", 3]},
            "The field 'permissions[1]' must be a string.",
        ),
        ("POST", "/account/app-transfers", {"app": "myapp"}, "The field 'recipient' is required."),
        ("POST", "/apps/myapp/releases", {"release": 1}, "The field 'release' must be a string."),
        ("POST", "/apps/myapp/releases", {"release": "1"}, "The field 'release' must be an id (a UUID)."),
    ],
)
def test_app_body_refusals_name_the_field(api, team_admin, app, method, path, payload, text):
    assert_error(api(team_admin, method, path, payload), 422, "invalid_params", text)
    assert list(App.objects.values_list("name", "locked", "maintenance")) == [("myapp", False, False)]
    assert not Grant.objects.exists() and nothing_written()


@pytest.mark.parametrize(
    ("updates", "text"),
    [
        ("web=2", "The field 'updates' must be an array."),
        ([3], "The field 'updates[0]' must be an object."),
        ([{"quantity": 2}], "The field 'updates[0].type' is required."),
        ([{"type": "web", "quantity": 2.5}], "The field 'updates[0].quantity' must be a number."),
        ([{"type": "web", "quantity": True}], "The field 'updates[0].quantity' must be a number."),
        ([{"type": "web", "quantity": "1"}], "The field 'updates[0].quantity' must be a number."),
        ([{"type": "web", "quantity": -1}], "'updates[0].quantity' is not valid: Input should be greater"),
        (
            [{"type": "web", "size": "Standard-1X"}],
            "Unknown field 'updates[0].size'. Allowed: dyno_size, quantity, type.",
        ),
        ([{"type": "web", "dyno_size": "Basic"}], "The field 'updates[0].dyno_size' must be an object."),
        ([{"type": "web", "dyno_size": {}}], "Name the dyno size with exactly one of 'name' or 'id'."),
        ([{"type": "web", "dyno_size": {"name": "Huge"}}], "Unknown dyno size Huge."),
        (
            [{"type": "web", "dyno_size": {"id": "5a1e0000-0000-4000-8000-000000000009"}}],
            "The field 'updates[0].dyno_size.id' names no dyno size",
        ),
        (
            [{"type": "web"}, {"type": "web", "quantity": None}],
            "The field 'updates[1].quantity' must be a number.",
        ),
        (
            [{"type": "web", "count": 2}],
            "Unknown field 'updates[0].count'. Allowed: dyno_size, quantity, type.",
        ),
    ],
)
def test_formation_refusals_name_the_nested_path(api, team_admin, app, updates, text):
    FormationFactory(app=app, quantity=1)
    response = api(team_admin, "PATCH", f"/apps/{app.name}/formation", {"updates": updates})
    assert_error(response, 422, "invalid_params", text)
    assert app.formation.get().quantity == 1 and nothing_written()


def test_formation_takes_the_schemas_integer_and_dyno_size_by_name_or_id(api, team_admin, app):
    FormationFactory(app=app, quantity=1, size="Basic")
    path = f"/apps/{app.name}/formation"
    body = {"updates": [{"type": "web", "quantity": 2, "dyno_size": {"name": "standard-2x"}}]}
    answer = api(team_admin, "PATCH", path, body).json()[0]
    assert (answer["quantity"], answer["size"], answer["dyno_size"]["name"]) == (
        2,
        "Standard-2X",
        "Standard-2X",
    )
    by_id = {"updates": [{"type": "web", "dyno_size": {"id": answer["dyno_size"]["id"]}, "quantity": 0}]}
    assert api(team_admin, "PATCH", path, by_id).json()[0]["quantity"] == 0
    assert app.formation.get().size == "Standard-2X"


def test_the_heroku_cli_keeps_its_string_quantities_and_size(api, team_admin, app):
    """``heroku ps:scale`` predates the schema: from the CLI a string, a signed change and ``size`` work."""
    FormationFactory(app=app, quantity=1)
    cli = {"HTTP_USER_AGENT": "heroku-cli/11.10.0 linux-x64"}
    path = f"/apps/{app.name}/formation"
    for quantity, expected in (("3", 3), ("-1", 2), (4, 4)):
        body = {"updates": [{"type": "web", "quantity": quantity, "size": "Standard-1X"}]}
        response = api(team_admin, "PATCH", path, body, **cli)
        assert response.status_code == 200 and response.json()[0]["quantity"] == expected
    refused = api(team_admin, "PATCH", path, {"updates": [{"type": "web", "quantity": True}]}, **cli)
    assert_error(
        refused, 422, "invalid_params", "The field 'updates[0].quantity' must be a string or a number."
    )


def test_duplicated_key_in_a_body_is_refused(api, team_admin, app):
    raw = '{"locked": true, "locked": false}'
    assert_error(
        api(team_admin, "PATCH", f"/teams/apps/{app.name}", raw=raw),
        422,
        "invalid_params",
        "The field 'locked' is given more than once.",
    )
    nested = '{"updates": [{"type": "web", "quantity": 2, "quantity": 3}]}'
    assert_error(
        api(team_admin, "PATCH", f"/apps/{app.name}/formation", raw=nested),
        422,
        "invalid_params",
        "The field 'quantity' is given more than once.",
    )
    app.refresh_from_db()
    assert not app.locked and nothing_written()


def test_config_var_refusals(api, team_admin, app):
    path = f"/apps/{app.name}/config-vars"
    twice = api(team_admin, "PATCH", path, raw='{"A": "1", "B": "2", "A": null}')
    assert_error(twice, 422, "invalid_params", "The config var 'A' is given more than once.")
    wrong = api(team_admin, "PATCH", path, {"A": "1", "B": ["2"]})
    assert_error(wrong, 422, "invalid_params", "The config var 'B' must be a string (or null to unset it).")
    listed = api(team_admin, "PATCH", path, raw='[["A", "1"]]')
    assert_error(listed, 422, "invalid_params", "JSON object of names to strings or null")
    assert_error(api(team_admin, "PATCH", path, raw='{"A": '), 400, "bad_request", "not valid JSON")
    app.refresh_from_db()
    assert app.config_vars == {} and not app.releases.exists() and nothing_written()


@pytest.mark.parametrize("raw", ["{nope", '{"email": "a@b.test",}', "\udcff", ""])
def test_malformed_json_is_400(api, team, team_admin, raw):
    response = api(team_admin, "PUT", "/teams/acme/members", raw=raw.encode("utf-8", "surrogateescape"))
    if raw == "":  # an empty body is an empty object: the missing field is named
        assert_error(response, 422, "invalid_params", "The field 'email' is required.")
    else:
        assert_error(response, 400, "bad_request", "The request body is not valid JSON.")
    assert Membership.objects.count() == 1 and nothing_written()


@pytest.mark.parametrize("raw", ["[1]", "null", '"x"', "3"])
def test_body_must_be_an_object(api, team, team_admin, raw):
    response = api(team_admin, "PUT", "/teams/acme/members", raw=raw)
    assert_error(response, 422, "invalid_params", "The request body must be a JSON object.")
    assert nothing_written()
