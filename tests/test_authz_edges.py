"""Identifier swaps and stale authority: what the sweep's one request per actor cannot show.

Swaps: the rival team's admin names acme's people and apps in the path, the body and the query of routes on
their own team; nothing of acme's is reached or changed. Stale authority: a form opened before a demotion, a
removed or deactivated user's session and token, a join after the lock; each is refused on the next request.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from accessctl.audit.log import COMMAND, Origin
from accessctl.identity.tokens import api_token_create
from apps.services import app_grant_update, app_set_locked
from teams.models import Membership
from teams.services import team_member_add, team_member_remove
from tests.api_client import ACCEPT
from tests.world import build_world, snapshot


@pytest.fixture
def world(db):
    return build_world()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user):
    raw = api_token_create(actor=user, name="edge", origin=COMMAND)[1]
    client = Client(HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --- identifier swaps ---------------------------------------------------------------------------------------


def test_page_swaps_never_reach_another_teams_objects(world):
    rival = signed_in(world.user("rival_admin"))
    target, member = world.user("target"), world.user("member")
    before = snapshot()
    answers = [
        rival.get(f"/teams/rival/access/{member.pk}/edit/"),
        rival.post(f"/teams/rival/access/{member.pk}/edit/", {"role": "viewer"}),
        rival.post(f"/teams/rival/access/{member.pk}/remove/", {}),
        rival.get(f"/teams/rival/access/{member.pk}/row/"),
        rival.get(f"/apps/rival-shop/access/{target.pk}/edit/"),
        rival.post(f"/apps/rival-shop/access/{target.pk}/edit/", {"permissions": ["view", "manage"]}),
        rival.get(f"/apps/rival-shop/access/{target.pk}/row/"),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    removal = rival.post(f"/apps/rival-shop/access/{target.pk}/remove/")  # a button: refusal as a message
    assert removal.status_code == HTTPStatus.FOUND
    assert snapshot() == before


def test_api_swaps_in_path_and_body_never_reach_another_teams_objects(world):
    rival = api_client(world.user("rival_admin"))
    before = {k: v for k, v in snapshot().items() if k != "ApiToken" and k != "AuditEvent"}
    answers = {
        "remove acme member via rival": rival.delete("/teams/rival/members/member@acme.test"),
        "edit acme grant via rival app": rival.patch(
            "/teams/apps/rival-shop/collaborators/target@partner.test",
            '{"permissions": ["view", "manage"]}',
            content_type="application/json",
        ),
        "remove acme grant via rival app": rival.delete("/apps/rival-shop/collaborators/target@partner.test"),
        "transfer acme app": rival.post(
            "/account/app-transfers", '{"app": "shop", "recipient": "rival"}', content_type="application/json"
        ),
        "create app in acme": rival.post(
            "/teams/apps", '{"name": "sneaky", "team": "acme"}', content_type="application/json"
        ),
        "lock acme app by id": rival.patch(
            f"/teams/apps/{world.app.public_id}", '{"locked": true}', content_type="application/json"
        ),
        "read acme by id": rival.get(f"/apps/{world.app.public_id}"),
        "acme members": rival.get("/teams/acme/members"),
    }
    assert {name: a.status_code for name, a in answers.items() if a.status_code not in (404, 422)} == {}
    after = {k: v for k, v in snapshot().items() if k != "ApiToken" and k != "AuditEvent"}
    assert after == before


def test_query_swaps_show_only_the_own_teams_audit(world, api):
    api(world.user("admin"), "PATCH", "/apps/shop/config-vars", {"SECRET_NAME": "x"})
    rival = signed_in(world.user("rival_admin"))
    for query in ({"app": "shop"}, {"target": "target@partner.test"}, {"actor": "admin@acme.test"}):
        page = rival.get("/teams/rival/audit/", query)
        assert page.status_code == HTTPStatus.OK
        csv = b"".join(rival.get("/teams/rival/audit/", {**query, "format": "csv"}).streaming_content)
        assert b"SECRET_NAME" not in page.content, query
        assert csv.count(b"\n") == 1, (query, csv)  # the header only: the rival team has no events


# --- stale authority ----------------------------------------------------------------------------------------


def test_a_form_opened_before_a_demotion_is_refused_when_saved(world):
    second = world.user("member")
    team_member_add(
        actor=world.user("admin"), team=world.team, user=second, role="admin", origin=Origin("web")
    )
    client = signed_in(second)
    target = world.user("member_view")
    assert (
        client.get(f"/teams/acme/access/{target.pk}/edit/").status_code == HTTPStatus.OK
    )  # the form is open
    team_member_add(
        actor=world.user("admin"), team=world.team, user=second, role="member", origin=Origin("web")
    )
    before = snapshot()
    saved = client.post(f"/teams/acme/access/{target.pk}/edit/", {"role": "admin"})
    assert saved.status_code == HTTPStatus.FORBIDDEN
    assert snapshot() == before


def test_a_pencil_edit_saved_after_losing_manage_is_refused(world):
    manager = world.user("member_manage")
    client = signed_in(manager)
    target = world.user("target")
    assert client.get(f"/apps/shop/access/{target.pk}/edit/").status_code == HTTPStatus.OK
    app_grant_update(
        actor=world.user("admin"), app=world.app, user=manager, permissions=["view"], origin=Origin("web")
    )
    before = snapshot()
    saved = client.post(f"/apps/shop/access/{target.pk}/edit/", {"permissions": ["view", "manage"]})
    assert saved.status_code == HTTPStatus.FORBIDDEN and snapshot() == before


def test_a_pencil_edit_after_the_lock_is_decided_on_the_current_rules(world):
    """Locking changes no existing authority (SPEC 6): a manage holder's edit still saves; a join does not."""
    manager = signed_in(world.user("member_manage"))
    joiner = signed_in(world.user("member"))
    target = world.user("target")
    assert manager.get(f"/apps/shop/access/{target.pk}/edit/").status_code == HTTPStatus.OK
    app_set_locked(actor=world.user("admin"), app=world.app, locked=True, origin=Origin("web"))
    saved = manager.post(f"/apps/shop/access/{target.pk}/edit/", {"permissions": ["view", "operate"]})
    assert saved.status_code == HTTPStatus.FOUND
    before = snapshot()
    assert joiner.post("/apps/shop/join/").status_code == HTTPStatus.FORBIDDEN
    assert snapshot() == before


