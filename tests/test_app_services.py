"""App services: grants, joining and locking (SPEC 6, 8, 9) and the guarded operations (SPEC 4)."""

import pytest
from django.core.exceptions import PermissionDenied

from accessctl.access.errors import Conflict, Invalid, NotFound
from accessctl.audit.log import Origin
from accessctl.identity.people import user_for_email
from accessctl.models import AuditEvent, User
from apps import operations, services, transfers
from apps.models import App, Grant
from teams.services import team_member_add
from tests.factories import (
    AppFactory,
    FormationFactory,
    GrantFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
API = Origin("api", "127.0.0.1")


def perms_of(user, app):
    grant = Grant.objects.filter(user=user, app=app).first()
    return None if grant is None else {str(p) for p in grant.permissions}


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_creating_a_team_app_grants_creator_everything(team, member):
    app = services.app_create(actor=member, name="newapp", team=team, origin=API)
    assert perms_of(member, app) == {"view", "deploy", "operate", "manage"}
    assert app.releases.count() == 1 and app.formation.get().type == "web"
    assert AuditEvent.objects.filter(action="app.create", app=app, team=team).exists()


@pytest.mark.parametrize("actor_fixture", ["viewer", "collaborator", "outsider"])
def test_only_admins_and_members_create_team_apps(request, team, actor_fixture):
    with pytest.raises(PermissionDenied):
        services.app_create(
            actor=request.getfixturevalue(actor_fixture), name="newapp", team=team, origin=API
        )
    assert not App.objects.filter(name="newapp").exists()


def test_app_name_taken_and_invalid(team, team_admin, app):
    with pytest.raises(Conflict, match="Name is already taken"):
        services.app_create(actor=team_admin, name=app.name, team=team, origin=API)
    with pytest.raises(Invalid, match="lowercase letters"):
        services.app_create(actor=team_admin, name="Bad_Name", team=team, origin=API)


def test_personal_app_belongs_to_its_creator(outsider):
    app = services.app_create(actor=outsider, name="mine", origin=API)
    assert app.owner == outsider and app.team is None
    assert outsider.has_perm("apps.manage_app", app)


def test_member_joins_unlocked_app_with_team_join_permissions(team, member, app):
    team.join_permissions = "view,deploy"
    team.save()
    services.app_join(actor=member, app=app, origin=API)
    assert perms_of(member, app) == {"view", "deploy"}
    assert fresh(member).has_perm("apps.deploy_app", app)
    assert AuditEvent.objects.get(action="app.join").target_user == member


def test_nobody_joins_a_locked_app(member, locked_app):
    with pytest.raises(Conflict, match="website-prod is locked"):
        services.app_join(actor=member, app=locked_app, origin=API)
    assert perms_of(member, locked_app) is None


@pytest.mark.parametrize("actor_fixture", ["viewer", "collaborator", "outsider", "team_admin"])
def test_viewers_collaborators_outsiders_and_admins_do_not_join(request, app, actor_fixture):
    actor = request.getfixturevalue(actor_fixture)
    with pytest.raises((PermissionDenied, Conflict)):
        services.app_join(actor=actor, app=app, origin=API)
    assert Grant.objects.filter(app=app).count() == (1 if actor_fixture == "collaborator" else 0)


def test_locking_keeps_grants_and_new_members_only_view(team, team_admin, app, member):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    services.app_lock(actor=team_admin, app=app, origin=API)
    app.refresh_from_db()
    assert app.locked and app.locked_by == team_admin
    assert fresh(member).has_perm("apps.deploy_app", app)
    team_member_add(
        actor=team_admin,
        team=team,
        user=user_for_email("late@acme.test", create=True),
        role="member",
        origin=API,
    )
    late = User.objects.get(email="late@acme.test")
    assert late.has_perm("apps.view_app", app)
    assert not late.has_perm("apps.deploy_app", app)
    assert not late.has_perm("apps.join_app", app)


def test_lock_twice_and_unlock_unlocked_are_errors(team_admin, app, locked_app):
    with pytest.raises(Conflict, match=r"This app is already locked\."):
        services.app_lock(actor=team_admin, app=locked_app, origin=API)
    with pytest.raises(Conflict, match=r"This app is not locked\."):
        services.app_unlock(actor=team_admin, app=app, origin=API)
    assert not AuditEvent.objects.filter(action__in=["app.lock", "app.unlock"]).exists()


def test_manage_holder_may_lock_and_unlock(app, member):
    GrantFactory(app=app, user=member, permissions="view,manage")
    services.app_lock(actor=member, app=app, origin=API)
    services.app_unlock(actor=fresh(member), app=app, origin=API)
    assert [e.action for e in AuditEvent.objects.order_by("id")] == ["app.lock", "app.unlock"]


@pytest.mark.parametrize("perms", ["view", "view,deploy", "view,operate", "view,deploy,operate"])
def test_lock_needs_manage(app, member, perms):
    GrantFactory(app=app, user=member, permissions=perms)
    with pytest.raises(PermissionDenied):
        services.app_lock(actor=member, app=app, origin=API)


def test_personal_apps_cannot_be_locked(outsider):
    app = AppFactory(team=None, owner=outsider)
    with pytest.raises(Invalid, match="Only team apps can be locked"):
        services.app_lock(actor=outsider, app=app, origin=API)


def test_grant_add_update_remove_round_trip(team_admin, app):
    grant = services.app_grant_add(
        actor=team_admin,
        app=app,
        user=user_for_email("bob@x.test", create=True),
        permissions=["deploy"],
        origin=API,
    )
    assert grant.permissions == {"view", "deploy"}
    services.app_grant_update(
        actor=team_admin,
        app=app,
        user=user_for_email("bob@x.test", create=True),
        permissions=["operate"],
        origin=API,
    )
    assert perms_of(grant.user, app) == {"view", "operate"}
    services.app_grant_remove(
        actor=team_admin, app=app, user=user_for_email("bob@x.test", create=True), origin=API
    )
    assert perms_of(grant.user, app) is None
    events = list(AuditEvent.objects.order_by("id").values_list("action", "before", "after"))
    assert events == [
        ("grant.add", None, {"permissions": ["view", "deploy"]}),
        ("grant.update", {"permissions": ["view", "deploy"]}, {"permissions": ["view", "operate"]}),
        ("grant.remove", {"permissions": ["view", "operate"]}, None),
    ]


def test_manage_holder_can_drop_own_manage(app, member):
    GrantFactory(app=app, user=member, permissions="view,manage")
    services.app_grant_update(actor=member, app=app, user=member, permissions=["deploy"], origin=API)
    member = fresh(member)
    assert not member.has_perm("apps.manage_access_app", app)
    with pytest.raises(PermissionDenied):
        services.app_grant_update(actor=member, app=app, user=member, permissions=["manage"], origin=API)


def test_grant_refusals(team_admin, app, collaborator):
    with pytest.raises(Conflict, match="already has access"):
        services.app_grant_add(actor=team_admin, app=app, user=collaborator, origin=API)
    with pytest.raises(Conflict, match="is an admin of acme"):
        services.app_grant_add(actor=team_admin, app=app, user=team_admin, origin=API)
    newcomer = UserFactory(email="new@x.test")
    with pytest.raises(Invalid, match="Unknown permission 'fly'"):
        services.app_grant_add(actor=team_admin, app=app, user=newcomer, permissions=["fly"], origin=API)
    assert not Grant.objects.filter(user=newcomer).exists()
    with pytest.raises(NotFound, match="is not a collaborator"):
        services.app_grant_update(actor=team_admin, app=app, user=team_admin, permissions=[], origin=API)


@pytest.mark.parametrize("perms", ["view", "view,deploy", "view,operate"])
def test_grant_management_needs_manage(app, member, perms):
    GrantFactory(app=app, user=member, permissions=perms)
    with pytest.raises(PermissionDenied):
        services.app_grant_add(
            actor=member, app=app, user=user_for_email("x@x.test", create=True), origin=API
        )


def test_personal_app_collaborators_get_view_deploy_operate(outsider):
    app = AppFactory(team=None, owner=outsider)
    grant = services.app_grant_add(
        actor=outsider,
        app=app,
        user=user_for_email("pal@x.test", create=True),
        permissions=["manage"],
        origin=API,
    )
    assert grant.permissions == {"view", "deploy", "operate"}
    with pytest.raises(Invalid, match="only be set on team apps"):
        services.app_grant_update(
            actor=outsider,
            app=app,
            user=user_for_email("pal@x.test", create=True),
            permissions=["deploy"],
            origin=API,
        )


def test_leave_app(app, member):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    services.app_leave(actor=member, app=app, origin=API)
    assert perms_of(member, app) is None
    with pytest.raises(NotFound):
        services.app_leave(actor=fresh(member), app=app, origin=API)


def test_rename_and_delete_need_manage(app, member, team_admin):
    with pytest.raises(PermissionDenied):
        services.app_rename(actor=member, app=app, name="other", origin=API)
    services.app_rename(actor=team_admin, app=app, name="renamed", origin=API)
    assert AuditEvent.objects.get(action="app.rename").after == {"name": "renamed"}
    services.app_delete(actor=team_admin, app=app, origin=API)
    assert not App.objects.filter(pk=app.pk).exists()
    assert AuditEvent.objects.get(action="app.delete").app_name == "renamed"


def test_transfer_personal_app_into_team_keeps_owner_grant(team, member):
    app = AppFactory(team=None, owner=member)
    transfers.app_transfer_create(actor=member, app=app, recipient=team, origin=API)
    app.refresh_from_db()
    assert app.team == team and app.owner is None
    assert perms_of(member, app) == {"view", "deploy", "operate", "manage"}


def test_viewer_cannot_transfer_into_team(team, viewer):
    app = AppFactory(team=None, owner=viewer)
    with pytest.raises(PermissionDenied):
        transfers.app_transfer_create(actor=viewer, app=app, recipient=team, origin=API)


def test_team_app_out_to_user_needs_admin_and_drops_grants(team_admin, app, member):
    GrantFactory(app=app, user=member, permissions="view,manage")
    bob = UserFactory(email="bob@x.test")
    with pytest.raises(PermissionDenied):
        transfers.app_transfer_create(actor=member, app=app, recipient=bob, origin=API)
    transfers.app_transfer_create(actor=team_admin, app=app, recipient=bob, origin=API)
    app.refresh_from_db()
    assert app.owner == bob and app.team is None and not app.grants.exists()
    assert AuditEvent.objects.get(action="app.transfer").after == {"owner": "bob@x.test"}


def test_team_app_to_another_team_needs_admin_of_both(team, team_admin, app):
    beta = TeamFactory(name="beta")
    with pytest.raises(PermissionDenied):
        transfers.app_transfer_create(actor=team_admin, app=app, recipient=beta, origin=API)
    MembershipFactory(team=beta, user=team_admin, role="admin")
    transfers.app_transfer_create(actor=fresh(team_admin), app=app, recipient=beta, origin=API)
    app.refresh_from_db()
    assert app.team == beta


def test_config_update_makes_a_release_and_audits_keys_only(team_admin, app):
    release = operations.app_config_update(
        actor=team_admin, app=app, changes={"FOO": "secret", "BAR": "x"}, origin=API
    )
    assert release.description == "Set FOO and BAR config vars"
    operations.app_config_update(actor=team_admin, app=app, changes={"FOO": None, "NOPE": None}, origin=API)
    app.refresh_from_db()
    assert app.config_vars == {"BAR": "x"}
    assert "secret" not in str(list(AuditEvent.objects.values_list("before", "after")))


@pytest.mark.parametrize("changes", [{"1BAD": "x"}, {"FOO": 3}, {}])
def test_config_update_refuses_bad_input(team_admin, app, changes):
    with pytest.raises(Invalid):
        operations.app_config_update(actor=team_admin, app=app, changes=changes, origin=API)
    assert app.releases.count() == 0


def test_release_and_rollback(team_admin, app, member):
    operations.app_config_update(actor=team_admin, app=app, changes={"A": "1"}, origin=API)
    operations.app_config_update(actor=team_admin, app=app, changes={"A": "2"}, origin=API)
    GrantFactory(app=app, user=member, permissions="view,operate")
    rollback = operations.app_rollback(actor=member, app=app, version=1, origin=API)
    app.refresh_from_db()
    assert (rollback.version, rollback.description, app.config_vars) == (3, "Rollback to v1", {"A": "1"})
    with pytest.raises(PermissionDenied):
        operations.app_release_create(actor=member, app=app, description="Deploy", origin=API)


def test_scale_restart_maintenance(team_admin, app):
    FormationFactory(app=app, type="web", quantity=1)
    operations.app_scale(
        actor=team_admin,
        app=app,
        updates=[{"type": "web", "quantity": "+2", "size": "standard-1x"}],
        origin=API,
    )
    web = app.formation.get()
    assert (web.quantity, web.size) == (3, "Standard-1X")
    assert operations.app_restart(actor=team_admin, app=app, origin=API) == 3
    assert operations.app_restart(actor=team_admin, app=app, dyno="web.2", origin=API) == 1
    with pytest.raises(NotFound):
        operations.app_restart(actor=team_admin, app=app, dyno="web.9", origin=API)
    with pytest.raises(NotFound, match="No such process type worker"):
        operations.app_scale(
            actor=team_admin, app=app, updates=[{"type": "worker", "quantity": "1"}], origin=API
        )
    with pytest.raises(Invalid, match="Unknown dyno size"):
        operations.app_scale(actor=team_admin, app=app, updates=[{"type": "web", "size": "Huge"}], origin=API)
    operations.app_maintenance_set(actor=team_admin, app=app, enabled=True, origin=API)
    app.refresh_from_db()
    assert app.maintenance


@pytest.mark.parametrize(
    ("perms", "allowed"),
    [
        ("view", set()),
        ("view,deploy", {"config", "release", "rollback"}),
        ("view,operate", {"rollback", "restart", "scale", "maintenance"}),
        ("view,manage", {"config", "scale", "maintenance"}),
    ],
)
def test_operations_follow_the_catalog(app, member, perms, allowed):
    GrantFactory(app=app, user=member, permissions=perms)
    FormationFactory(app=app)
    calls = {
        "config": lambda: operations.app_config_update(actor=member, app=app, changes={"X": "1"}, origin=API),
        "release": lambda: operations.app_release_create(actor=member, app=app, description="d", origin=API),
        "rollback": lambda: operations.app_rollback(actor=member, app=app, version=1, origin=API),
        "restart": lambda: operations.app_restart(actor=member, app=app, origin=API),
        "scale": lambda: operations.app_scale(
            actor=member, app=app, updates=[{"type": "web", "quantity": "2"}], origin=API
        ),
        "maintenance": lambda: operations.app_maintenance_set(
            actor=member, app=app, enabled=True, origin=API
        ),
    }
    operations.app_release_create(actor=fresh_admin(app), app=app, description="v1", origin=API)
    for name, call in calls.items():
        if name in allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


def fresh_admin(app):
    return User.objects.get(memberships__team=app.team, memberships__role="admin")
