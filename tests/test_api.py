"""The Platform API through the test client: shapes, every error status, strict bodies, Range, tokens."""

import pytest

from accessctl.models import ApiToken, AuditEvent, User
from apps.models import Grant
from teams.models import Membership
from tests.api_client import ACCEPT, assert_error
from tests.factories import (
    AppFactory,
    FormationFactory,
    GrantFactory,
    MembershipFactory,
    ReleaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- routing, auth ---------------------------------------------------------------------------------------------


def test_accept_header_selects_the_api(client, api, team_admin, app):
    assert api(team_admin, "GET", f"/apps/{app.name}").json()["name"] == "myapp"
    client.force_login(team_admin)
    assert "<html" in client.get(f"/apps/{app.name}/").content.decode()


def test_session_cookie_is_not_enough(client, team_admin):
    client.force_login(team_admin)
    assert_error(client.get("/account", HTTP_ACCEPT=ACCEPT), 401, "unauthorized", "Invalid credentials")


def test_revoked_token_and_inactive_user_are_refused(api, team_admin, member):
    assert api(member, "GET", "/account").status_code == 200
    ApiToken.objects.filter(user=member).delete()
    assert_error(api(member, "GET", "/account"), 401, "unauthorized")
    assert api(team_admin, "GET", "/account").status_code == 200
    team_admin.is_active = False
    team_admin.save()
    assert_error(api(team_admin, "GET", "/account"), 401, "unauthorized")


def test_removed_role_takes_effect_on_next_call(api, team, team_admin, member, app):
    assert api(member, "GET", "/teams/acme/members").status_code == 200
    Membership.objects.filter(user=member).delete()
    assert_error(api(member, "GET", "/teams/acme/members"), 404, "not_found", "Couldn't find that team.")
    assert_error(api(member, "GET", f"/apps/{app.name}"), 404, "not_found", "Couldn't find that app.")


def test_token_marks_last_use(api, member):
    api(member, "GET", "/account")
    assert ApiToken.objects.get(user=member).last_used_at is not None


@pytest.mark.parametrize("path", ["/nothing/here", "/apps/myapp/", "/teams/acme/members/"])
def test_unknown_routes_and_trailing_slashes_answer_json_404(api, team_admin, app, path):
    assert_error(api(team_admin, "GET", path), 404, "not_found")


def test_wrong_method_is_405(api, team_admin, app):
    assert_error(api(team_admin, "POST", "/account", {}), 405, "method_not_allowed")


def test_server_errors_answer_json(api, team_admin, app, monkeypatch):
    from accessctl.api import views_apps

    monkeypatch.setattr(views_apps, "_app_json", lambda request, app: 1 / 0)
    assert_error(api(team_admin, "GET", f"/apps/{app.name}"), 500, "internal_server_error")


# --- shapes the CLI depends on -----------------------------------------------------------------------------------


def test_team_and_app_shapes(api, team_admin, app, collaborator):
    team = api(team_admin, "GET", "/teams/acme").json()
    assert (team["name"], team["role"], team["type"]) == ("acme", "admin", "enterprise")
    features = api(team_admin, "GET", "/teams/acme/features").json()
    assert [(f["name"], f["enabled"]) for f in features] == [
        ("org-access-controls", True),
        ("team-invite-acceptance", False),
    ]
    body = api(team_admin, "GET", f"/apps/{app.name}").json()
    assert body["owner"]["email"] == "acme@herokumanager.com" and body["team"]["name"] == "acme"
    assert body["locked"] is False and body["web_url"].startswith("https://")
    for key in ("repo_size", "slug_size", "space", "build_stack", "stack", "region", "generation"):
        assert key in body
    personal = AppFactory(team=None, owner=team_admin, name="mine")
    mine = api(team_admin, "GET", "/apps/mine").json()
    assert mine["team"] is None and mine["owner"]["email"] == team_admin.email and "locked" not in mine
    collaborators = api(team_admin, "GET", f"/apps/{app.name}/collaborators").json()
    assert collaborators[0]["user"]["email"] == collaborator.email
    assert collaborators[0]["permissions"] == [
        {"name": "view", "description": collaborators[0]["permissions"][0]["description"]}
    ]
    GrantFactory(app=personal, user=collaborator)
    personal_rows = api(team_admin, "GET", "/apps/mine/collaborators").json()
    assert {r["role"] for r in personal_rows} == {"owner", "collaborator"}
    assert all("permissions" not in r for r in personal_rows)


def test_permissions_endpoint(api, member):
    names = [p["name"] for p in api(member, "GET", "/teams/permissions").json()]
    assert names == ["deploy", "manage", "operate", "view"]


def test_collaborator_sees_only_their_apps_and_403_on_members(api, collaborator, app, locked_app):
    names = [a["name"] for a in api(collaborator, "GET", "/teams/acme/apps").json()]
    assert names == [app.name]
    assert_error(api(collaborator, "GET", "/teams/acme/members"), 403, "forbidden")
    assert_error(api(collaborator, "GET", f"/apps/{locked_app.name}"), 404, "not_found")


# --- strict bodies -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "status", "text"),
    [
        ({"email": "x@y.test", "role": "member", "admin": True}, 422, "Unknown field 'admin'"),
        ({"email": ["x@y.test"], "role": "member"}, 422, "The field 'email' must be a string."),
        ({"email": "x@y.test"}, 422, "The field 'role' is required."),
        ({"email": "x@y.test", "role": "owner"}, 422, "Unknown role 'owner'"),
        ({"email": "not-an-email", "role": "member"}, 422, "is not a valid e-mail address"),
        ({"email": "x" * 300 + "@y.test", "role": "member"}, 422, "is not a valid e-mail address"),
    ],
)
def test_member_add_refuses_bad_bodies(api, team, team_admin, payload, status, text):
    assert_error(api(team_admin, "PUT", "/teams/acme/members", payload), status, "invalid_params", text)
    assert Membership.objects.count() == 1
    assert not AuditEvent.objects.exclude(action="token.create").exists()


