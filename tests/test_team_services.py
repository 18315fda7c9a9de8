"""Team services: the membership rules of SPEC section 7, each change audited, refusals write nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from accessctl.access.errors import Conflict, Invalid, NotFound
from accessctl.access.policy import MEMBERS_SET_ROLES
from accessctl.audit.log import Origin
from accessctl.identity.people import user_for_email
from accessctl.models import AuditEvent, User
from apps.models import Grant
from teams import services
from teams.models import Membership
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
WEB = Origin("web", "10.0.0.1")


def roles(team):
    return dict(Membership.objects.filter(team=team).values_list("user__email", "role"))


def test_admin_adds_member_and_audit_records_it(team, team_admin):
    services.team_member_add(
        actor=team_admin,
        team=team,
        user=user_for_email("Joe@Acme.com", create=True),
        role="member",
        origin=WEB,
    )
    assert roles(team)["joe@acme.com"] == "member"
    event = AuditEvent.objects.get(action="member.add", target_email="joe@acme.com")
    assert (event.actor, event.team, event.source, event.ip) == (team_admin, team, "web", "10.0.0.1")
    assert event.after == {"role": "member"}


def test_adding_unknown_email_creates_pending_account(team, team_admin):
    newcomer = user_for_email("New@Acme.test ", create=True)
    services.team_member_add(actor=team_admin, team=team, user=newcomer, role="viewer", origin=WEB)
    user = User.objects.get(email="new@acme.test")
    assert user.is_pending and not user.has_usable_password()
    assert roles(team)["new@acme.test"] == "viewer"


def test_adding_existing_member_with_other_role_changes_role(team, team_admin, member):
    services.team_member_add(actor=team_admin, team=team, user=member, role="viewer", origin=WEB)
    assert roles(team)[member.email] == "viewer"
    event = AuditEvent.objects.get(action="member.role_change")
    assert (event.before, event.after) == ({"role": "member"}, {"role": "viewer"})


@pytest.mark.parametrize("actor_fixture", ["member", "viewer", "collaborator", "outsider"])
def test_only_admins_manage_members(request, team, actor_fixture):
    actor = request.getfixturevalue(actor_fixture)
    newcomer = UserFactory(email="x@y.test")
    with pytest.raises(PermissionDenied):
        services.team_member_add(actor=actor, team=team, user=newcomer, role="member", origin=WEB)
    assert "x@y.test" not in roles(team)
    assert not AuditEvent.objects.filter(action="member.add", target_email="x@y.test").exists()


def test_unknown_role_is_refused_naming_the_field(team, team_admin, outsider):
    with pytest.raises(Invalid) as error:
        services.team_member_add(actor=team_admin, team=team, user=outsider, role="owner", origin=WEB)
    assert error.value.field == "role"
    assert Membership.objects.filter(team=team).count() == 1


@pytest.mark.parametrize("email", ["not-an-email", "a" * 250 + "@x.test", ""])
def test_bad_email_is_refused_naming_the_field_and_creates_nobody(db, email):
    with pytest.raises(Invalid) as error:
        user_for_email(email, create=True)
    assert error.value.field == "email"
    assert not User.objects.exists()


def test_last_admin_cannot_be_demoted_or_removed(team, team_admin):
    with pytest.raises(Conflict, match=r"acme must have at least one admin\. Add another admin first\."):
        services.team_member_set_role(actor=team_admin, team=team, user=team_admin, role="member", origin=WEB)
    with pytest.raises(Conflict, match="at least one admin"):
        services.team_member_remove(actor=team_admin, team=team, user=team_admin, origin=WEB)
    with pytest.raises(Conflict, match="at least one admin"):
        services.team_leave(actor=team_admin, team=team, origin=WEB)
    assert roles(team) == {team_admin.email: "admin"}
    assert not AuditEvent.objects.filter(action__in=["member.role_change", "member.remove"]).exists()


def test_second_admin_unlocks_the_first(team, team_admin, member):
    services.team_member_set_role(actor=team_admin, team=team, user=member, role="admin", origin=WEB)
    services.team_member_set_role(actor=team_admin, team=team, user=team_admin, role="member", origin=WEB)
    assert roles(team) == {member.email: "admin", team_admin.email: "member"}


def test_members_set_path_only_assigns_admin_or_member(team, team_admin, member):
    with pytest.raises(Invalid, match="only assign the admin or member role, not viewer"):
        services.team_member_set_role(
            actor=team_admin,
            team=team,
            user=member,
            role="viewer",
            origin=WEB,
            allowed_roles=MEMBERS_SET_ROLES,
        )
    assert roles(team)[member.email] == "member"


def test_collaborator_must_be_added_before_getting_a_role(team, team_admin, collaborator):
    with pytest.raises(NotFound, match="Add them to the team first"):
        services.team_member_set_role(
            actor=team_admin, team=team, user=collaborator, role="member", origin=WEB
        )
    assert collaborator.email not in roles(team)


def test_removed_member_keeps_grants_as_collaborator(team, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    revoked = services.team_member_remove(actor=team_admin, team=team, user=member, origin=WEB)
    assert revoked == []
    assert Grant.objects.filter(user=member, app=app).exists()
    member = User.objects.get(pk=member.pk)
    assert member.has_perm("apps.deploy_app", app)
    assert not member.has_perm("teams.view_team", team)
    assert member.has_perm("teams.list_apps_team", team)


def test_removal_can_revoke_grants_too(team, team_admin, member, app):
    other_team_app = AppFactory()
    GrantFactory(app=app, user=member, permissions="view,deploy")
    GrantFactory(app=other_team_app, user=member)
    revoked = services.team_member_remove(
        actor=team_admin, team=team, user=member, origin=WEB, revoke_grants=True
    )
    assert revoked == [app.name]
    assert list(Grant.objects.filter(user=member).values_list("app__name", flat=True)) == [
        other_team_app.name
    ]
    assert AuditEvent.objects.filter(action="grant.remove", target_email=member.email, app=app).exists()


def test_member_leaves_team(team, member):
    services.team_leave(actor=member, team=team, origin=WEB)
    assert member.email not in roles(team)
    assert AuditEvent.objects.get(action="member.remove").actor == member


def test_team_create_and_settings(team_admin):
    team = services.team_create(actor=team_admin, name="widgets", admin=team_admin, origin=WEB)
    assert roles(team) == {team_admin.email: "admin"}
    services.team_settings_update(
        actor=team_admin,
        team=team,
        origin=WEB,
        name="widgets-co",
        join_permissions=["deploy"],
        require_mfa=True,
    )
    team.refresh_from_db()
    assert (team.name, team.join_permissions, team.require_mfa) == ("widgets-co", {"view", "deploy"}, True)
    event = AuditEvent.objects.get(action="team.settings")
    assert event.before["name"] == "widgets" and event.after["join_permissions"] == ["view", "deploy"]


@pytest.mark.parametrize("name", ["ab", "Acme", "1team", "a" * 31, "acme_co"])
def test_bad_team_names_are_refused(team_admin, name):
    with pytest.raises(Invalid, match="lowercase letters"):
        services.team_create(actor=team_admin, name=name, admin=team_admin, origin=WEB)


def test_taken_team_name_is_a_conflict(team, team_admin):
    other = TeamFactory(name="other")
    MembershipFactory(team=other, user=team_admin, role="admin")
    with pytest.raises(Conflict, match="already taken"):
        services.team_settings_update(actor=team_admin, team=other, name="acme", origin=WEB)


def test_settings_need_admin(team, member):
    with pytest.raises(PermissionDenied):
        services.team_settings_update(actor=member, team=team, require_mfa=True, origin=WEB)


def test_failed_change_rolls_back_everything(team, team_admin, member, app, monkeypatch):
    GrantFactory(app=app, user=member)

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "record", explode)
    with pytest.raises(RuntimeError):
        services.team_member_remove(actor=team_admin, team=team, user=member, origin=WEB)
    assert roles(team)[member.email] == "member"


def test_unknown_user_for_set_and_remove(team, team_admin):
    with pytest.raises(NotFound, match="no account"):
        user_for_email("nobody@x.test")
    assert not User.objects.filter(email="nobody@x.test").exists()
    stranger = UserFactory(email="stranger@x.test")
    with pytest.raises(NotFound, match="is not a member of acme"):
        services.team_member_remove(actor=team_admin, team=team, user=stranger, origin=WEB)
