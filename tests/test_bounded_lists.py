"""Lists that grow with the team (issue 13): shown as keyset pages, or as the first few with a link to those pages.

Each paginated page: the second page shows the rows the first did not, the links keep the filters, and a page
costs the same queries at two sizes.
"""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from accessctl.access import policy as p
from apps.models import AccessRequest, Grant
from teams.models import Invitation
from tests.factories import AppFactory, GrantFactory, UserFactory
from tests.paging import ids, link, members, walk

pytestmark = pytest.mark.django_db


# --- pending invitations ---------------------------------------------------------------------------------------


def invite(team, count, by=None):
    now = timezone.now()
    made = Invitation.objects.bulk_create(
        Invitation(
            team=team,
            email=f"i{n:03d}@new.test",
            role="member",
            invited_by=by,
            digest=f"{team.pk:04d}{n:060d}",
            expires_at=now + timedelta(days=7 if n % 4 else -1),
        )
        for n in range(count)
    )
    return [str(invitation.public_id) for invitation in sorted(made, key=lambda i: i.email)]


def test_the_access_page_shows_the_first_invitations_and_links_to_all(client_as, team, team_admin):
    invited = invite(team, 12, by=team_admin)
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    assert ids(html, "invitation") == invited[:10]
    assert 'href="/teams/acme/access/invitations/"' in html and "The first 10 pending invitations" in html


def test_a_few_invitations_show_whole_without_a_link(client_as, team, team_admin):
    invited = invite(team, 10)
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    assert ids(html, "invitation") == invited and 'href="/teams/acme/access/invitations/"' not in html


def test_the_invitations_page_pages_every_pending_invitation_by_email(client_as, team, team_admin, member):
    invited = invite(team, 120, by=team_admin)
    Invitation.objects.filter(email="i005@new.test").update(revoked_at=timezone.now())
    invited.pop(5)
    pages, last = walk(client_as(team_admin), "/teams/acme/access/invitations/", "invitation")
    assert [len(page) for page in pages] == [50, 50, 19]
    assert not set(pages[0]) & set(pages[1]) and [pk for page in pages for pk in page] == invited
    assert 'name="back" value="invitations"' in last and "Revoke" in last
    read_only = client_as(member).get("/teams/acme/access/invitations/").content.decode()
    assert ids(read_only, "invitation") == invited[:50] and "Revoke" not in read_only