def test_duplicated_keys_and_bad_json(api, team, team_admin):
    duplicated = '{"email": "a@b.test", "email": "c@d.test", "role": "member"}'
    assert_error(
        api(team_admin, "PUT", "/teams/acme/members", raw=duplicated), 422, "invalid_params", "more than once"
    )
    assert_error(api(team_admin, "PUT", "/teams/acme/members", raw="{nope"), 400, "bad_request")
    assert_error(
        api(team_admin, "PUT", "/teams/acme/members", raw="[1]"), 422, "invalid_params", "JSON object"
    )


def test_grant_bodies_are_checked(api, team_admin, app):
    bad_perm = api(
        team_admin,
        "POST",
        f"/teams/apps/{app.name}/collaborators",
        {"user": "x@y.test", "permissions": ["root"]},
    )
    assert_error(bad_perm, 422, "invalid_params", "Unknown permission 'root'")
    not_list = api(
        team_admin,
        "POST",
        f"/teams/apps/{app.name}/collaborators",
        {"user": "x@y.test", "permissions": "view"},
    )
    assert_error(not_list, 422, "invalid_params", "must be an array")
    assert not Grant.objects.exists()


def test_lock_body_needs_exactly_one_field(api, team_admin, app):
    both = api(team_admin, "PATCH", f"/teams/apps/{app.name}", {"locked": True, "owner": "acme"})
    assert_error(both, 422, "invalid_params", "exactly one")
    wrong_type = api(team_admin, "PATCH", f"/teams/apps/{app.name}", {"locked": "yes"})
    assert_error(wrong_type, 422, "invalid_params", "must be true or false")
    app.refresh_from_db()
    assert not app.locked


# --- statuses of refusals ------------------------------------------------------------------------------------------


