"""The links a team admin needs (collaborator list, info and removal; everyone's permissions on a team's apps;
a member's apps; every app), API tokens as OAuth authorizations, logout, rate limits, and Heroku-only paths."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accessctl.audit.log import COMMAND
from accessctl.audit.models import AuditAction, AuditEvent
from accessctl.identity.models import ApiToken
from accessctl.identity.tokens import api_token_create
from apps.models import Grant
from tests.api_client import ACCEPT, assert_error
from tests.factories import AppFactory, GrantFactory, MembershipFactory, UserFactory


def test_team_app_collaborators_list_info_and_delete(api, team_admin, app, collaborator):
    listed = api(team_admin, "GET", "/teams/apps/myapp/collaborators")
    assert listed.status_code == HTTPStatus.OK
    assert [(c["user"]["email"], [x["name"] for x in c["permissions"]]) for c in listed.json()] == [
        ("collab@partner.test", ["view"])
    ]
    one = api(team_admin, "GET", "/teams/apps/myapp/collaborators/COLLAB@partner.test")
    assert one.status_code == HTTPStatus.OK and one.json()["user"]["email"] == "collab@partner.test"
    same = api(team_admin, "GET", "/apps/myapp/collaborators/collab@partner.test")
    assert same.json() == one.json()
    removed = api(team_admin, "DELETE", "/teams/apps/myapp/collaborators/collab@partner.test")
    assert removed.status_code == HTTPStatus.OK and removed.json()["user"]["email"] == "collab@partner.test"
    assert not Grant.objects.filter(app=app, user=collaborator).exists()
    assert AuditEvent.objects.filter(action=AuditAction.GRANT_REMOVE, target_user=collaborator).exists()


def test_collaborator_info_and_delete_of_an_unknown_address_are_refused(api, team_admin, app, member):
    for path in (
        "/teams/apps/myapp/collaborators/nobody@else.test",
        "/apps/myapp/collaborators/nobody@else.test",
    ):
        assert_error(api(team_admin, "GET", path), 404, "not_found", "nobody@else.test is not a collaborator")
    assert_error(api(team_admin, "GET", "/apps/myapp/collaborators/not-an-address"), 422, "invalid_params")
    gone = api(team_admin, "DELETE", "/teams/apps/myapp/collaborators/nobody@else.test")
    assert_error(gone, 404, "not_found", "nobody@else.test")
    refused = api(member, "DELETE", "/teams/apps/myapp/collaborators/admin@acme.test")
    assert refused.status_code == HTTPStatus.FORBIDDEN


def test_team_permissions_list_everyones_grants_paged(
    api, team, team_admin, member, viewer, app, collaborator, manager
):
    other = AppFactory(team=team, name="other")
    GrantFactory(app=other, user=member, permissions="view,deploy")
    GrantFactory(app=other, user=viewer, permissions="view,operate")
    GrantFactory(app=other, user=team_admin, permissions="view")  # an admin holds everything anyway
    answer = api(viewer, "GET", "/teams/acme/permissions")
    assert answer.status_code == HTTPStatus.OK
    rows = [
        (e["user"]["email"], e["app"]["name"], e["role"], [x["name"] for x in e["permissions"]])
        for e in answer.json()
    ]
    assert rows == [
        ("collab@partner.test", "myapp", "collaborator", ["view"]),
        ("manager@acme.test", "myapp", "member", ["view", "deploy", "manage"]),
        ("member@acme.test", "other", "member", ["view", "deploy"]),
        ("viewer@acme.test", "other", "viewer", ["view", "operate"]),
    ]
    assert {e["expires_at"] for e in answer.json()} == {None}
    Grant.objects.filter(user=viewer).update(expires_at=timezone.now() + timedelta(hours=4))
    temporary = api(viewer, "GET", "/teams/acme/permissions").json()[-1]
    assert temporary["user"]["email"] == "viewer@acme.test" and temporary["expires_at"].endswith("Z")
    first = api(viewer, "GET", "/teams/acme/permissions", HTTP_RANGE="email ..; max=3")
    assert first.status_code == HTTPStatus.PARTIAL_CONTENT and len(first.json()) == 3
    assert first["Next-Range"] == "email ]member@acme.test other..; max=3"
    rest = api(viewer, "GET", "/teams/acme/permissions", HTTP_RANGE=first["Next-Range"])
    assert [(e["user"]["email"], e["app"]["name"]) for e in rest.json()] == [("viewer@acme.test", "other")]
    assert api(collaborator, "GET", "/teams/acme/permissions").status_code == HTTPStatus.NOT_FOUND


def test_team_permissions_queries_do_not_grow_with_the_team(api, team, team_admin, app):
    def count():
        api(team_admin, "GET", "/teams/acme/permissions")  # the token's first use marks it used
        with CaptureQueriesContext(connection) as queries:
            assert api(team_admin, "GET", "/teams/acme/permissions").status_code in (200, 206)
        return len(queries)

    small = count()
    for n in range(15):
        user = MembershipFactory(team=team, user=UserFactory(email=f"p{n}@acme.test")).user
        GrantFactory(app=AppFactory(team=team, name=f"app-{n}"), user=user, permissions="view,operate")
    assert count() == small


def test_a_members_apps(api, team, team_admin, member, viewer, app, collaborator):
    GrantFactory(app=AppFactory(team=team, name="theirs"), user=collaborator)
    AppFactory(team=team, name="not-theirs")
    answer = api(viewer, "GET", "/teams/acme/members/collab@partner.test/apps")
    assert answer.status_code == HTTPStatus.OK and [a["name"] for a in answer.json()] == ["myapp", "theirs"]
    everything = api(viewer, "GET", "/teams/acme/members/member@acme.test/apps")  # a member sees every app
    assert [a["name"] for a in everything.json()] == ["myapp", "not-theirs", "theirs"]
    unknown = api(viewer, "GET", "/teams/acme/members/nobody@else.test/apps")
    assert_error(unknown, 404, "not_found", "nobody@else.test is neither a member nor a collaborator of acme")


def test_get_apps_lists_every_app_one_can_see(api, team, member, app, outsider):
    AppFactory(team=None, owner=member, name="mine")
    AppFactory(team=None, owner=outsider, name="not-mine")
    assert [a["name"] for a in api(member, "GET", "/apps").json()] == ["mine", "myapp"]
    assert [a["name"] for a in api(member, "GET", "/users/~/apps").json()] == ["mine"]


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT": ACCEPT}


def test_authorizations_create_shows_the_token_once_then_list_info_revoke(client, member, outsider):
    _, raw = api_token_create(actor=member, name="laptop", origin=COMMAND)
    made = client.post(
        "/oauth/authorizations",
        {"description": "deploy bot"},
        content_type="application/json",
        **_bearer(raw),
    )
    assert made.status_code == HTTPStatus.CREATED
    body = made.json()
    new_raw, new_id = body["access_token"]["token"], body["id"]
    assert body["description"] == "deploy bot" and body["scope"] == ["global"]
    assert client.get("/account", **_bearer(new_raw)).json()["email"] == member.email
    listed = client.get("/oauth/authorizations", **_bearer(raw)).json()
    assert sorted(a["description"] for a in listed) == ["deploy bot", "laptop"]
    assert all(a["access_token"] is None for a in listed)
    info = client.get(f"/oauth/authorizations/{new_id}", **_bearer(raw))
    assert info.json()["description"] == "deploy bot" and info.json()["access_token"] is None
    revoked = client.delete(f"/oauth/authorizations/{new_id}", **_bearer(raw))
    assert revoked.status_code == HTTPStatus.OK and revoked.json()["description"] == "deploy bot"
    assert client.get("/account", **_bearer(new_raw)).status_code == HTTPStatus.UNAUTHORIZED
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE, target_user=member).count() == 1


def test_someone_elses_token_id_and_bad_bodies_are_refused(api, member, outsider):
    theirs, _ = api_token_create(actor=outsider, name="theirs", origin=COMMAND)
    for method in ("GET", "DELETE"):
        refused = api(member, method, f"/oauth/authorizations/{theirs.public_id}")
        assert_error(refused, 404, "not_found", f"There is no authorization {theirs.public_id}")
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert_error(api(member, "GET", "/oauth/authorizations/12"), 404, "not_found")
    expiring = api(member, "POST", "/oauth/authorizations", {"expires_in": "3600"})
    assert_error(expiring, 422, "invalid_params", "do not expire")
    scoped = api(member, "POST", "/oauth/authorizations", {"scope": ["read"]})
    assert_error(scoped, 422, "invalid_params", "the only scope is 'global'")
    assert_error(api(member, "POST", "/oauth/authorizations", {"description": ""}), 422, "invalid_params")
    assert list(ApiToken.objects.filter(user=member).values_list("name", flat=True)) == ["test"]


def test_deleting_the_session_revokes_the_token_of_the_call(client, member):
    _, raw = api_token_create(actor=member, name="cli", origin=COMMAND)
    other = client.delete("/oauth/sessions/some-id", **_bearer(raw))
    assert_error(other, 404, "not_found", "no OAuth sessions")
    assert other.json()["resource"] == "session"
    sessions = client.get("/oauth/sessions", **_bearer(raw))
    assert sessions.json() == [] and "API token" in sessions["Warning-Message"]
    gone = client.delete("/oauth/sessions/~", **_bearer(raw))
    assert gone.status_code == HTTPStatus.OK and gone.json()["description"] == "cli"
    assert gone["Content-Type"].startswith("application/vnd.heroku+json")
    assert client.get("/account", **_bearer(raw)).status_code == HTTPStatus.UNAUTHORIZED
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE, target_user=member).exists()


def test_rate_limits_count_the_tokens_calls(api, member, settings):
    first = api(member, "GET", "/account/rate-limits").json()["remaining"]
    api(member, "GET", "/account")
    second = api(member, "GET", "/account/rate-limits")
    assert second.json()["remaining"] == first - 2 == int(second["RateLimit-Remaining"])
    assert first < settings.API_RATE_LIMIT


@pytest.mark.parametrize(
    ("method", "path", "feature"),
    [
        ("POST", "/apps/myapp/log-sessions", "logs"),
        ("POST", "/apps/myapp/dynos", "one-off dynos (heroku run)"),
        ("GET", "/addon-attachments", "add-ons"),
        ("POST", "/apps/myapp/addons", "add-ons"),
        ("GET", "/pipelines", "pipelines"),
        ("GET", "/apps/myapp/domains", "domains"),
        ("DELETE", "/apps/no-such-app/domains/www.example.com", "domains"),
    ],
)
def test_heroku_only_features_say_so(api, member, app, method, path, feature):
    answer = api(member, method, path, {} if method == "POST" else None)
    assert_error(answer, 501, "not_implemented", f"does not run Heroku's {feature}")
    assert "manages access only" in answer.json()["message"]
