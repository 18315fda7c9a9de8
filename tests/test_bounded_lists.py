"""Lists that grow with the team (issue 13): shown as keyset pages, or as the first few with a link to those pages.

Each paginated page: the second page shows the rows the first did not, the links keep the filters, and a page
costs the same queries at two sizes.
"""

import re
from datetime import timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.utils import timezone

from teams.models import Invitation

pytestmark = pytest.mark.django_db


def ids(html, prefix, pattern=r"[\w-]+"):
    return re.findall(rf'<tr id="{prefix}-({pattern})"', html)


def link(html, rel):
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', html)
    return unescape(found.group(1)) if found else None


def walk(client, url, prefix):
    """Follow the Next links from ``url``; the row ids of each page and the last page's HTML."""
    path, _, query = url.partition("?")
    pages, query = [], f"?{query}"
    while query is not None:
        html = client.get(path + query).content.decode()
        pages.append(ids(html, prefix))
        query = link(html, "next")
    return pages, html


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
