"""Keyset pagination of the long lists: first and last page, links that keep the filters, flat query counts."""

import re
from datetime import timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.utils import timezone

from accessctl.audit.models import AuditEvent
from tests.factories import AppFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def rows(html, prefix):
    return re.findall(rf'<tr id="{prefix}-(\d+)"', html)


def link(html, rel):
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', html)
    return unescape(found.group(1)) if found else None


def walk(client, url, rel, prefix):
    """Follow ``rel`` links from ``url`` to the end; the row ids in page order, and the pages' HTML."""
    url, _, start = url.partition("?")
    seen, pages, query = [], [], f"?{start}"
    while query is not None:
        html = client.get(url + query).content.decode()
        pages.append(html)
        seen.append(rows(html, prefix))
        query = link(html, rel)
    return seen, pages


@pytest.fixture
def people(team, team_admin):
    users = [team_admin]
    for n in range(120):
        user = UserFactory(email=f"p{n:03d}@acme.test")
        MembershipFactory(team=team, user=user, role="viewer" if n % 3 else "member")
        users.append(user)
    return sorted(users, key=lambda user: user.email)


def test_next_links_walk_the_people_by_email_and_previous_links_walk_back(client_as, team_admin, people):
    client = client_as(team_admin)
    forward, pages = walk(client, "/teams/acme/access/", "next", "member")
    assert [len(page) for page in forward] == [50, 50, 21]
    assert [int(pk) for page in forward for pk in page] == [user.pk for user in people]
    assert 'rel="prev"' not in pages[0] and 'rel="next"' not in pages[-1]
    backward, _ = walk(client, "/teams/acme/access/?last=1", "prev", "member")
    assert [len(page) for page in backward] == [50, 50, 21]
    assert [int(pk) for page in reversed(backward) for pk in page] == [user.pk for user in people]


def test_the_last_page_holds_the_last_people(client_as, team_admin, people):
    html = client_as(team_admin).get("/teams/acme/access/", {"last": "1"}).content.decode()
    assert [int(pk) for pk in rows(html, "member")] == [user.pk for user in people[-50:]]
    assert link(html, "next") is None and link(html, "prev").startswith("?before=p070%40acme.test")


def test_links_keep_the_filters(client_as, team_admin, people):
    client = client_as(team_admin)
    forward, pages = walk(client, "/teams/acme/access/?role=viewer&q=p", "next", "member")
    viewers = [u.pk for u in people if u.email.startswith("p") and int(u.email[1:4]) % 3]
    assert [int(pk) for page in forward for pk in page] == viewers
    assert link(pages[0], "next").startswith("?role=viewer&q=p&after=")


def test_a_broken_cursor_shows_the_first_page(client_as, team_admin, people):
    response = client_as(team_admin).get("/teams/acme/access/", {"after": ""})
    assert response.status_code == HTTPStatus.OK and len(rows(response.content.decode(), "member")) == 50


@pytest.mark.parametrize("query", ["", "?after=p060%40acme.test", "?last=1", "?before=p070%40acme.test"])
def test_every_page_of_people_costs_the_same_queries(
    client_as, django_assert_num_queries, team_admin, people, query
):
    client = client_as(team_admin)
    # user, team (with its admin count and whether it has an app), access, the page, the invitations
    with django_assert_num_queries(5):
        assert client.get(f"/teams/acme/access/{query}").status_code == HTTPStatus.OK


