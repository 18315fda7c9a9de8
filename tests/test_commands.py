"""Management commands: thin wrappers over the services, audited with source ``command``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accessctl.models import AuditEvent, User
from apps.models import App, Grant
from teams.models import Membership, Team

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_loads_spec_data_idempotently_and_prints_logins():
    first = run("demo")
    events = AuditEvent.objects.count()
    second = run("demo")
    assert first == second and "accessctl-demo" in first
    for email in (
        "admin@acme.test",
        "member@acme.test",
        "viewer@acme.test",
        "joe@acme.com",
        "support@accessctl.test",
    ):
        assert email in first
    assert AuditEvent.objects.count() == events
    roles = set(Membership.objects.values_list("team__name", "user__email", "role"))
    assert roles == {
        ("acme", "admin@acme.test", "admin"),
        ("acme", "member@acme.test", "member"),
        ("acme", "viewer@acme.test", "viewer"),
        ("acme-widgets", "admin@acme.test", "admin"),
        ("acme-widgets", "joe@acme.com", "member"),
    }
    assert set(App.objects.filter(locked=True).values_list("name", flat=True)) == {"myapp", "website-prod"}
    grants = {(g.user.email, g.app.name, ",".join(sorted(g.permissions))) for g in Grant.objects.all()}
    assert grants == {
        ("member@acme.test", "website-staging", "deploy,view"),
        ("collab@partner.test", "website-staging", "view"),
    }
    for app in App.objects.all():
        assert app.releases.count() == 2 and app.formation.get().quantity == 1 and app.config_vars
    support = User.objects.get(email="support@accessctl.test")
    assert support.is_staff and not support.is_superuser and support.groups.filter(name="support").exists()
    assert User.objects.get(email="member@acme.test").check_password("accessctl-demo")


def test_listapps_matches_the_seed_output():
    run("demo")
    assert run("listapps", "--team", "acme").splitlines() == [
        "=== Apps in team acme",
        "myapp (locked)",
        "test",
        "website-prod (locked)",
        "website-staging",
    ]


def test_createteam_and_member_commands():
    assert "Created team acme-widgets" in run("createteam", "acme-widgets", "--admin", "boss@acme.test")
    out = run("members", "add", "joe@acme.com", "--team", "acme-widgets", "--role", "member")
    assert out.strip() == "Adding joe@acme.com to acme-widgets as member... done"
    run("members", "set", "joe@acme.com", "--team", "acme-widgets", "--role", "admin")
    assert Membership.objects.get(user__email="joe@acme.com").role == "admin"
    assert run("members", "remove", "joe@acme.com", "--team", "acme-widgets").strip() == (
        "Removing joe@acme.com from acme-widgets... done"
    )
    assert set(AuditEvent.objects.values_list("source", flat=True)) == {"command"}
    assert AuditEvent.objects.filter(action="member.remove", actor_label="system").exists()


def test_command_errors_are_clear():
    run("createteam", "acme", "--admin", "boss@acme.test")
    with pytest.raises(CommandError, match="acme must have at least one admin"):
        run("members", "remove", "boss@acme.test", "--team", "acme")
    with pytest.raises(CommandError, match="Couldn't find a team named nope"):
        run("members", "add", "x@y.test", "--team", "nope", "--role", "member")
    with pytest.raises(CommandError, match="lowercase letters"):
        run("createteam", "Bad Name", "--admin", "boss@acme.test")
    assert Team.objects.count() == 1


def test_access_and_lock_commands():
    run("demo")
    out = run("access", "add", "joe@acme.com", "--app", "myapp", "--permissions", "deploy,manage,operate")
    assert (
        out.strip()
        == "Adding joe@acme.com access to the app myapp with deploy, manage, operate, view permissions... done"
    )
    run("access", "update", "joe@acme.com", "--app", "myapp", "--permissions", "deploy")
    assert Grant.objects.get(user__email="joe@acme.com").permissions == {"view", "deploy"}
    run("access", "remove", "joe@acme.com", "--app", "myapp")
    assert run("lockapp", "test").strip() == "Locking test... done"
    assert run("lockapp", "test", "--unlock").strip() == "Unlocking test... done"
    with pytest.raises(CommandError, match=r"This app is already locked\."):
        run("lockapp", "myapp")


def test_makesupport_and_apitoken_commands():
    run("demo")
    assert "is now support staff" in run("makesupport", "joe@acme.com")
    joe = User.objects.get(email="joe@acme.com")
    assert joe.is_staff and joe.has_perm("apps.view_app") and not joe.is_superuser
    token = run("apitoken", "joe@acme.com").strip()
    assert token.startswith("actl_") and joe.api_tokens.count() == 1
    with pytest.raises(CommandError, match="no active account"):
        run("apitoken", "nobody@x.test")