def test_resend_and_revoke_from_the_invitations_page_return_there(client_as, team, team_admin):
    public_id = invite(team, 3, by=team_admin)[0]
    client = client_as(team_admin)
    response = client.post(f"/teams/acme/access/invitations/{public_id}/revoke/", {"back": "invitations"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/teams/acme/access/invitations/"
    assert client.get("/teams/acme/access/invitations/").content.decode().count('id="invitation-') == 2


@pytest.mark.parametrize("size", [3, 130])
@pytest.mark.parametrize("query", ["", "?after=i060%40new.test", "?last=1"])
def test_invitation_pages_cost_the_same_queries(
    client_as, django_assert_num_queries, team, team_admin, size, query
):
    invite(team, size, by=team_admin)
    client = client_as(team_admin)
    # user, team, access, the page of invitations
    with django_assert_num_queries(4):
        assert client.get(f"/teams/acme/access/invitations/{query}").status_code == HTTPStatus.OK
    # the Access page: user, team, access, the page of people, the first invitations
    with django_assert_num_queries(5):
        assert client.get("/teams/acme/access/").status_code == HTTPStatus.OK


# --- removing someone: their grants in the team ---------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 25])
def test_the_remove_page_names_the_first_grants_and_removal_revokes_them_all(
    client_as, django_assert_num_queries, team, team_admin, member, count
):
    for n in range(count):
        GrantFactory(app=AppFactory(team=team, name=f"g-{n:03d}"), user=member, permissions="view,deploy")
    client = client_as(team_admin)
    url = f"/teams/acme/access/{member.pk}/remove/"
    # user, team, access, the person, the first grants
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert html.count("<li><strong>g-") == min(count, 20) and ('id="more-grants"' in html) == (count > 20)
    client.post(url, {"revoke_grants": "on"})
    assert not Grant.objects.filter(user=member).exists()


# --- access requests: the team's Requests page and the app Access page's queue ---------------------------------


def ask(app, people, *, minutes=0):
    """One pending request by each of ``people`` on ``app``, the first the oldest (one minute apart)."""
    now = timezone.now() - timedelta(minutes=minutes)
    made = AccessRequest.objects.bulk_create(
        AccessRequest(
            app=app,
            requester=person,
            permissions="view,deploy",
            reason="on call",
            created_at=now - timedelta(minutes=len(people) - n),
        )
        for n, person in enumerate(people)
    )
    return [str(item.pk) for item in made]


def test_the_requests_page_pages_newest_first_and_keeps_the_filters(client_as, team, team_admin, app):
    other = AppFactory(team=team, name="other")
    people = members(team, 70)
    on_app, on_other = ask(app, people), ask(other, people, minutes=100)
    client = client_as(team_admin)
    pages, _ = walk(client, "/teams/acme/requests/", "request")
    assert [len(page) for page in pages] == [50, 50, 40]
    assert not set(pages[0]) & set(pages[1])
    assert [pk for page in pages for pk in page] == on_app[::-1] + on_other[::-1]
    pages, _ = walk(client, "/teams/acme/requests/?status=pending&app=myapp", "request")
    assert [pk for page in pages for pk in page] == on_app[::-1] and len(pages) == 2
    first = client.get("/teams/acme/requests/?status=pending&app=myapp").content.decode()
    assert link(first, "next").startswith("?status=pending&app=myapp&after=")
    assert 'href="?status=denied&amp;app=myapp"' in first and 'id="app-filter"' in first
    assert ids(client.get("/teams/acme/requests/?status=denied&app=myapp").content.decode(), "request") == []


def test_the_requests_page_shows_what_the_rules_let_each_person_decide_and_their_own(
    client_as, team, team_admin, app
):
    other = AppFactory(team=team, name="other")
    people = members(team, 6)
    manager, plain = people[0], people[1]
    GrantFactory(app=other, user=manager, permissions="view,manage")
    GrantFactory(app=app, user=plain, permissions="view,deploy")
    made = AccessRequest.objects.filter(pk__in=[*ask(app, people), *ask(other, people, minutes=10)])
    for viewer in (team_admin, manager, plain):
        client = client_as(viewer)
        html = client.get("/teams/acme/requests/").content.decode()
        expected = [
            str(item.pk)
            for item in made.order_by("-created_at", "-id")
            if item.requester_id == viewer.pk or viewer.has_perm(p.DECIDE_ACCESS_REQUEST, item)
        ]
        assert ids(html, "request") == expected and expected


@pytest.mark.parametrize("size", [4, 120])
def test_requests_pages_cost_the_same_queries(
    client_as, django_assert_num_queries, team, team_admin, app, size
):
    ask(app, members(team, size))
    client = client_as(team_admin)
    first = client.get("/teams/acme/requests/").content.decode()
    after = link(first, "next") or "?after=x"
    for query in ("", after, "?status=approved&app=myapp", "?last=1"):
        # user, team, access, the page of requests
        with django_assert_num_queries(4):
            assert client.get(f"/teams/acme/requests/{query}").status_code == HTTPStatus.OK


def queue(html):
    section = re.search(r'<section class="card" id="request-queue".*?</section>', html, re.S)
    return ids(section.group(0), "request") if section else []


def test_the_app_access_page_shows_the_oldest_waiting_requests_and_links_to_all(
    client_as, team, team_admin, app
):
    waiting = ask(app, members(team, 12))
    html = client_as(team_admin).get("/apps/myapp/access/").content.decode()
    assert queue(html) == waiting[:10]
    assert 'href="/teams/acme/requests/?status=pending&amp;app=myapp"' in html
    everything, _ = walk(client_as(team_admin), "/teams/acme/requests/?status=pending&app=myapp", "request")
    assert sorted(everything[0]) == sorted(waiting)


def test_a_short_queue_shows_whole_and_a_managers_own_request_stays_theirs(client_as, team, app):
    people = members(team, 12)
    manager = people[0]
    GrantFactory(app=app, user=manager, permissions="view,manage")
    waiting = ask(app, people)
    html = client_as(manager).get("/apps/myapp/access/").content.decode()
    assert f'id="my-request-{waiting[0]}"' in html and queue(html) == waiting[1:10]
    AccessRequest.objects.filter(pk__in=waiting[8:]).delete()
    html = client_as(manager).get("/apps/myapp/access/").content.decode()
    assert queue(html) == waiting[1:8] and "/teams/acme/requests/?status=pending" not in html


def test_a_collaborator_manager_is_not_sent_to_a_requests_page_they_cannot_open(client_as, team, app):
    collaborator = UserFactory(email="collab@partner.test")
    GrantFactory(app=app, user=collaborator, permissions="view,manage")
    waiting = ask(app, members(team, 12))
    client = client_as(collaborator)
    html = client.get("/apps/myapp/access/").content.decode()
    assert queue(html) == waiting[:10]
    assert client.get("/teams/acme/requests/?status=pending&app=myapp").status_code == HTTPStatus.NOT_FOUND
    assert "/teams/acme/requests/" not in html
    assert 'id="more-requests"' in html and "as these are decided" in html


@pytest.mark.parametrize("size", [2, 40])
def test_the_app_access_page_costs_the_same_queries_whatever_the_queue(
    client_as, django_assert_num_queries, team, team_admin, app, size
):
    ask(app, members(team, size))
    client = client_as(team_admin)
    # user, app (with the implicit-viewer count), access, the page of people, the oldest requests
    with django_assert_num_queries(5):
        assert client.get("/apps/myapp/access/").status_code == HTTPStatus.OK