@pytest.fixture
def events(team, team_admin):
    now = timezone.now()
    made = AuditEvent.objects.bulk_create(
        AuditEvent(
            team=team,
            team_name=team.name,
            action="app.lock" if n % 2 else "app.unlock",
            source="web",
            actor_label="admin@acme.test",
            created_at=now - timedelta(minutes=n // 3),  # three events share each time: the id breaks ties
        )
        for n in range(130)
    )
    return sorted(made, key=lambda e: (e.created_at, e.pk), reverse=True)


def test_the_audit_log_pages_newest_first_by_time_then_id(client_as, team_admin, events):
    client = client_as(team_admin)
    forward, _ = walk(client, "/teams/acme/audit/", "next", "event")
    assert [len(page) for page in forward] == [50, 50, 30]
    assert [int(pk) for page in forward for pk in page] == [event.pk for event in events]
    backward, _ = walk(client, "/teams/acme/audit/?last=1", "prev", "event")
    assert [int(pk) for page in reversed(backward) for pk in page] == [event.pk for event in events]


def test_audit_links_keep_the_filter(client_as, team_admin, events):
    client = client_as(team_admin)
    forward, pages = walk(client, "/teams/acme/audit/?action=app.lock", "next", "event")
    assert [int(pk) for page in forward for pk in page] == [e.pk for e in events if e.action == "app.lock"]
    assert link(pages[0], "next").startswith("?action=app.lock&after=")


@pytest.mark.parametrize("query", ["", "?last=1"])
def test_audit_pages_cost_the_same_queries(client_as, django_assert_num_queries, team_admin, events, query):
    client = client_as(team_admin)
    with django_assert_num_queries(4):
        assert client.get(f"/teams/acme/audit/{query}").status_code == HTTPStatus.OK


@pytest.fixture
def holders(team, team_admin):
    """An app with 110 grant holders (and the team's one admin), plus 7 members who see it by role only."""
    app = AppFactory(team=team, name="busy")
    listed = [team_admin]
    for n in range(110):
        user = UserFactory(email=f"g{n:03d}@acme.test")
        if n % 2:
            MembershipFactory(team=team, user=user, role="member")
        GrantFactory(app=app, user=user, permissions="view,deploy")
        if n % 10 == 0:  # a temporary grant beside the permanent one: still one row, with both
            GrantFactory(
                app=app,
                user=user,
                permissions="view,operate",
                expires_at=timezone.now() + timedelta(hours=2),
                reason=f"incident {n}",
            )
        listed.append(user)
    for n in range(7):
        MembershipFactory(team=team, user=UserFactory(email=f"m{n}@acme.test"), role="viewer")
    return app, sorted(listed, key=lambda user: user.email)


def test_app_access_pages_walk_admins_and_grant_holders_by_email(client_as, team_admin, holders):
    app, listed = holders
    client = client_as(team_admin)
    forward, pages = walk(client, f"/apps/{app.name}/access/", "next", "grant")
    assert [len(page) for page in forward] == [50, 50, 11]
    assert [int(pk) for page in forward for pk in page] == [user.pk for user in listed]
    backward, _ = walk(client, f"/apps/{app.name}/access/?last=1", "prev", "grant")
    assert [int(pk) for page in reversed(backward) for pk in page] == [user.pk for user in listed]
    for html in pages:  # the summary of people who see it by role only is on every page
        assert "All 7 other team members can view this app through their team role." in html
    assert sum(html.count('<span class="temporary"') for html in pages) == 11
    assert f'id="temporary-{listed[1].pk}"' in pages[0] and "<q>incident 0</q>" in pages[0]


def test_app_access_table_refreshes_the_page_it_shows(client_as, team_admin, holders):
    app, _ = holders
    html = client_as(team_admin).get(f"/apps/{app.name}/access/", {"last": "1"}).content.decode()
    assert f'hx-get="/apps/{app.name}/access/?last=1" hx-trigger="access-changed from:body"' in html


@pytest.mark.parametrize("query", ["", "?after=g050%40acme.test", "?last=1", "?before=g060%40acme.test"])
def test_every_page_of_app_access_costs_the_same_queries(
    client_as, django_assert_num_queries, team_admin, holders, query
):
    app, _ = holders
    client = client_as(team_admin)
    # user, app (with the implicit-viewer count), access, the page (both grants a row), the requests
    with django_assert_num_queries(5):
        assert client.get(f"/apps/{app.name}/access/{query}").status_code == HTTPStatus.OK


def test_the_people_list_holds_members_and_live_collaborators_only(
    client_as, team, team_admin, app, collaborator
):
    gone = UserFactory(email="gone@partner.test")
    GrantFactory(app=app, user=gone, permissions="view", expires_at=timezone.now() - timedelta(minutes=1))
    elsewhere = UserFactory(email="elsewhere@partner.test")
    GrantFactory(app=AppFactory(), user=elsewhere, permissions="view")
    for query in ("", "?last=1", "?role=collaborator"):
        html = client_as(team_admin).get(f"/teams/acme/access/{query}").content.decode()
        assert "collab@partner.test" in html, query
        assert "gone@partner.test" not in html and "elsewhere@partner.test" not in html, query