def test_refusal_statuses(api, team, team_admin, member, app, locked_app):
    assert_error(
        api(member, "PUT", "/teams/acme/members", {"email": "x@y.test", "role": "member"}), 403, "forbidden"
    )
    assert_error(
        api(team_admin, "PATCH", "/teams/acme/members", {"email": team_admin.email, "role": "member"}),
        409,
        "conflict",
        "must have at least one admin",
    )
    assert_error(
        api(team_admin, "PATCH", f"/teams/apps/{locked_app.name}", {"locked": True}),
        409,
        "conflict",
        "This app is already locked.",
    )
    assert_error(
        api(member, "POST", f"/teams/apps/{locked_app.name}/collaborators", {"user": member.email}),
        409,
        "conflict",
        "is locked",
    )
    assert_error(api(team_admin, "DELETE", "/teams/acme/members/nobody@x.test"), 404, "not_found")
    personal = AppFactory(team=None, owner=member, name="mine")
    assert_error(api(member, "GET", f"/teams/apps/{personal.name}"), 422, "invalid_params", "personal app")


def test_join_and_leave_through_api(api, team, member, app):
    joined = api(member, "POST", f"/teams/apps/{app.name}/collaborators", {"user": member.email})
    assert joined.status_code == 201 and joined.json()["user"]["email"] == member.email
    assert api(member, "GET", f"/apps/{app.name}").json()["joined"] is True
    left = api(member, "DELETE", f"/apps/{app.name}/collaborators/{member.email.replace('@', '%40')}")
    assert left.status_code == 200 and not Grant.objects.filter(user=member).exists()
    assert AuditEvent.objects.filter(action="app.join", source="api").exists()


# --- ranges ----------------------------------------------------------------------------------------------------------


def test_range_and_next_range_on_app_lists(api, team, team_admin):
    for n in range(5):
        AppFactory(team=team, name=f"app-{n}")
    first = api(team_admin, "GET", "/teams/acme/apps", HTTP_RANGE="name ..; max=2")
    assert first.status_code == 206 and [a["name"] for a in first.json()] == ["app-0", "app-1"]
    assert first["Next-Range"] == "name ]app-1..; max=2"
    second = api(team_admin, "GET", "/teams/acme/apps", HTTP_RANGE=first["Next-Range"])
    assert [a["name"] for a in second.json()] == ["app-2", "app-3"]
    last = api(team_admin, "GET", "/teams/acme/apps", HTTP_RANGE="name ]app-3..; max=2")
    assert (
        last.status_code == 200 and [a["name"] for a in last.json()] == ["app-4"] and "Next-Range" not in last
    )


@pytest.mark.parametrize("header", ["version ..; max=2, order=desc", "version ..; order=desc,max=2"])
def test_release_ranges_in_both_spellings(api, team_admin, app, header):
    for version in range(1, 5):
        ReleaseFactory(app=app, version=version)
    releases = api(team_admin, "GET", f"/apps/{app.name}/releases", HTTP_RANGE=header).json()
    assert [r["version"] for r in releases] == [4, 3]
    assert releases[0]["current"] is True and releases[1]["current"] is False
    assert all(r["eligible_for_rollback"] and r["output_stream_url"] is None for r in releases)


@pytest.mark.parametrize("header", ["color ..", "name ..; max=0", "name ..; max=x", "name ..; order=up"])
def test_bad_ranges_are_416(api, team_admin, header):
    assert_error(
        api(team_admin, "GET", "/teams/acme/apps", HTTP_RANGE=header), 416, "requested_range_not_satisfiable"
    )


# --- runtime -----------------------------------------------------------------------------------------------------


def test_config_vars_patch_returns_full_config_and_makes_release(api, team_admin, app):
    ReleaseFactory(app=app, version=1)
    body = api(team_admin, "PATCH", f"/apps/{app.name}/config-vars", {"A": "1", "B": "2"}).json()
    assert body == {"A": "1", "B": "2"}
    assert api(team_admin, "PATCH", f"/apps/{app.name}/config-vars", {"A": None, "ZZ": None}).json() == {
        "B": "2"
    }
    assert app.releases.count() == 3
    bad = api(team_admin, "PATCH", f"/apps/{app.name}/config-vars", {"A": 1})
    assert_error(bad, 422, "invalid_params", "must be a string")


