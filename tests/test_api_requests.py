"""The access-request API and temporary collaborators (SPEC 17): shapes, decisions, every refusal."""

from datetime import timedelta

import pytest
from django.core import mail

from accessctl.access import policy as p
from accessctl.models import AuditEvent, User
from apps.models import AccessRequest, Grant
from tests.api_client import assert_error
from tests.factories import GrantFactory

pytestmark = pytest.mark.django_db
ASK = {"permissions": ["deploy"], "duration": "PT4H", "reason": "Ship the hotfix for INC-42"}


def test_request_approve_deploy_and_lose_it(
    api, clock, django_capture_on_commit_callbacks, team_admin, member, locked_app
):
    with django_capture_on_commit_callbacks(execute=True):
        created = api(member, "POST", "/apps/website-prod/access-requests", ASK)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["permissions"] == ["deploy"] and body["duration"] == "PT4H"
    assert body["requester"]["email"] == "member@acme.test" and body["expires_at"] is None
    assert mail.outbox[0].to == ["admin@acme.test"]

    pending = api(team_admin, "GET", "/teams/acme/access-requests?status=pending").json()
    assert [item["id"] for item in pending] == [body["id"]]

    decided = api(
        team_admin,
        "PATCH",
        f"/apps/website-prod/access-requests/{body['id']}",
        {"status": "approved", "note": "ok"},
    )
    assert decided.status_code == 200, decided.content
    assert (
        decided.json()["status"] == "approved" and decided.json()["decided_by"]["email"] == "admin@acme.test"
    )
    access = api(member, "GET", "/apps/website-prod/collaborators").json()
    [mine] = [c for c in access if c["user"]["email"] == "member@acme.test"]
    assert mine["expires_at"] == decided.json()["expires_at"] is not None
    assert "deploy" in [perm["name"] for perm in mine["permissions"]]

    clock.advance(hours=4)
    access = api(member, "GET", "/apps/website-prod/collaborators").json()
    assert "member@acme.test" not in [c["user"]["email"] for c in access]
    assert not User.objects.get(pk=member.pk).has_perm(p.DEPLOY_APP, locked_app)


def test_approver_shortens_with_a_duration(api, clock, team_admin, member, app):
    made = api(member, "POST", "/apps/myapp/access-requests", ASK).json()
    answer = api(
        team_admin,
        "PATCH",
        f"/apps/myapp/access-requests/{made['id']}",
        {"status": "approved", "duration": "PT1H"},
    )
    assert answer.json()["expires_at"] == (clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({**ASK, "duration": "PT9H"}, "longest access this team grants is 8 hours"),
        ({**ASK, "duration": "PT0H"}, "must be in the future"),
        ({**ASK, "duration": "soon"}, "The field 'duration' is not a duration"),
        ({**ASK, "duration": "permanent"}, "does not accept requests for permanent access"),
        ({**ASK, "reason": ""}, "a reason is required"),
        ({"permissions": ["deploy"], "duration": "PT4H"}, "The field 'reason' is required."),
        ({**ASK, "permissions": ["sudo"]}, "Unknown permission 'sudo'"),
        ({**ASK, "extra": 1}, "Unknown field 'extra'"),
    ],
)
def test_bad_requests_answer_422_and_create_nothing(api, member, app, body, text):
    assert_error(api(member, "POST", "/apps/myapp/access-requests", body), 422, "invalid_params", text)
    assert not AccessRequest.objects.exists()


def test_second_open_request_and_held_permission_are_conflicts(api, member, collaborator, app):
    assert api(member, "POST", "/apps/myapp/access-requests", ASK).status_code == 201
    assert_error(
        api(member, "POST", "/apps/myapp/access-requests", ASK), 409, "conflict", "You already asked"
    )
    GrantFactory(app=app, user=member, permissions="view,operate")
    assert_error(
        api(member, "POST", "/apps/myapp/access-requests", {**ASK, "permissions": ["operate"]}),
        409,
        "conflict",
        "You already hold operate",
    )


def test_self_approval_and_bystanders_are_refused(api, team_admin, member, viewer, app):
    GrantFactory(app=app, user=member, permissions="view,manage")
    made = api(member, "POST", "/apps/myapp/access-requests", ASK).json()
    path = f"/apps/myapp/access-requests/{made['id']}"
    assert_error(
        api(member, "PATCH", path, {"status": "approved"}), 403, "forbidden", "cannot decide your own"
    )
    assert_error(api(viewer, "PATCH", path, {"status": "approved"}), 404, "not_found", "access request")
    assert_error(
        api(team_admin, "PATCH", path, {"status": "denied"}), 422, "invalid_params", "a note is required"
    )
    assert_error(
        api(team_admin, "PATCH", path, {"status": "maybe"}), 422, "invalid_params", "must be approved"
    )
    assert api(member, "PATCH", path, {"status": "cancelled"}).json()["status"] == "cancelled"
    assert_error(api(team_admin, "PATCH", path, {"status": "approved"}), 409, "conflict", "already cancelled")
    assert not Grant.objects.filter(user=member, expires_at__isnull=False).exists()


def test_lapsed_requests_show_lapsed_and_cannot_be_approved(api, clock, team_admin, member, app):
    made = api(member, "POST", "/apps/myapp/access-requests", ASK).json()
    clock.advance(hours=25)
    assert api(team_admin, "GET", "/teams/acme/access-requests?status=pending").json() == []
    [lapsed] = api(team_admin, "GET", "/teams/acme/access-requests?status=lapsed").json()
    assert lapsed["id"] == made["id"] and lapsed["status"] == "lapsed"
    answer = api(team_admin, "PATCH", f"/apps/myapp/access-requests/{made['id']}", {"status": "approved"})
    assert_error(answer, 409, "conflict", "This request lapsed")


def test_listing_shows_approvers_everything_and_others_their_own(api, team_admin, member, viewer, app):
    api(member, "POST", "/apps/myapp/access-requests", ASK)
    api(viewer, "POST", "/apps/myapp/access-requests", ASK)
    assert len(api(team_admin, "GET", "/apps/myapp/access-requests").json()) == 2
    [own] = api(viewer, "GET", "/apps/myapp/access-requests").json()
    assert own["requester"]["email"] == "viewer@acme.test"
    assert_error(api(member, "GET", "/teams/acme/access-requests?status=nope"), 422, "invalid_params")


def test_collaborator_post_accepts_an_expiry(api, clock, team_admin, app):
    until = (clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"user": "temp@partner.test", "permissions": ["deploy"], "expires_at": until, "reason": "Pairing"}
    answer = api(team_admin, "POST", "/teams/apps/myapp/collaborators", body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["expires_at"] == until
    assert AuditEvent.objects.get(action="grant.add").after["reason"] == "Pairing"
    permanent = api(team_admin, "POST", "/teams/apps/myapp/collaborators", {"user": "perm@partner.test"})
    assert permanent.json()["expires_at"] is None


@pytest.mark.parametrize(
    ("expires_at", "text"),
    [("tomorrow", "must be an ISO 8601 time"), ("2000-01-01T00:00:00Z", "must be in the future")],
)
def test_collaborator_expiry_in_the_past_or_unreadable_is_refused(api, team_admin, app, expires_at, text):
    body = {"user": "temp@partner.test", "permissions": ["deploy"], "expires_at": expires_at, "reason": "x"}
    assert_error(
        api(team_admin, "POST", "/teams/apps/myapp/collaborators", body), 422, "invalid_params", text
    )
    assert not User.objects.filter(email="temp@partner.test").exists()
