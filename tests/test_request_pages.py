"""Temporary access and access requests through the pages, as people click them (no JavaScript needed)."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail

from accessctl.models import AuditEvent
from apps.models import AccessRequest, Grant, Release
from tests.factories import GrantFactory

pytestmark = pytest.mark.django_db
ASK = {"permissions": ["deploy"], "duration": "240m", "reason": "Ship the hotfix for INC-42"}


def test_member_requests_deploy_admin_approves_member_deploys_and_loses_it_on_time(
    clock, client_as, django_capture_on_commit_callbacks, team_admin, member, locked_app
):
    as_member, as_admin = client_as(member), client_as(team_admin)
    refused = as_member.post(f"/apps/{locked_app.name}/deploy/", {"description": "hotfix"})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert 'id="request-access"' in refused.content.decode()
    assert "/access/request/?permissions=deploy" in refused.content.decode()

    form = as_member.get(f"/apps/{locked_app.name}/access/request/?permissions=deploy").content.decode()
    assert 'value="deploy"' in form and "checked" in form and "8 hours" in form
    with django_capture_on_commit_callbacks(execute=True):
        asked = as_member.post(f"/apps/{locked_app.name}/access/request/", ASK, follow=True)
    assert "Asked for deploy on website-prod" in asked.content.decode()
    assert mail.outbox[0].to == ["admin@acme.test"]
    request = AccessRequest.objects.get()

    page = as_admin.get(f"/apps/{locked_app.name}/access/").content.decode()
    assert f'id="request-{request.pk}"' in page and "Ship the hotfix for INC-42" in page
    with django_capture_on_commit_callbacks(execute=True):
        approved = as_admin.post(
            f"/apps/{locked_app.name}/access/requests/{request.pk}/approve/", {}, follow=True
        )
    assert "Approved: member@acme.test has deploy on website-prod." in approved.content.decode()
    assert "approved" in mail.outbox[1].subject

    access = as_admin.get(f"/apps/{locked_app.name}/access/").content.decode()
    assert f'id="temporary-{member.pk}"' in access
    assert "4 hours left" in access and "approved by admin@acme.test" in access and "INC-42" in access
    home = as_member.get("/").content.decode()
    assert 'id="temporary-website-prod"' in home and "4 hours left" in home
    assert "approved by admin@acme.test: Ship the hotfix for INC-42" in home

    deployed = as_member.post(f"/apps/{locked_app.name}/deploy/", {"description": "hotfix"})
    assert deployed.status_code == HTTPStatus.FOUND
    assert Release.objects.filter(app=locked_app, description="hotfix").exists()

    clock.advance(hours=4)  # no job runs
    again = as_member.post(f"/apps/{locked_app.name}/deploy/", {"description": "again"})
    assert again.status_code == HTTPStatus.FORBIDDEN
    assert 'id="temporary-website-prod"' not in as_member.get("/").content.decode()
    assert Grant.objects.filter(user=member).exists()  # still in the table; the rules ignore it


def test_deny_from_the_team_requests_page_needs_a_note(client_as, team_admin, member, app):
    client_as(member).post(f"/apps/{app.name}/access/request/", ASK)
    request = AccessRequest.objects.get()
    as_admin = client_as(team_admin)
    page = as_admin.get("/teams/acme/requests/").content.decode()
    assert f'id="request-{request.pk}"' in page and 'name="back" value="team"' in page
    url = f"/apps/{app.name}/access/requests/{request.pk}/deny/"
    no_note = as_admin.post(url, {"note": "", "back": "team"}, follow=True)
    assert "a note is required" in no_note.content.decode()
    denied = as_admin.post(url, {"note": "Use staging", "back": "team"})
    assert denied["Location"] == "/teams/acme/requests/"
    request.refresh_from_db()
    assert request.status == "denied"
    history = as_admin.get("/teams/acme/requests/?status=denied").content.decode()
    assert "Use staging" in history and "denied by admin@acme.test" in history


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"reason": ""}, "a reason is required"),
        ({"permissions": []}, "Pick at least one permission"),
        ({"duration": "600m"}, "Select a valid choice"),
    ],
)
def test_request_form_errors_name_the_field(client_as, member, app, change, text):
    answer = client_as(member).post(f"/apps/{app.name}/access/request/", {**ASK, **change})
    assert answer.status_code == 422 and text in answer.content.decode()
    assert not AccessRequest.objects.exists()


def test_second_request_and_cancel(client_as, member, app):
    client = client_as(member)
    client.post(f"/apps/{app.name}/access/request/", ASK)
    again = client.post(f"/apps/{app.name}/access/request/", ASK)
    assert again.status_code == 422 and "You already asked for deploy on myapp" in again.content.decode()
    request = AccessRequest.objects.get()
    page = client.get(f"/apps/{app.name}/access/").content.decode()
    assert f'id="my-request-{request.pk}"' in page and "waiting for approval" in page
    client.post(f"/apps/{app.name}/access/requests/{request.pk}/cancel/")
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_no_request_button_for_admins_nor_a_queue_for_members(client_as, team_admin, member, viewer, app):
    assert (
        'id="request-access"' not in client_as(team_admin).get(f"/apps/{app.name}/access/").content.decode()
    )
    client_as(viewer).post(f"/apps/{app.name}/access/request/", ASK)
    page = client_as(member).get(f"/apps/{app.name}/access/").content.decode()
    assert 'id="request-access"' in page and 'id="request-queue"' not in page
    request = AccessRequest.objects.get()
    forced = client_as(member).post(f"/apps/{app.name}/access/requests/{request.pk}/approve/")
    assert forced.status_code == HTTPStatus.FORBIDDEN
    assert not Grant.objects.filter(user=viewer).exists()


def test_locked_apps_closed_to_requests_show_no_button(client_as, team, member, locked_app):
    team.request_locked_apps = False
    team.save()
    page = client_as(member).get(f"/apps/{locked_app.name}/access/").content.decode()
    assert 'id="request-access"' not in page
    forced = client_as(member).get(f"/apps/{locked_app.name}/access/request/")
    assert forced.status_code == HTTPStatus.FORBIDDEN


def test_pencil_gives_temporary_access_then_extend_and_end(clock, client_as, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view")
    client = client_as(team_admin)
    url = f"/apps/{app.name}/access/{member.pk}/edit/"
    assert 'name="duration"' in client.get(url).content.decode()
    no_reason = client.post(url, {"permissions": ["deploy"], "duration": "120m"})
    assert "a reason is required" in no_reason.content.decode()
    client.post(url, {"permissions": ["deploy"], "duration": "120m", "reason": "Pairing"})
    temporary = Grant.objects.get(user=member, expires_at__isnull=False)
    assert temporary.expires_at == clock.now() + timedelta(hours=2) and temporary.reason == "Pairing"
    assert Grant.objects.get(user=member, expires_at__isnull=True).permissions == {"view"}

    client.post(f"/apps/{app.name}/access/{member.pk}/extend/", {"by": "60m"})
    temporary.refresh_from_db()
    assert temporary.expires_at == clock.now() + timedelta(hours=3)
    page = client.get(f"/apps/{app.name}/access/").content.decode()
    assert "3 hours left" in page and "given by admin@acme.test" in page

    client_as(member).post(f"/apps/{app.name}/access/{member.pk}/end/")
    assert not Grant.objects.filter(user=member, expires_at__isnull=False).exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "grant.end",
        "grant.extend",
        "grant.add",
    ]


def test_team_settings_hold_the_request_policy(client_as, team, team_admin):
    client = client_as(team_admin)
    page = client.get("/teams/acme/settings/").content.decode()
    assert 'id="request-policy"' in page
    client.post(
        "/teams/acme/settings/",
        {
            "name": "acme",
            "join_permissions": ["deploy", "operate", "manage"],
            "request_max_duration": "1440m",
            "request_permanent_allowed": "yes",
            "request_locked_apps": "no",
        },
    )
    team.refresh_from_db()
    assert team.request_max_duration == timedelta(days=1) and team.request_permanent_allowed
    assert not team.request_locked_apps
    event = AuditEvent.objects.get(action="team.settings")
    assert event.after["request_max_duration"] == "1 day"