def test_formation_scale_with_the_clis_string_and_relative_quantities(api, team_admin, app):
    FormationFactory(app=app, quantity=1)
    cli = {"HTTP_USER_AGENT": "heroku-cli/11.10.0 linux"}
    path = f"/apps/{app.name}/formation"
    body = api(team_admin, "PATCH", path, {"updates": [{"type": "web", "quantity": "+2"}]}, **cli)
    assert body.json()[0]["quantity"] == 3
    bad = api(team_admin, "PATCH", path, {"updates": [{"type": "web", "quantity": "lots"}]}, **cli)
    assert_error(bad, 422, "invalid_params", "whole number")
    dynos = api(team_admin, "GET", f"/apps/{app.name}/dynos").json()
    assert [d["name"] for d in dynos] == ["web.1", "web.2", "web.3"]
    assert api(team_admin, "DELETE", f"/apps/{app.name}/dynos/web.2").status_code == 202
    assert_error(api(team_admin, "DELETE", f"/apps/{app.name}/dynos/web.9"), 404, "not_found")


def test_pipeline_couplings_is_404_and_addons_empty(api, team_admin, app):
    assert api(team_admin, "GET", f"/apps/{app.name}/addons").json() == []
    assert_error(api(team_admin, "GET", f"/apps/{app.name}/pipeline-couplings"), 404, "not_found")


def test_personal_app_transfer_to_user_waits_for_the_recipient(api, member):
    app = AppFactory(team=None, owner=member, name="mine")
    other = UserFactory(email="bob@x.test")
    result = api(member, "POST", "/account/app-transfers", {"app": "mine", "recipient": other.email})
    assert result.status_code == 201 and result.json()["state"] == "pending"
    app.refresh_from_db()
    assert app.owner == member
    answer = api(other, "PATCH", "/account/app-transfers/mine", {"state": "accepted"})
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"
    app.refresh_from_db()
    assert app.owner == other and Grant.objects.get(app=app, user=member).permissions == {
        "view",
        "deploy",
        "operate",
    }


def test_api_writes_are_audited_as_api(api, team, team_admin, app):
    api(team_admin, "PATCH", f"/teams/apps/{app.name}", {"locked": True}, REMOTE_ADDR="127.0.0.9")
    event = AuditEvent.objects.get(action="app.lock")
    assert (event.source, event.ip, event.actor) == ("api", "127.0.0.9", team_admin)


@pytest.mark.parametrize("size", [5, 200])
def test_api_lists_cost_flat_queries(api, django_assert_num_queries, team, team_admin, size):
    for _ in range(size):
        user = UserFactory()
        MembershipFactory(team=team, user=user)
        app = AppFactory(team=team)
        GrantFactory(app=app, user=user, permissions="view,deploy")
    api(team_admin, "GET", "/account")
    for path in ("/teams/acme/members", "/teams/acme/apps"):
        with django_assert_num_queries(4):
            assert api(team_admin, "GET", path).status_code in (200, 206)  # 206: past the first page of 200


def test_a_manage_holder_cannot_transfer_a_team_app_out_through_the_api(api, team, member, app, outsider):
    GrantFactory(app=app, user=member, permissions="view,manage")
    answer = api(member, "PATCH", f"/teams/apps/{app.name}", {"owner": outsider.email})
    assert_error(answer, 403, "forbidden")
    app.refresh_from_db()
    assert app.team == team and not AuditEvent.objects.filter(action="app.transfer").exists()


def test_a_refused_member_add_leaves_no_pending_account(api, member):
    answer = api(member, "PUT", "/teams/acme/members", {"email": "nobody-yet@x.test", "role": "member"})
    assert_error(answer, 403, "forbidden")
    assert not User.objects.filter(email="nobody-yet@x.test").exists()
