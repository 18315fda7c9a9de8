"""Access requests through the services: ask, approve (maybe shorter), deny, cancel, lapse; and the abuse."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from accessctl.access import policy as p
from accessctl.access.errors import Conflict, Invalid
from accessctl.audit.log import Origin
from accessctl.models import AuditEvent, User
from apps.access_requests import (
    access_request_approve,
    access_request_cancel,
    access_request_create,
    access_request_deny,
)
from apps.expiry import lapse_requests
from apps.models import AccessRequest, Grant
from tests.factories import GrantFactory, UserFactory

pytestmark = pytest.mark.django_db
WEB = Origin("web")
H4 = timedelta(hours=4)


def fresh(user):
    return User.objects.get(pk=user.pk)


def ask(user, app, perms=("deploy",), duration=H4, reason="Ship the hotfix for INC-42"):
    return access_request_create(
        actor=fresh(user), app=app, permissions=list(perms), duration=duration, reason=reason, origin=WEB
    )


def approve(actor, request, **kwargs):
    return access_request_approve(actor=fresh(actor), access_request=request, origin=WEB, **kwargs)


def test_member_asks_for_deploy_on_a_locked_app_admin_approves_and_it_ends_on_time(
    clock, django_capture_on_commit_callbacks, team_admin, member, locked_app
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(member, locked_app)
    [notice] = mail.outbox
    assert (
        notice.to == ["admin@acme.test"]
        and "member@acme.test asks for deploy on website-prod" in notice.subject
    )
    assert "Ship the hotfix for INC-42" in notice.body
    assert not fresh(member).has_perm(p.DEPLOY_RELEASE_APP, locked_app)

    with django_capture_on_commit_callbacks(execute=True):
        approve(team_admin, request)

    assert fresh(member).has_perm(p.DEPLOY_RELEASE_APP, locked_app)
    grant = Grant.objects.get(user=member, app=locked_app)
    assert (
        grant.expires_at == clock.now() + H4 and grant.request == request and grant.granted_by == team_admin
    )
    assert mail.outbox[1].to == ["member@acme.test"] and "approved" in mail.outbox[1].subject
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["request.approve", "request.create"]
    clock.advance(hours=4)
    assert not fresh(member).has_perm(p.DEPLOY_APP, locked_app)


def test_manage_holders_approve_and_may_shorten(clock, team_admin, member, viewer, app):
    GrantFactory(app=app, user=member, permissions="view,manage")
    request = ask(viewer, app, perms=("deploy", "operate"))
    approve(member, request, duration=timedelta(hours=1))
    assert AccessRequest.objects.get().granted_until == clock.now() + timedelta(hours=1)
    clock.advance(minutes=61)
    assert not fresh(viewer).has_perm(p.OPERATE_APP, app)


def test_approval_extends_a_live_temporary_grant_rather_than_adding_one(clock, team_admin, member, app):
    approve(team_admin, ask(member, app, perms=("deploy",), duration=timedelta(hours=2)))
    approve(team_admin, ask(member, app, perms=("operate",), duration=H4))
    [grant] = Grant.objects.filter(user=member)
    assert grant.permissions == {"view", "deploy", "operate"} and grant.expires_at == clock.now() + H4


def test_an_approver_cannot_lengthen(team_admin, member, app):
    with pytest.raises(Invalid, match="not lengthen it: 4 hours was asked for"):
        approve(team_admin, ask(member, app), duration=timedelta(hours=5))
    assert not Grant.objects.filter(user=member).exists()


def test_deny_needs_a_note_and_tells_the_requester(
    django_capture_on_commit_callbacks, team_admin, member, app
):
    request = ask(member, app)
    with pytest.raises(Invalid, match="a note is required") as refused:
        access_request_deny(actor=team_admin, access_request=request, note=" ", origin=WEB)
    assert refused.value.field == "note"
    with django_capture_on_commit_callbacks(execute=True):
        access_request_deny(actor=team_admin, access_request=request, note="Use staging first", origin=WEB)
    request.refresh_from_db()
    assert (
        request.status == "denied"
        and request.decided_by == team_admin
        and request.note == "Use staging first"
    )
    assert "denied" in mail.outbox[-1].subject and "Use staging first" in mail.outbox[-1].body
    assert not Grant.objects.filter(user=member).exists()


def test_nobody_decides_their_own_request(team_admin, app):
    """A manage holder lacking deploy may ask for it, but another approver must decide."""
    other = UserFactory(email="dev@acme.test")
    GrantFactory(app=app, user=other, permissions="view,manage")
    request = ask(other, app, perms=("deploy",))
    with pytest.raises(PermissionDenied, match="cannot decide your own request"):
        approve(other, request)
    with pytest.raises(PermissionDenied, match="cannot decide your own request"):
        access_request_deny(actor=fresh(other), access_request=request, note="no", origin=WEB)


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_people_without_the_right_cannot_decide(request, who, team_admin, member, viewer, app):
    asked = ask(viewer if who == "member" else member, app)
    with pytest.raises(PermissionDenied, match="Only team admins and people with manage"):
        approve(request.getfixturevalue(who), asked)


def test_an_approver_who_lost_the_right_since_the_request_cannot_approve(team_admin, member, viewer, app):
    GrantFactory(app=app, user=member, permissions="view,manage")
    asked = ask(viewer, app)
    Grant.objects.filter(user=member).update(permissions="view")
    with pytest.raises(PermissionDenied):
        approve(member, asked)
    assert not Grant.objects.filter(user=viewer).exists()


def test_a_requester_who_lost_access_since_cannot_be_given_it(team_admin, collaborator, app):
    asked = ask(collaborator, app)
    Grant.objects.filter(user=collaborator).delete()
    with pytest.raises(Conflict, match="can no longer see myapp"):
        approve(team_admin, asked)


@pytest.mark.parametrize("end", ["approved", "denied", "cancelled", "lapsed"])
def test_a_decided_cancelled_or_lapsed_request_cannot_be_approved(clock, team_admin, member, app, end):
    asked = ask(member, app)
    if end == "approved":
        approve(team_admin, asked)
    elif end == "denied":
        access_request_deny(actor=team_admin, access_request=asked, note="No", origin=WEB)
    elif end == "cancelled":
        access_request_cancel(actor=fresh(member), access_request=asked, origin=WEB)
    else:
        clock.advance(hours=24)  # lapsed at read time: the sweep has not run
    grants = list(Grant.objects.filter(user=member).values_list("permissions", "expires_at"))
    with pytest.raises(Conflict) as refused:
        approve(team_admin, asked)
    assert ("lapsed" if end == "lapsed" else f"already {end}") in refused.value.message
    assert list(Grant.objects.filter(user=member).values_list("permissions", "expires_at")) == grants


def test_only_the_requester_cancels(team_admin, member, app):
    asked = ask(member, app)
    with pytest.raises(PermissionDenied, match="Only the person who asked"):
        access_request_cancel(actor=team_admin, access_request=asked, origin=WEB)
    access_request_cancel(actor=fresh(member), access_request=asked, origin=WEB)
    assert AuditEvent.objects.filter(action="request.cancel").exists()


def test_lapse_sweep_marks_stale_requests_once(clock, team_admin, member, viewer, app):
    old = ask(member, app)
    clock.advance(hours=20)
    new = ask(viewer, app)
    clock.advance(hours=4)
    assert lapse_requests() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("lapsed", "pending")
    assert lapse_requests() == 0 and AuditEvent.objects.filter(action="request.lapse").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"duration": timedelta(hours=9)}, "duration", "longest access this team grants is 8 hours"),
        ({"duration": timedelta(hours=-1)}, "duration", "must be in the future"),
        ({"duration": None}, "duration", "does not accept requests for permanent access"),
        ({"reason": ""}, "reason", "a reason is required"),
        ({"perms": ("view",)}, "permissions", "Pick at least one permission"),
        ({"perms": ("root",)}, "permissions", "Unknown permission 'root'"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(member, app, kwargs, field, text):
    with pytest.raises(Invalid, match=text) as refused:
        ask(member, app, **kwargs)
    assert refused.value.field == field and not AccessRequest.objects.exists()


def test_permanent_and_longer_requests_where_the_team_allows_them(team, member, app):
    team.request_permanent_allowed, team.request_max_duration = True, timedelta(days=2)
    team.save()
    app.refresh_from_db()
    ask(member, app, duration=None)
    ask(member, app, perms=("operate",), duration=timedelta(days=2))
    assert AccessRequest.objects.count() == 2


def test_a_second_open_request_for_the_same_thing_is_refused(clock, member, app):
    ask(member, app, perms=("deploy", "operate"))
    with pytest.raises(Conflict, match="You already asked for deploy, operate on myapp"):
        ask(member, app, perms=("deploy",))
    ask(member, app, perms=("manage",))  # something else is fine
    clock.advance(hours=24)  # the first lapsed: asking again is fine
    ask(member, app, perms=("deploy",))


def test_a_permission_already_held_cannot_be_requested(member, collaborator, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    with pytest.raises(Conflict, match="You already hold deploy on myapp"):
        ask(member, app, perms=("deploy", "operate"))


def test_admins_and_outsiders_cannot_request(team_admin, outsider, app):
    with pytest.raises(PermissionDenied):
        ask(team_admin, app)
    with pytest.raises(PermissionDenied):
        ask(outsider, app)


def test_teams_may_close_locked_apps_to_requests(team, member, locked_app):
    team.request_locked_apps = False
    team.save()
    locked_app.refresh_from_db()
    with pytest.raises(Conflict, match="acme takes no access requests for locked apps"):
        ask(member, locked_app)


def test_personal_apps_take_no_requests(member):
    from tests.factories import AppFactory

    personal = AppFactory(personal=True, name="side-project")
    with pytest.raises(Invalid, match="personal app"):
        ask(member, personal)
