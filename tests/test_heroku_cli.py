"""The official Heroku CLI (heroku@11.10.0) driving accessctl end to end, over a live server on 127.0.0.1.

Each test runs the demo data, signs the CLI in with a role's API token, and checks what the CLI prints, its
exit code and what the database holds afterwards. Refusals must print our message and change nothing.
"""

import pytest

from accessctl.models import AuditEvent, User
from apps.models import App, Grant
from teams.models import Membership, Team
from tests.heroku_cli import demo_cli, run_heroku, table

pytestmark = [pytest.mark.cli, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def heroku(live_server, tmp_path):
    """``heroku(user_email, *args)`` runs the CLI as that demo user."""
    return demo_cli(live_server.url, tmp_path)


ADMIN, MEMBER, VIEWER, JOE, COLLAB = (
    "admin@acme.test",
    "member@acme.test",
    "viewer@acme.test",
    "joe@acme.com",
    "collab@partner.test",
)


def role(team, email):
    membership = Membership.objects.filter(team__name=team, user__email=email).first()
    return membership.role if membership else None


def perms(app, email):
    grant = Grant.objects.filter(app__name=app, user__email=email).first()
    return None if grant is None else sorted(grant.permissions)


# --- identity and teams -------------------------------------------------------------------------------------------


def test_whoami_and_bad_token(heroku, live_server, tmp_path):
    result = heroku(MEMBER, "auth:whoami")
    assert (result.code, result.out.strip()) == (0, MEMBER)
    bad = run_heroku(["auth:whoami"], home=tmp_path, url=live_server.url, token="actl_not-a-token")
    assert bad.code != 0 and "Invalid credentials provided." in bad.message


def test_teams_lists_my_teams_with_role(heroku):
    result = heroku(ADMIN, "teams")
    assert result.code == 0
    assert table(result.out) == [["Team", "Role"], ["acme", "admin"], ["acme-widgets", "admin"]]


def test_members_lists_everyone_with_role(heroku):
    result = heroku(VIEWER, "members", "--team", "acme")
    assert result.code == 0
    assert table(result.out) == [
        ["email", "role"],
        ["admin@acme.test", "admin"],
        ["collab@partner.test", "collaborator"],  # collaborators are listed, as Heroku lists them
        ["member@acme.test", "member"],
        ["viewer@acme.test", "viewer"],
    ]


# --- the seed documents' member session ------------------------------------------------------------------------------


def test_members_add_set_remove_seed_session(heroku):
    # The seed's session adds directly: invitations off (the demo turns them on for acme-widgets, SPEC 16).
    Team.objects.filter(name="acme-widgets").update(invite_acceptance=False)
    added = heroku(ADMIN, "members:add", "newbie@acme.com", "--team", "acme-widgets", "--role", "member")
    assert added.code == 0, added.err
    assert "Adding newbie@acme.com to acme-widgets as member... done" in added.err
    assert role("acme-widgets", "newbie@acme.com") == "member"
    promoted = heroku(ADMIN, "members:set", "joe@acme.com", "--team", "acme-widgets", "--role", "admin")
    assert promoted.code == 0 and "Adding joe@acme.com to acme-widgets as admin... done" in promoted.err
    assert role("acme-widgets", JOE) == "admin"
    removed = heroku(ADMIN, "members:remove", "joe@acme.com", "--team", "acme-widgets")
    assert removed.code == 0 and "Removing joe@acme.com from acme-widgets... done" in removed.err
    assert role("acme-widgets", JOE) is None
    sources = set(
        AuditEvent.objects.filter(team__name="acme-widgets", action__startswith="member.")
        .exclude(actor_label="system:demo")
        .values_list("source", flat=True)
    )
    assert sources == {"api"}


def test_member_cannot_add_members(heroku):
    result = heroku(JOE, "members:add", "x@acme.com", "--team", "acme-widgets", "--role", "member")
    assert result.code == 2 and "Inviting x@acme.com to acme-widgets as member... !" in result.err
    assert "You do not have permission" in result.message
    assert not User.objects.filter(email="x@acme.com").exists()


def test_last_admin_cannot_be_demoted(heroku):
    result = heroku(ADMIN, "members:set", ADMIN, "--team", "acme-widgets", "--role", "member")
    assert result.code == 2
    assert "acme-widgets must have at least one admin. Add another admin first." in result.message
    assert role("acme-widgets", ADMIN) == "admin"


def test_members_set_refuses_viewer_and_collaborators(heroku):
    viewer = heroku(ADMIN, "members:set", JOE, "--team", "acme-widgets", "--role", "viewer")
    assert viewer.code == 2 and "can only assign the admin or member role, not viewer" in viewer.message
    assert role("acme-widgets", JOE) == "member"
    collab = heroku(ADMIN, "members:set", COLLAB, "--team", "acme", "--role", "member")
    assert collab.code == 2 and "Add them to the team first (members:add)" in collab.message
    assert role("acme", COLLAB) is None


def test_collaborator_cannot_list_team_members(heroku):
    # 403 rather than 404: the CLI's `access` tolerates only a 403 from this endpoint (contract E5).
    result = heroku(COLLAB, "members", "--team", "acme")
    assert result.code == 2 and "Only members of acme can list its members." in result.message
    outsider = heroku(COLLAB, "members", "--team", "acme-widgets")
    assert outsider.code == 2 and "Couldn't find that team." in outsider.message


# --- access -----------------------------------------------------------------------------------------------------------


def test_access_lists_admins_and_grants(heroku):
    result = heroku(MEMBER, "access", "--app", "website-staging")
    assert result.code == 0, result.err
    assert table(result.out) == [
        ["email", "role", "permissions"],
        ["admin@acme.test", "admin", "deploy, manage, operate, view"],
        ["collab@partner.test", "collaborator", "view"],
        ["member@acme.test", "member", "deploy, view"],
    ]


def test_access_add_update_remove_seed_session(heroku):
    added = heroku(ADMIN, "access:add", JOE, "--app", "myapp", "--permissions", "deploy,manage,operate")
    assert added.code == 0, added.err
    assert (
        "Adding joe@acme.com access to the app myapp with deploy, manage, operate, view permissions... done"
        in added.err
    )
    assert perms("myapp", JOE) == ["deploy", "manage", "operate", "view"]
    updated = heroku(ADMIN, "access:update", JOE, "--app", "myapp", "--permissions", "deploy,operate")
    assert updated.code == 0
    assert (
        "Updating joe@acme.com in application myapp with deploy,operate,view permissions... done"
        in updated.err
    )
    assert perms("myapp", JOE) == ["deploy", "operate", "view"]
    removed = heroku(ADMIN, "access:remove", JOE, "--app", "myapp")
    assert removed.code == 0 and "Removing joe@acme.com access from the app myapp... done" in removed.err
    assert perms("myapp", JOE) is None


def test_access_update_without_manage_is_refused(heroku):
    result = heroku(MEMBER, "access:update", COLLAB, "--app", "website-staging", "--permissions", "deploy")
    assert result.code == 2 and "You do not have permission" in result.message
    assert perms("website-staging", COLLAB) == ["view"]


# --- apps, locking, joining ------------------------------------------------------------------------------------------


def test_locked_app_list_and_lock_unlock_seed_session(heroku):
    listing = heroku(MEMBER, "apps", "--team", "acme")
    assert listing.code == 0
    assert listing.out.split("\n\n")[0].strip() == "=== Apps in team acme"
    assert sorted(listing.out.split("\n\n")[1].split("\n")[:4]) == [
        "myapp [locked]",
        "test",
        "website-prod [locked]",
        "website-staging",
    ]
    locked = heroku(ADMIN, "apps:lock", "--app", "test")
    assert locked.code == 0 and "Locking test... done" in locked.err and App.objects.get(name="test").locked
    again = heroku(ADMIN, "apps:lock", "--app", "test")
    assert again.code == 1 and "This app is already locked." in again.message
    unlocked = heroku(ADMIN, "apps:unlock", "--app", "myapp")
    assert (
        unlocked.code == 0
        and "Unlocking myapp... done" in unlocked.err
        and not App.objects.get(name="myapp").locked
    )


def test_join_unlocked_app_but_not_locked_one(heroku):
    joined = heroku(MEMBER, "apps:join", "--app", "test")
    assert joined.code == 0 and "Joining test... done" in joined.err
    assert perms("test", MEMBER) == ["deploy", "manage", "operate", "view"]
    refused = heroku(MEMBER, "apps:join", "--app", "myapp")
    assert refused.code == 2 and "myapp is locked" in refused.message
    assert perms("myapp", MEMBER) is None
    left = heroku(MEMBER, "apps:leave", "--app", "test")
    assert left.code == 0 and "Leaving test... done" in left.err and perms("test", MEMBER) is None


def test_create_info_rename_destroy(heroku):
    created = heroku(MEMBER, "apps:create", "newapp", "--team", "acme")
    assert created.code == 0 and "Creating newapp... done" in created.err
    assert App.objects.get(name="newapp").team.name == "acme" and perms("newapp", MEMBER)
    info = heroku(MEMBER, "apps:info", "--app", "newapp")
    assert info.code == 0, info.err
    assert info.out.startswith("=== newapp") and "Owner:" in info.out and "acme@herokumanager.com" in info.out
    assert "Dynos:" in info.out and "web: 1" in info.out
    renamed = heroku(MEMBER, "apps:rename", "newapp2", "--app", "newapp")
    assert renamed.code == 0 and "Renaming newapp to newapp2... done" in renamed.err
    taken = heroku(MEMBER, "apps:create", "newapp2", "--team", "acme")
    assert taken.code == 2 and "Name is already taken" in taken.message
    destroyed = heroku(MEMBER, "apps:destroy", "--app", "newapp2", "--confirm", "newapp2")
    assert destroyed.code == 0 and "Destroying newapp2 (including all add-ons)... done" in destroyed.err
    assert not App.objects.filter(name__startswith="newapp").exists()


def test_viewer_cannot_create_apps_and_outsider_sees_nothing(heroku):
    created = heroku(VIEWER, "apps:create", "viewerapp", "--team", "acme")
    assert created.code == 2 and not App.objects.filter(name="viewerapp").exists()
    hidden = heroku(COLLAB, "apps:info", "--app", "myapp")
    assert hidden.code == 2 and "Couldn't find that app." in hidden.message


def test_transfer_team_app_to_another_team(heroku):
    result = heroku(ADMIN, "apps:transfer", "acme-widgets", "--app", "test")
    assert result.code == 0 and "Transferring test to acme-widgets... done" in result.err
    assert App.objects.get(name="test").team.name == "acme-widgets"


# --- config, dynos, releases, maintenance -------------------------------------------------------------------------


def test_config_set_get_unset(heroku):
    setting = heroku(MEMBER, "config:set", "FOO=bar", "QUX=hello world", "--app", "website-staging")
    assert setting.code == 0, setting.err
    assert "Setting FOO, QUX and restarting website-staging... done, v3" in setting.err
    assert "FOO: bar" in setting.out and "QUX: hello world" in setting.out
    assert heroku(MEMBER, "config:get", "FOO", "--app", "website-staging").out.strip() == "bar"
    shown = heroku(MEMBER, "config", "--app", "website-staging")
    assert "=== website-staging Config Vars" in shown.out and "LOG_LEVEL:" in shown.out
    unset = heroku(MEMBER, "config:unset", "FOO", "--app", "website-staging")
    assert unset.code == 0 and "Unsetting FOO and restarting website-staging... done, v4" in unset.err
    assert "FOO" not in App.objects.get(name="website-staging").config_vars


def test_config_needs_deploy_or_manage(heroku):
    result = heroku(VIEWER, "config", "--app", "website-staging")
    assert result.code == 2 and "Config vars need the deploy or manage permission." in result.message


def test_ps_scale_restart(heroku):
    shown = heroku(ADMIN, "ps", "--app", "test")
    assert shown.code == 0, shown.err
    assert "=== web (Basic): gunicorn app.wsgi (1)" in shown.out and "web.1: up" in shown.out
    scaled = heroku(ADMIN, "ps:scale", "web=2:Standard-1X", "--app", "test")
    assert scaled.code == 0 and "Scaling dynos... done, now running web at 2:Standard-1X" in scaled.err
    formation = App.objects.get(name="test").formation.get()
    assert (formation.quantity, formation.size) == (2, "Standard-1X")
    restarted = heroku(ADMIN, "ps:restart", "--app", "test")
    assert restarted.code == 0 and "Restarting all dynos on test... done" in restarted.err
    one = heroku(ADMIN, "ps:restart", "--app", "test", "--dyno-name", "web.2")
    assert one.code == 0 and "Restarting dyno web.2 on test... done" in one.err
    unknown = heroku(ADMIN, "ps:scale", "worker=1", "--app", "test")
    assert unknown.code == 2 and "No such process type worker" in unknown.message


def test_viewer_cannot_scale(heroku):
    result = heroku(VIEWER, "ps:scale", "web=3", "--app", "test")
    assert result.code == 2 and App.objects.get(name="test").formation.get().quantity == 1


def test_maintenance_on_off(heroku):
    assert heroku(ADMIN, "maintenance", "--app", "test").out.strip() == "off"
    on = heroku(ADMIN, "maintenance:on", "--app", "test")
    assert on.code == 0 and "Enabling maintenance mode for test... done" in on.err
    assert App.objects.get(name="test").maintenance
    assert heroku(ADMIN, "maintenance", "--app", "test").out.strip() == "on"
    off = heroku(ADMIN, "maintenance:off", "--app", "test")
    assert off.code == 0 and not App.objects.get(name="test").maintenance


def test_releases_and_rollback(heroku):
    listing = heroku(MEMBER, "releases", "--app", "website-staging")
    assert listing.code == 0, listing.err
    assert "=== website-staging Releases - Current: v2" in listing.out
    rows = table(listing.out)
    assert rows[1][0] == "v" and [row[0] for row in rows[2:]] == ["v2", "v1"]
    rolled = heroku(MEMBER, "releases:rollback", "--app", "website-staging")
    assert rolled.code == 0 and "Rolling back website-staging to v1... done, v3" in rolled.err
    app = App.objects.get(name="website-staging")
    assert app.releases.count() == 3 and app.config_vars == {}
