"""Temporary grants given directly: give, extend, end now; gone everywhere at their end, no job needed."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.errors import Conflict, Invalid, NotFound
from accessctl.audit.log import COMMAND, Origin
from accessctl.models import AuditEvent, User
from apps.expiry import expire_grants
from apps.models import Grant
from apps.selectors import app_access_rows, apps_visible_to
from apps.temporary import temporary_grant_end, temporary_grant_extend, temporary_grant_give
from teams.selectors import team_people, teams_for
from tests.factories import GrantFactory

pytestmark = pytest.mark.django_db
WEB = Origin("web")


def fresh(user):
    """The user as the next request sees them (no memoised facts)."""
    return User.objects.get(pk=user.pk)


def give(actor, app, user, hours=4, perms=("deploy",), reason="Hotfix for INC-42"):
    return temporary_grant_give(
        actor=actor,
        app=app,
        user=user,
        permissions=list(perms),
        expires_at=timezone.now() + timedelta(hours=hours),
        reason=reason,
        origin=WEB,
    )


def test_temporary_deploy_works_until_its_end_then_is_gone_everywhere(clock, team_admin, member, locked_app):
    give(team_admin, locked_app, member)
    assert fresh(member).has_perm(p.DEPLOY_RELEASE_APP, locked_app)
    [row] = [r for r in app_access_rows(locked_app).rows if r.user == member]
    assert row.perms == ["view", "deploy"] and row.temporary.reason == "Hotfix for INC-42"

    clock.advance(hours=4)  # exactly at the end: gone, and no job has run

    assert Grant.objects.filter(user=member).exists()
    assert not fresh(member).has_perm(p.DEPLOY_APP, locked_app)
    assert fresh(member).has_perm(p.VIEW_APP, locked_app)  # team view stays
    assert member not in [r.user for r in app_access_rows(locked_app).rows]


def test_the_memoised_snapshot_of_one_request_also_sees_the_end(clock, team_admin, member, locked_app):
    give(team_admin, locked_app, member, hours=1)
    user = fresh(member)
    assert user.has_perm(p.DEPLOY_APP, locked_app)
    clock.advance(hours=1, seconds=1)
    assert not user.has_perm(p.DEPLOY_APP, locked_app)


def test_a_collaborator_by_temporary_grant_loses_the_app_and_the_team_at_the_end(
    clock, team_admin, app, outsider
):
    give(team_admin, app, outsider, hours=2, perms=("view",))
    assert list(apps_visible_to(fresh(outsider))) == [app]
    assert [row.team.name for row in teams_for(fresh(outsider))] == ["acme"]
    assert outsider in team_people(app.team)
    clock.advance(hours=3)
    assert list(apps_visible_to(fresh(outsider))) == []
    assert teams_for(fresh(outsider)) == []
    assert outsider not in team_people(app.team)
    assert not fresh(outsider).has_perm(p.VIEW_APP, app)


def test_temporary_grant_beside_a_permanent_one(clock, team_admin, collaborator, app):
    give(team_admin, app, collaborator, perms=("deploy", "operate"))
    assert fresh(collaborator).has_perm(p.OPERATE_APP, app)
    clock.advance(hours=5)
    assert fresh(collaborator).has_perm(p.VIEW_APP, app)  # the permanent view grant stays
    assert not fresh(collaborator).has_perm(p.OPERATE_APP, app)


def test_giving_is_one_audited_change_with_expiry_and_reason(team_admin, member, locked_app):
    grant = give(team_admin, locked_app, member)
    [event] = AuditEvent.objects.filter(action="grant.add")
    assert event.after == {
        "permissions": ["view", "deploy"],
        "expires_at": grant.expires_at.isoformat(),
        "reason": "Hotfix for INC-42",
    }
    give(team_admin, locked_app, member, hours=2, perms=("operate",))
    assert Grant.objects.get(user=member).permissions == {"view", "operate"}  # exactly what the pencil says
    assert AuditEvent.objects.filter(action="grant.update").count() == 1


@pytest.mark.parametrize(
    ("hours", "reason", "field", "text"),
    [
        (-1, "why", "expires_at", "must be in the future"),
        (0, "why", "expires_at", "must be in the future"),
        (4, "  ", "reason", "a reason is required"),
    ],
)
def test_bad_temporary_grants_are_refused_and_write_nothing(
    team_admin, member, app, hours, reason, field, text
):
    with pytest.raises(Invalid, match=text) as refused:
        give(team_admin, app, member, hours=hours, reason=reason)
    assert refused.value.field == field
    assert not Grant.objects.filter(user=member).exists() and not AuditEvent.objects.exists()


def test_only_admins_and_manage_holders_give_temporary_access(member, viewer, app):
    with pytest.raises(PermissionDenied):
        give(member, app, viewer)
    GrantFactory(app=app, user=member, permissions="view,manage")
    give(fresh(member), app, viewer)
    assert fresh(viewer).has_perm(p.DEPLOY_APP, app)


def test_admins_get_no_temporary_grant(team, team_admin, app):
    other = User.objects.create_user(email="boss2@acme.test")
    team.memberships.create(user=other, role="admin")
    with pytest.raises(Conflict, match="already has every permission"):
        give(team_admin, app, other)


def test_extend_moves_the_end_later_only(clock, team_admin, member, app):
    grant = give(team_admin, app, member, hours=1)
    with pytest.raises(Invalid, match="pick a time after its current end"):
        temporary_grant_extend(
            actor=team_admin, app=app, user=member, expires_at=grant.expires_at, origin=WEB
        )
    later = grant.expires_at + timedelta(hours=2)
    temporary_grant_extend(actor=team_admin, app=app, user=member, expires_at=later, origin=WEB)
    clock.advance(hours=2)
    assert fresh(member).has_perm(p.DEPLOY_APP, app)
    assert AuditEvent.objects.filter(action="grant.extend").get().after["expires_at"] == later.isoformat()


def test_the_holder_or_an_approver_ends_it_early(team_admin, member, viewer, app):
    give(team_admin, app, member)
    with pytest.raises(PermissionDenied, match="Only the holder"):
        temporary_grant_end(actor=viewer, app=app, user=member, origin=WEB)
    temporary_grant_end(actor=member, app=app, user=member, origin=WEB)
    assert not fresh(member).has_perm(p.DEPLOY_APP, app)
    give(team_admin, app, member)
    temporary_grant_end(actor=team_admin, app=app, user=member, origin=WEB)
    assert AuditEvent.objects.filter(action="grant.end").count() == 2
    with pytest.raises(NotFound, match="has no temporary access"):
        temporary_grant_end(actor=team_admin, app=app, user=member, origin=WEB)


def test_expired_access_cannot_be_extended_or_ended(clock, team_admin, member, app):
    grant = give(team_admin, app, member, hours=1)
    clock.advance(hours=1)
    with pytest.raises(NotFound):
        temporary_grant_extend(
            actor=team_admin,
            app=app,
            user=member,
            expires_at=grant.expires_at + timedelta(hours=1),
            origin=WEB,
        )


def test_the_sweep_deletes_expired_grants_with_one_event_each(clock, team_admin, member, viewer, app):
    give(team_admin, app, member, hours=1)
    give(team_admin, app, viewer, hours=3)
    clock.advance(hours=2)
    assert expire_grants() == 1
    assert list(Grant.objects.temporary().values_list("user__email", flat=True)) == ["viewer@acme.test"]
    [event] = AuditEvent.objects.filter(action="grant.expire")
    assert event.target_user == member and event.source == "task" and event.actor_label == "system"
    assert expire_grants() == 0


def test_joining_after_temporary_access_expired_gives_the_join_permissions(clock, team_admin, member, app):
    from apps.services import app_join

    give(team_admin, app, member, hours=1, perms=("view",))
    assert not fresh(member).has_perm(p.JOIN_APP, app)
    clock.advance(hours=1)
    app_join(actor=fresh(member), app=app, origin=COMMAND)
    assert fresh(member).has_perm(p.MANAGE_APP, app)


def test_support_console_ends_a_temporary_grant_and_keeps_the_permanent_one(
    client, team_admin, collaborator, app
):

    give(team_admin, app, collaborator)
    temporary = Grant.objects.get(user=collaborator, expires_at__isnull=False)
    root = User.objects.create_user(email="root@accessctl.test", is_staff=True, is_superuser=True)
    client.force_login(root)
    answer = client.post(f"/admin/apps/grant/{temporary.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert list(Grant.objects.filter(user=collaborator).values_list("expires_at", flat=True)) == [None]
    assert AuditEvent.objects.filter(action="grant.end", source="admin").exists()
