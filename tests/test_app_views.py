"""App pages through the test client: the catalog as an HTTP matrix, lock semantics, pencil edit, queries."""

from http import HTTPStatus

import pytest
from django.test import Client

from accessctl.models import AuditEvent
from apps.models import App, Grant
from tests.contract import expected_action
from tests.factories import (
    AppFactory,
    FormationFactory,
    GrantFactory,
    MembershipFactory,
    ReleaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}

# actor kind -> (team role, grant on the app)
ACTORS = {
    "admin": ("admin", None),
    "member": ("member", None),
    "member-view": ("member", "view"),
    "member-deploy": ("member", "view,deploy"),
    "member-operate": ("member", "view,operate"),
    "member-manage": ("member", "view,manage"),
    "viewer": ("viewer", None),
    "collab-view": (None, "view"),
    "collab-manage": (None, "view,manage"),
    "outsider": (None, None),
}

# catalog action -> (path, POST data or None for GET, audit action written on success)
ACTIONS = {
    "view_app": ("", None, None),
    "edit_config_app": ("settings/config/", {"key": "NEW_KEY", "value": "1"}, "config.update"),
    "deploy_release_app": ("deploy/", {"description": "Deploy abc"}, "release.create"),
    "rollback_app": ("rollback/", {"version": 1}, "release.rollback"),
    "restart_app": ("restart/", {}, "dynos.restart"),
    "scale_app": ("scale/", {"type": "web", "quantity": 2, "size": "Basic"}, "formation.scale"),
    "maintenance_app": ("maintenance/", {"enabled": "on"}, "app.maintenance"),
    "rename_app": ("settings/rename/", {"name": "renamed-app"}, "app.rename"),
    "delete_app": ("settings/delete/", {"confirm": "target"}, "app.delete"),
    "manage_access_app": ("access/add/", {"user": "new@x.test", "permissions": ["deploy"]}, "grant.add"),
    "lock_app": ("{lock}/", {}, "{lock_action}"),
    "manage_webhooks_app": (
        "settings/webhooks/add/",
        {"url": "http://127.0.0.1:9/hooks", "include": ["api:app"], "level": "notify"},
        "webhook.add",
    ),
}


def expected(kind, locked):
    role, grant = ACTORS[kind]
    if role == "admin":
        perms = {"view", "deploy", "operate", "manage"}
    elif grant:
        perms = set(grant.split(","))
    elif role:
        perms = {"view"}
    else:
        perms = set()
    return perms