def test_a_removed_members_session_and_token_lose_the_team_at_once(world):
    member = world.user("member_deploy")
    client, api = signed_in(member), api_client(member)
    assert client.get("/teams/acme/access/").status_code == HTTPStatus.OK
    assert api.get("/teams/acme/members").status_code == HTTPStatus.OK
    team_member_remove(actor=world.user("admin"), team=world.team, user=member, origin=Origin("web"))
    assert not Membership.objects.filter(user=member, team=world.team).exists()
    # Their grant on shop stays (they become a collaborator), so they still see shop, but no longer the team.
    assert client.get("/teams/acme/access/").status_code == HTTPStatus.NOT_FOUND
    assert api.get("/teams/acme/members").status_code == HTTPStatus.FORBIDDEN
    assert (
        client.post("/apps/shop/settings/config/", {"key": "X", "value": "y"}).status_code == HTTPStatus.FOUND
    )


def test_a_deactivated_users_session_and_token_stop_working(world):
    admin = world.user("admin")
    client, api = signed_in(admin), api_client(admin)
    assert client.get("/teams/acme/access/").status_code == HTTPStatus.OK
    type(admin).objects.filter(pk=admin.pk).update(is_active=False)
    before = snapshot()
    page = client.post("/apps/shop/lock/")
    assert page.status_code == HTTPStatus.FOUND and page["Location"].startswith("/accounts/login/")
    assert (
        api.patch("/teams/apps/shop", '{"locked": true}', content_type="application/json").status_code == 401
    )
    assert snapshot() == before
