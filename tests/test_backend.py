"""``user.has_perm`` on real rows agrees with the rules, costs at most two queries cold and none warm."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accessctl.access import policy
from accessctl.access.facts import forget_access
from accessctl.access.policy import TeamRole
from apps.models import App
from apps.selectors import app_rows_for, apps_visible_to
from apps.selectors_access import app_access_rows, with_implicit_viewers
from tests.contract import CATALOG, GRANT_SETS, KINDS, expected_action, expected_perms
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

APP_PERM_STRINGS = [f"apps.{perm}_app" for perm in ("view", "deploy", "operate", "manage")]


def build(kind, grant, team_app, locked):
    team = TeamFactory()
    user = UserFactory(is_active=kind != "inactive")
    if kind in ("admin", "member", "viewer"):
        MembershipFactory(team=team, user=user, role=kind)
    if kind == "inactive":
        MembershipFactory(team=team, user=user, role=TeamRole.MEMBER)
    if team_app:
        app = AppFactory(team=team, locked=locked)
    else:
        app = AppFactory(team=None, owner=user if kind == "owner" else UserFactory())
    if grant is not None:
        GrantFactory(app=app, user=user, permissions=",".join(grant))
    return user, app


DB_CASES = [
    pytest.param(
        kind,
        grant,
        team_app,
        id=f"{kind}-{'nogrant' if grant is None else '+'.join(sorted(grant))}-"
        f"{'team' if team_app else 'personal'}",
    )
    for kind in KINDS
    for grant in GRANT_SETS
    for team_app in (True, False)
    if not (kind == "owner" and team_app)
]


@pytest.mark.parametrize(("kind", "grant", "team_app"), DB_CASES)
def test_has_perm_matches_spec(kind, grant, team_app):
    user, app = build(kind, grant, team_app, locked=team_app)
    want = expected_perms(kind, grant, team_app)
    for perm in ("view", "deploy", "operate", "manage"):
        assert user.has_perm(f"apps.{perm}_app", app) is (perm in want), perm
    for codename in CATALOG:
        allowed = expected_action(codename, kind, want, team_app)
        assert user.has_perm(f"apps.{codename}", app) is allowed, codename


def test_cold_check_costs_one_query_and_warm_none(django_assert_num_queries, member, app):
    other = AppFactory(team=app.team)
    with django_assert_num_queries(1):
        assert member.has_perm(policy.VIEW_APP, app)
    with django_assert_num_queries(0):
        assert not member.has_perm(policy.DEPLOY_APP, app)
        assert member.has_perm(policy.JOIN_APP, other)
        assert member.has_perm(policy.CREATE_APP_TEAM, app.team)


def test_unknown_codename_raises_in_strict_mode_and_denies_otherwise(team_admin, app, settings):
    with pytest.raises(ImproperlyConfigured, match=r"Unknown permission 'apps\.fly_app'"):
        team_admin.has_perm("apps.fly_app", app)
    settings.ACCESSCTL_STRICT_PERMISSIONS = False
    assert not team_admin.has_perm("apps.fly_app", app)


def test_a_known_permission_on_the_wrong_kind_of_object_denies(team_admin, app):
    assert not team_admin.has_perm(policy.MANAGE_MEMBERS, app)
    assert not team_admin.has_perm(policy.MANAGE_APP, app.team)
    assert not team_admin.has_perm(policy.MANAGE_APP, object())


def test_without_object_model_permissions_come_from_groups(db):
    support = UserFactory(is_staff=True)
    assert not support.has_perm("apps.view_app")
    support.groups.add(Group.objects.get(name="support"))
    support = type(support).objects.get(pk=support.pk)
    assert support.has_perm("apps.view_app")
    assert support.has_perm("apps.lock_app")
    assert not support.has_perm("apps.change_app")
    assert not support.has_perm("teams.change_membership")


def test_support_group_holds_no_object_rights(team, app):
    support = UserFactory(is_staff=True)
    support.groups.add(Group.objects.get(name="support"))
    assert not support.has_perm(policy.VIEW_APP, app)
    assert not support.has_perm(policy.LOCK_APP, app)


def test_superuser_passes_every_check_as_django_defines(app):
    root = UserFactory(is_superuser=True)
    assert root.has_perm(policy.MANAGE_APP, app)
    root.is_active = False
    assert not root.has_perm(policy.MANAGE_APP, app)


def test_deactivated_user_loses_access_at_once(member, app):
    assert member.has_perm(policy.VIEW_APP, app)
    member.is_active = False
    assert not member.has_perm(policy.VIEW_APP, app)


def test_forget_access_reloads_facts(member, app):
    assert not member.has_perm(policy.DEPLOY_APP, app)
    GrantFactory(app=app, user=member, permissions="view,deploy")
    assert not member.has_perm(policy.DEPLOY_APP, app), "cached for the request"
    forget_access(member)
    assert member.has_perm(policy.DEPLOY_APP, app)


def test_model_permissions_for_catalog_strings_exist():
    codenames = set(
        Permission.objects.filter(content_type__app_label="apps").values_list("codename", flat=True)
    )
    assert {"view_app", "deploy_app", "operate_app", "manage_app", "lock_app"} <= codenames


# --- selectors agree with has_perm --------------------------------------------------------------------------


@pytest.fixture
def mixed_world(db):
    """Two teams, personal apps, locked and unlocked apps, every kind of user."""
    acme, beta = TeamFactory(name="acme"), TeamFactory(name="beta")
    users = {
        name: UserFactory(email=f"{name}@example.test")
        for name in ("admin", "member", "viewer", "collab", "outsider", "owner", "gone", "both")
    }
    MembershipFactory(team=acme, user=users["admin"], role="admin")
    MembershipFactory(team=acme, user=users["member"], role="member")
    MembershipFactory(team=acme, user=users["viewer"], role="viewer")
    MembershipFactory(team=beta, user=users["both"], role="admin")
    MembershipFactory(team=acme, user=users["both"], role="viewer")
    MembershipFactory(team=acme, user=users["gone"], role="member")
    users["gone"].is_active = False
    users["gone"].save()
    apps = [
        AppFactory(team=acme, name="open-app"),
        AppFactory(team=acme, name="locked-app", locked=True),
        AppFactory(team=beta, name="beta-app"),
        AppFactory(team=None, owner=users["owner"], name="owned-app"),
        AppFactory(team=None, owner=users["member"], name="member-own"),
    ]
    GrantFactory(app=apps[1], user=users["member"], permissions="view,operate")
    GrantFactory(app=apps[2], user=users["collab"], permissions="view,manage")
    GrantFactory(app=apps[3], user=users["collab"], permissions="view")
    GrantFactory(app=apps[0], user=users["viewer"], permissions="view,deploy")
    return users, apps


def test_apps_visible_to_agrees_with_has_perm(mixed_world):
    users, _apps = mixed_world
    for user in users.values():
        visible = {app.pk for app in apps_visible_to(user)}
        for app in App.objects.all():
            assert (app.pk in visible) is user.has_perm(policy.VIEW_APP, app), (user.email, app.name)


def test_app_rows_give_the_same_permissions_as_has_perm(mixed_world):
    users, _ = mixed_world
    for user in users.values():
        for row in app_rows_for(user, apps_visible_to(user)):
            for perm in policy.PERM_ORDER:
                assert (perm in row.perms) is user.has_perm(f"apps.{perm}_app", row.app)


def test_app_access_rows_agree_with_has_perm(mixed_world):
    users, _apps = mixed_world
    for app in App.objects.select_related("team", "owner"):
        listed = {row.user.pk: row for row in app_access_rows(app).rows}
        for user in users.values():
            fresh = type(user).objects.get(pk=user.pk)
            perms = {perm for perm in policy.PERM_ORDER if fresh.has_perm(f"apps.{perm}_app", app)}
            if user.pk in listed:
                assert set(listed[user.pk].perms) == perms, (user.email, app.name)
            else:
                # Not listed: no access, or view through team role only (counted, not listed).
                assert perms <= {policy.AppPerm.VIEW}, (user.email, app.name)


def test_app_access_rows_explain_reasons(mixed_world):
    _users, _apps = mixed_world
    rows = {row.user.email: row for row in app_access_rows(App.objects.get(name="open-app")).rows}
    assert rows["admin@example.test"].role == "admin" and rows["admin@example.test"].reason == "admin role"
    assert rows["viewer@example.test"].role == "viewer" and rows["viewer@example.test"].reason == "grant"
    summary = app_access_rows(App.objects.get(name="open-app"))
    # member@ and both@ see it through their role; gone@ is inactive; viewer@ holds a grant (listed).
    assert summary.implicit_viewers == 2
    personal = {row.user.email: row for row in app_access_rows(App.objects.get(name="owned-app")).rows}
    assert personal["owner@example.test"].role == "owner"
    assert personal["collab@example.test"].perms == ["view", "deploy", "operate"]


@pytest.mark.parametrize("size", [10, 300])
def test_selectors_cost_the_same_queries_whatever_the_size(size, django_assert_num_queries):
    team = TeamFactory()
    user = MembershipFactory(team=team, role="member").user
    apps = AppFactory.create_batch(size, team=team)
    for app in apps[: size // 2]:
        GrantFactory(app=app, user=user, permissions="view,deploy")
    for n in range(size):
        MembershipFactory(team=team, role="viewer" if n % 2 else "admin")
    app = App.objects.select_related("team", "owner").get(pk=apps[0].pk)
    with django_assert_num_queries(2):
        rows = app_rows_for(user, apps_visible_to(user))
        assert len(rows) == size
    with django_assert_num_queries(2):  # the people, each with role and grants; the implicit-viewer count
        assert len(app_access_rows(app).rows) == size // 2 + 1  # the admins and the one grant holder


ROLE_OF = {
    "admin": "admin",
    "viewer": "viewer",
    "gone": "member",
    "permanent": "member",
    "temporary": "member",
    "expired": "member",
    "elsewhere": "member",
}


def test_implicit_viewers_count_members_without_a_live_grant():
    team = TeamFactory()
    app = AppFactory(team=team)
    now = timezone.now()
    people = {name: MembershipFactory(team=team, role=role).user for name, role in ROLE_OF.items()}
    people["gone"].is_active = False
    people["gone"].save()
    GrantFactory(app=app, user=people["permanent"])
    GrantFactory(app=app, user=people["temporary"], expires_at=now + timedelta(hours=1))
    GrantFactory(app=app, user=people["expired"], expires_at=now - timedelta(minutes=1))
    GrantFactory(app=AppFactory(team=team), user=people["elsewhere"])
    # counted: the viewer, the member whose temporary grant ended, the member with a grant on another app only
    assert app_access_rows(App.objects.get(pk=app.pk)).implicit_viewers == 3
    assert with_implicit_viewers(App.objects.filter(pk=app.pk)).get().implicit_viewers == 3
    # the same count inside another query (the annotated queryset relabelled as a subquery)
    inner = with_implicit_viewers(App.objects.all()).filter(implicit_viewers=3).values("pk")
    assert list(App.objects.filter(pk__in=inner)) == [app]