def setup_case(team, kind, locked):
    app = AppFactory(team=team, name="target", locked=locked)
    FormationFactory(app=app)
    ReleaseFactory(app=app, version=1)
    ReleaseFactory(app=app, version=2)
    role, grant = ACTORS[kind]
    user = UserFactory(email=f"{kind}@case.test")
    if role:
        MembershipFactory(team=team, user=user, role=role)
    if grant:
        GrantFactory(app=app, user=user, permissions=grant)
    client = Client()
    client.force_login(user)
    return app, user, client


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
@pytest.mark.parametrize("kind", list(ACTORS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_catalog_http_matrix(team, team_admin, kind, locked, action):
    app, _user, client = setup_case(team, kind, locked)
    path, data, audit_action = ACTIONS[action]
    path = path.format(lock="unlock" if locked else "lock")
    audit_action = audit_action and audit_action.format(lock_action="app.unlock" if locked else "app.lock")
    perms = expected(kind, locked)
    allowed = expected_action(action, kind, perms, team_app=True)
    url = f"/apps/target/{path}"
    response = client.get(url) if data is None else client.post(url, data)
    if not perms:
        assert response.status_code == HTTPStatus.NOT_FOUND
    elif not allowed:
        assert response.status_code == HTTPStatus.FORBIDDEN
    else:
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    if audit_action:
        assert AuditEvent.objects.filter(action=audit_action).exists() is allowed
    if not allowed:
        app.refresh_from_db()
        assert (app.name, app.locked, app.maintenance, app.config_vars) == ("target", locked, False, {})
        assert not Grant.objects.filter(user__email="new@x.test").exists()


@pytest.mark.parametrize("kind", list(ACTORS))
def test_page_offers_only_allowed_actions(team, team_admin, kind):
    _app, _user, client = setup_case(team, kind, locked=False)
    perms = expected(kind, False)
    response = client.get("/apps/target/")
    if not perms:
        assert response.status_code == HTTPStatus.NOT_FOUND
        return
    html = response.content.decode()
    offers = {
        "deploy_release_app": "/apps/target/deploy/" in html,
        "rollback_app": "/apps/target/rollback/" in html,
        "restart_app": "/apps/target/restart/" in html,
        "scale_app": "/apps/target/scale/" in html,
        "maintenance_app": "/apps/target/maintenance/" in html,
    }
    assert offers == {action: expected_action(action, kind, perms, team_app=True) for action in offers}
    access = client.get("/apps/target/access/").content.decode()
    can_manage = bool(perms & {"manage"})
    assert ("Lock App" in access) is can_manage
    assert ("Add user" in access) is can_manage


# --- locking and joining ---------------------------------------------------------------------------------------


def test_member_joins_unlocked_app_with_join_permissions(client_as, team, member, app):
    team.join_permissions = "view,deploy,operate"
    team.save()
    html = client_as(member).get(f"/apps/{app.name}/access/").content.decode()
    assert "Join app" in html
    response = client_as(member).post(f"/apps/{app.name}/join/")
    assert response.status_code == HTTPStatus.FOUND
    assert Grant.objects.get(user=member, app=app).permissions == {"view", "deploy", "operate"}


def test_member_cannot_join_locked_app(client_as, member, locked_app):
    client = client_as(member)
    assert "Join app" not in client.get(f"/apps/{locked_app.name}/access/").content.decode()
    response = client.post(f"/apps/{locked_app.name}/join/")
    assert response.status_code == HTTPStatus.FORBIDDEN and "unlocked apps" in response.content.decode()
    assert not Grant.objects.filter(user=member).exists()


@pytest.mark.parametrize("who", ["viewer", "collaborator"])
def test_viewers_and_collaborators_cannot_join(request, client_as, app, who):
    user = request.getfixturevalue(who)
    assert client_as(user).post(f"/apps/{app.name}/join/").status_code == HTTPStatus.FORBIDDEN


def test_locking_keeps_grants_and_late_members_get_view_only(client_as, team, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    client_as(team_admin).post(f"/apps/{app.name}/lock/")
    app.refresh_from_db()
    assert app.locked
    assert (
        client_as(member).post(f"/apps/{app.name}/deploy/", {"description": "still works"}).status_code == 302
    )
    late = MembershipFactory(team=team, user=UserFactory(email="late@acme.test"), role="member").user
    client = client_as(late)
    assert client.get(f"/apps/{app.name}/").status_code == HTTPStatus.OK
    assert client.post(f"/apps/{app.name}/deploy/", {"description": "x"}).status_code == HTTPStatus.FORBIDDEN


def test_lock_button_over_htmx_returns_lock_panel(client_as, team_admin, app):
    response = client_as(team_admin).post(f"/apps/{app.name}/lock/", **HX)
    html = response.content.decode()
    assert 'id="lock-panel"' in html and "Unlock App" in html and "<html" not in html
    assert "access-changed" in response["HX-Trigger"]


def test_locking_a_locked_app_over_htmx_says_why(client_as, team_admin, locked_app):
    response = client_as(team_admin).post(f"/apps/{locked_app.name}/lock/", **HX)
    assert response.status_code == HTTPStatus.CONFLICT
    assert response["X-Error-Message"] == "This app is already locked."


def test_lock_state_shows_in_lists(client_as, member, locked_app):
    assert "(locked)" in client_as(member).get("/teams/acme/apps/").content.decode()
    assert "Locked" in client_as(member).get(f"/apps/{locked_app.name}/").content.decode()


# --- access page and pencil edit -------------------------------------------------------------------------------


def test_access_page_explains_access(client_as, team, team_admin, member, viewer, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    html = client_as(viewer).get(f"/apps/{app.name}/access/").content.decode()
    assert "admin (all permissions, from team role)" in html
    assert f'id="grant-{member.pk}"' in html
    assert "1 other team member can view this app" in html
    assert "Edit permissions of" not in html and "Add user" not in html


def test_grant_pencil_round_trip(client_as, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    client = client_as(team_admin)
    form = client.get(f"/apps/{app.name}/access/{member.pk}/edit/", **HX).content.decode()
    assert 'name="permissions" value="deploy"' in form and "checked disabled" in form
    saved = client.post(
        f"/apps/{app.name}/access/{member.pk}/edit/", {"permissions": ["operate", "manage"]}, **HX
    )
    row = saved.content.decode()
    assert f'<tr id="grant-{member.pk}">' in row and "chip-manage" in row and "chip-deploy" not in row
    assert Grant.objects.get(user=member).permissions == {"view", "operate", "manage"}
    event = AuditEvent.objects.get(action="grant.update")
    assert event.after == {"permissions": ["view", "operate", "manage"]} and event.source == "web"


def test_grant_pencil_with_unknown_permission_writes_nothing(client_as, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    response = client_as(team_admin).post(
        f"/apps/{app.name}/access/{member.pk}/edit/", {"permissions": ["root"]}, **HX
    )
    assert 'role="alert"' in response.content.decode()
    assert Grant.objects.get(user=member).permissions == {"view", "deploy"}
    assert not AuditEvent.objects.exists()


def test_admin_rows_are_not_editable(client_as, team_admin, app):
    response = client_as(team_admin).get(f"/apps/{app.name}/access/{team_admin.pk}/edit/")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_manage_holder_removes_own_manage(client_as, member, app):
    GrantFactory(app=app, user=member, permissions="view,manage")
    client = client_as(member)
    response = client.post(f"/apps/{app.name}/access/{member.pk}/edit/", {"permissions": ["deploy"]}, **HX)
    assert response.status_code == HTTPStatus.OK
    assert Grant.objects.get(user=member).permissions == {"view", "deploy"}
    assert (
        client_as(member).get(f"/apps/{app.name}/access/{member.pk}/edit/").status_code
        == HTTPStatus.FORBIDDEN
    )


def test_add_and_remove_user(client_as, team_admin, app):
    client = client_as(team_admin)
    client.post(f"/apps/{app.name}/access/add/", {"user": "pal@x.test", "permissions": ["deploy"]})
    grant = Grant.objects.get(user__email="pal@x.test")
    assert grant.permissions == {"view", "deploy"}
    client.post(f"/apps/{app.name}/access/{grant.user.pk}/remove/")
    assert not Grant.objects.filter(user__email="pal@x.test").exists()


def test_add_user_refuses_bad_input(client_as, team_admin, app, collaborator):
    client = client_as(team_admin)
    bad_email = client.post(f"/apps/{app.name}/access/add/", {"user": "nope", "permissions": []})
    assert bad_email.status_code == 422 and "Enter a valid email address." in bad_email.content.decode()
    again = client.post(f"/apps/{app.name}/access/add/", {"user": collaborator.email, "permissions": []})
    assert again.status_code == 422 and "already has access" in again.content.decode()


def test_leave_app(client_as, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    client_as(member).post(f"/apps/{app.name}/leave/")
    assert not Grant.objects.filter(user=member).exists()


# --- settings: config, rename, transfer, delete -------------------------------------------------------------------


def test_config_vars_need_deploy_or_manage(client_as, member, viewer, app):
    assert client_as(viewer).get(f"/apps/{app.name}/settings/").status_code == HTTPStatus.FORBIDDEN
    GrantFactory(app=app, user=member, permissions="view,deploy")
    client = client_as(member)
    client.post(f"/apps/{app.name}/settings/config/", {"key": "FOO", "value": "bar"})
    html = client.get(f"/apps/{app.name}/settings/").content.decode()
    assert 'id="config-FOO"' in html and "Rename" not in html
    client.post(f"/apps/{app.name}/settings/config/FOO/unset/")
    app.refresh_from_db()
    assert app.config_vars == {} and app.releases.count() == 2


def test_config_refuses_bad_key(client_as, team_admin, app):
    response = client_as(team_admin).post(
        f"/apps/{app.name}/settings/config/", {"key": "1-bad", "value": "x"}
    )
    assert response.status_code == 422 and "not a valid config var name" in response.content.decode()


def test_delete_needs_typed_name(client_as, team_admin, app):
    client = client_as(team_admin)
    wrong = client.post(f"/apps/{app.name}/settings/delete/", {"confirm": "other"})
    assert wrong.status_code == 422 and f"Type {app.name} exactly" in wrong.content.decode()
    assert App.objects.filter(pk=app.pk).exists()
    client.post(f"/apps/{app.name}/settings/delete/", {"confirm": app.name})
    assert not App.objects.filter(pk=app.pk).exists()


def test_transfer_personal_app_into_team(client_as, team, member):
    app = AppFactory(team=None, owner=member, name="mine")
    response = client_as(member).post("/apps/mine/settings/transfer/", {"recipient": "acme"})
    assert response.status_code == HTTPStatus.FOUND
    app.refresh_from_db()
    assert app.team == team


def test_create_app_in_team(client_as, team, member, viewer):
    response = client_as(member).post("/new-app/", {"name": "fresh-app", "team": "acme"})
    assert response.status_code == HTTPStatus.FOUND
    assert App.objects.get(name="fresh-app").team == team
    html = client_as(viewer).get("/new-app/").content.decode()
    assert "team acme" not in html


# --- query counts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 300])
def test_app_pages_query_counts_are_flat(client_as, django_assert_num_queries, team, team_admin, app, size):
    FormationFactory(app=app)
    for n in range(size):
        user = UserFactory()
        MembershipFactory(team=team, user=user, role="member")
        GrantFactory(app=app, user=user, permissions="view,deploy")
        ReleaseFactory(app=app, version=n + 1)
    client = client_as(team_admin)
    # Access: user, app (with its implicit-viewer count), access, the page of people (each with both grants),
    # the open requests (the queue and the viewer's own, SPEC 17). The session is read from the cache.
    for url, count in ((f"/apps/{app.name}/access/", 5), (f"/apps/{app.name}/", 5)):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == HTTPStatus.OK


# --- one transfer rule for the page, the API and the help page ----------------------------------------------


def test_a_manage_holder_who_is_not_admin_is_neither_offered_nor_allowed_a_team_transfer(
    client_as, team, member, app, outsider
):
    GrantFactory(app=app, user=member, permissions="view,manage")
    client = client_as(member)
    html = client.get(f"/apps/{app.name}/settings/").content.decode()
    assert "/settings/rename/" in html and "/settings/transfer/" not in html
    forced = client.post(f"/apps/{app.name}/settings/transfer/", {"recipient": outsider.email})
    assert forced.status_code == HTTPStatus.FORBIDDEN
    app.refresh_from_db()
    assert app.team == team and not AuditEvent.objects.filter(action="app.transfer").exists()


def test_team_admins_are_offered_the_transfer_and_the_help_page_says_who(client_as, team_admin, app):
    assert "/settings/transfer/" in client_as(team_admin).get(f"/apps/{app.name}/settings/").content.decode()
    help_page = client_as(team_admin).get("/help/permissions/").content.decode()
    assert "Transfer the app (a team app: only the team&#x27;s admins)" in help_page
