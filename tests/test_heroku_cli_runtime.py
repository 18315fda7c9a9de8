"""The Heroku CLI (heroku@11.10.0) end to end for issue 15's transfer and runtime commands: ``apps:transfer``
(to a person: pending until they accept; into a team: at once), ``releases:info``, ``ps:stop``, ``ps:kill``
and ``ps:scale`` of one process type, over a live server with the demo data.
"""

import pytest

from accessctl.models import AuditEvent, User
from apps.models import App, AppTransfer, Grant
from tests.api_client import api_caller
from tests.heroku_cli import demo_cli

pytestmark = [pytest.mark.cli, pytest.mark.django_db(transaction=True)]

ADMIN, MEMBER, VIEWER, JOE = "admin@acme.test", "member@acme.test", "viewer@acme.test", "joe@acme.com"


@pytest.fixture
def heroku(live_server, tmp_path):
    """``heroku(user_email, *args)`` runs the CLI as that demo user."""
    return demo_cli(live_server.url, tmp_path)


def person(email):
    return User.objects.get(email=email)


def stops():
    return list(AuditEvent.objects.filter(action="dynos.stop").order_by("pk").values_list("after", flat=True))


def test_transfer_to_a_person_waits_until_they_accept_through_the_api(heroku, client):
    created = heroku(MEMBER, "apps:create", "member-own")
    assert created.code == 0, created.err
    offered = heroku(MEMBER, "apps:transfer", JOE, "--app", "member-own")
    assert offered.code == 0, offered.err
    assert "Initiating transfer of member-own to joe@acme.com... email sent" in offered.err
    assert App.objects.get(name="member-own").owner.email == MEMBER
    assert AppTransfer.objects.get(app__name="member-own").state == "pending"
    answer = api_caller(client)(
        person(JOE), "PATCH", "/account/app-transfers/member-own", {"state": "accepted"}
    )
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"
    info = heroku(JOE, "apps:info", "--app", "member-own")
    assert info.code == 0 and "Owner:" in info.out and JOE in info.out
    assert sorted(Grant.objects.get(app__name="member-own", user__email=MEMBER).permissions) == [
        "deploy",
        "operate",
        "view",
    ]


def test_transfer_to_a_person_accepted_on_the_home_page(heroku, client):
    heroku(MEMBER, "apps:create", "member-gift")
    assert heroku(MEMBER, "apps:transfer", JOE, "--app", "member-gift").code == 0
    transfer = AppTransfer.objects.get(app__name="member-gift")
    client.force_login(person(JOE))
    assert f"/transfers/{transfer.public_id}/accept/" in client.get("/").content.decode()
    client.post(f"/transfers/{transfer.public_id}/accept/")
    assert App.objects.get(name="member-gift").owner.email == JOE


def test_transfer_a_personal_app_into_the_team(heroku):
    assert heroku(MEMBER, "apps:create", "member-solo").code == 0
    moved = heroku(MEMBER, "apps:transfer", "acme", "--app", "member-solo")
    assert moved.code == 0, moved.err
    assert "Transferring member-solo to acme... done" in moved.err
    app = App.objects.get(name="member-solo")
    assert app.team.name == "acme" and app.owner is None
    listed = heroku(MEMBER, "apps", "--team", "acme")
    assert "member-solo" in listed.out


def test_a_viewer_cannot_transfer_a_personal_app_into_the_team(heroku):
    assert heroku(VIEWER, "apps:create", "viewer-solo").code == 0
    refused = heroku(VIEWER, "apps:transfer", "acme", "--app", "viewer-solo")
    assert refused.code != 0 and "You do not have permission to do this" in refused.message
    assert App.objects.get(name="viewer-solo").team is None


def test_releases_info_shows_the_release_and_its_config_vars(heroku):
    latest = heroku(MEMBER, "releases:info", "--app", "website-staging")
    assert latest.code == 0, latest.err
    assert "=== Release v2" in latest.out and "=== v2 Config vars" in latest.out
    assert "Eligible for Rollback?: Yes" in latest.out and "LOG_LEVEL:" in latest.out
    first = heroku(MEMBER, "releases:info", "v1", "--app", "website-staging")
    assert (
        first.code == 0
        and "=== Release v1" in first.out
        and "Change:                 Initial release" in first.out
    )
    assert "By:                     system@accessctl.invalid" in first.out  # the demo's own release
    shell = heroku(MEMBER, "releases:info", "2", "--app", "website-staging", "--shell")
    assert shell.code == 0 and "LOG_LEVEL=" in shell.out


def test_releases_info_needs_deploy_for_the_config_vars(heroku):
    refused = heroku(VIEWER, "releases:info", "--app", "website-staging")
    assert refused.code != 0 and "Config vars need the deploy or manage permission." in refused.message


def test_ps_stop_and_ps_kill(heroku):
    one = heroku(ADMIN, "ps:stop", "--app", "test", "--dyno-name", "web.1")
    assert one.code == 0 and "Stopping dyno web.1 on test... done" in one.err
    every = heroku(ADMIN, "ps:kill", "--app", "test", "--process-type", "web")
    assert every.code == 0 and "Stopping all web dynos on test... done" in every.err
    assert stops() == [
        {"dyno": "web.1", "type": "web", "count": 1},
        {"dyno": None, "type": "web", "count": 1},
    ]
    unknown = heroku(ADMIN, "ps:stop", "--app", "test", "--dyno-name", "web.5")
    assert unknown.code != 0 and "Couldn't find the dyno web.5 on test." in unknown.message
    assert heroku(ADMIN, "ps", "--app", "test").out.count("web.1: up") == 1


def test_a_viewer_cannot_stop_dynos(heroku):
    refused = heroku(VIEWER, "ps:stop", "--app", "test", "--process-type", "web")
    assert refused.code != 0 and "You do not have permission to do this (restart app)." in refused.message
    assert stops() == []


def test_ps_scale_one_process_type_absolutely_and_relatively(heroku):
    up = heroku(ADMIN, "ps:scale", "web=3", "--app", "test")
    assert up.code == 0 and "Scaling dynos... done, now running web at 3:Basic" in up.err
    down = heroku(ADMIN, "ps:scale", "web-1", "--app", "test")
    assert down.code == 0 and "now running web at 2:Basic" in down.err
    shown = heroku(ADMIN, "ps:scale", "--app", "test")
    assert shown.out.strip() == "web=2:Basic"
    assert App.objects.get(name="test").formation.get().quantity == 2
