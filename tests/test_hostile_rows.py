"""Markup, quotes and ampersands in every field a row shows (name, e-mail, grant and request reasons, request
note) render escaped once on the pages whose rows are built in Python (``web.rows``, ``web.cells``): never raw,
never escaped twice."""

from datetime import timedelta
from html import escape

import pytest
from django.utils import timezone

from apps.models import AccessRequest, Grant
from tests.factories import AppFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = '<script>alert("name")</script> O\'Neil & Co'
EMAIL = "t'x&y@acme.test"
GIVER = "g'<i>&z@acme.test"
GRANT_WHY = "<img src=x onerror=alert(\"grant\")> & 'on call'"
ASK_WHY = "<b onmouseover=\"alert(1)\">ask</b> & 'why'"
NOTE = "</td><script>alert('note')</script> & \"q\""
DOUBLE = ("&amp;lt;", "&amp;gt;", "&amp;amp;", "&amp;quot;", "&amp;#x27;")


@pytest.fixture
def hostile(team, team_admin, app):
    person = UserFactory(email=EMAIL, name=NAME)
    MembershipFactory(team=team, user=person, role="member")
    giver = UserFactory(email=GIVER, name=NAME)
    MembershipFactory(team=team, user=giver, role="viewer")
    GrantFactory(app=app, user=person, permissions="view,deploy")
    Grant.objects.create(
        app=app,
        user=person,
        permissions="view,deploy,operate",
        granted_by=giver,
        reason=GRANT_WHY,
        expires_at=timezone.now() + timedelta(hours=3),
    )
    AccessRequest.objects.create(
        app=app, requester=giver, permissions="view,manage", reason=ASK_WHY, note=NOTE
    )
    AccessRequest.objects.create(
        app=app,
        requester=person,
        permissions="view,manage",
        reason=ASK_WHY,
        note=NOTE,
        status="denied",
        decided_by=giver,
        decided_at=timezone.now(),
    )
    AppFactory(team=None, owner=person, name="mine")
    return person


def assert_escaped_once(html, *texts):
    for text in texts:
        assert escape(text) in html, text
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", "<i>&z"):
        assert raw not in html
    assert [double for double in DOUBLE if double in html] == []


def test_team_access_rows(client_as, team_admin, hostile):
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    assert_escaped_once(html, NAME, EMAIL, GIVER)
    assert f'aria-label="Edit role of {escape(EMAIL)}"' in html


def test_app_access_rows_and_request_queue(client_as, team_admin, hostile):
    html = client_as(team_admin).get("/apps/myapp/access/").content.decode()
    assert_escaped_once(html, NAME, EMAIL, GIVER, GRANT_WHY, ASK_WHY)
    assert f'data-confirm="Remove {escape(EMAIL)} from myapp?"' in html
    assert f"<q>{escape(GRANT_WHY)}</q>" in html


def test_team_requests_rows(client_as, team_admin, hostile):
    html = client_as(team_admin).get("/teams/acme/requests/").content.decode()
    assert_escaped_once(html, GIVER, ASK_WHY)
    denied = client_as(team_admin).get("/teams/acme/requests/?status=denied").content.decode()
    assert_escaped_once(denied, EMAIL, GIVER, ASK_WHY, NOTE)


def test_home_rows(client_as, hostile):
    html = client_as(hostile).get("/").content.decode()
    assert 'id="app-mine"' in html and escape(EMAIL) in html
    assert_escaped_once(html, EMAIL)


def test_a_filter_value_or_a_refused_add_never_reaches_the_next_page_load(client_as, team_admin, app):
    """The Access pages' form fields are cached as HTML in their empty state: a value, an error or another
    session's form is never what the next page load shows."""
    client, other = client_as(team_admin), client_as(team_admin)
    typed = '"><script>alert("q")</script>'
    filtered = client.get("/teams/acme/access/", {"q": typed, "role": "bogus"}).content.decode()
    assert f'value="{escape(typed)}"' in filtered and "<script>alert" not in filtered
    refused = client.post("/teams/acme/access/add-member/", {"user": typed, "role": "member"})
    assert 'aria-invalid="true"' in refused.content.decode()
    refused = client.post("/apps/myapp/access/add/", {"user": typed, "permissions": ["view"]})
    assert 'aria-invalid="true"' in refused.content.decode()
    for html in (
        other.get("/teams/acme/access/").content.decode(),
        other.get("/apps/myapp/access/").content.decode(),
    ):
        assert (
            escape(typed) not in html and 'aria-invalid="true"' not in html and 'class="errorlist' not in html
        )
