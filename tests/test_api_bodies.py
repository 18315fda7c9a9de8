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
        ([{"type": "web", "quantity": 2.5}], "The field 'updates[0].quantity' must be a string or a number."),
        (
            [{"type": "web", "quantity": True}],
            "The field 'updates[0].quantity' must be a string or a number.",
        ),
        ([{"type": "web"}, {"type": "web", "size": None}], "The field 'updates[1].size' must be a string or"),
        ([{"type": "web", "count": 2}], "Unknown field 'updates[0].count'. Allowed: quantity, size, type."),
    ],
)
def test_formation_refusals_name_the_nested_path(api, team_admin, app, updates, text):
    FormationFactory(app=app, quantity=1)
    response = api(team_admin, "PATCH", f"/apps/{app.name}/formation", {"updates": updates})
    assert_error(response, 422, "invalid_params", text)
    assert app.formation.get().quantity == 1 and nothing_written()


def test_formation_still_takes_numbers_and_strings(api, team_admin, app):
    FormationFactory(app=app, quantity=1)
    for quantity, expected in ((2, 2), ("3", 3), ("-1", 2)):
        response = api(
            team_admin,
            "PATCH",
            f"/apps/{app.name}/formation",
            {"updates": [{"type": "web", "quantity": quantity}]},
        )
        assert response.status_code == 200 and response.json()[0]["quantity"] == expected


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
