"""Team pages through the test client: what each role sees and may do, pencil edit, filters, audit CSV."""

import csv
import io
from http import HTTPStatus

import pytest
from django.test import Client

from accessctl.models import AuditEvent, User
from apps.models import Grant
from teams.models import Membership, Team
from tests.factories import AppFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def role_of(team, user):
    membership = Membership.objects.filter(team=team, user=user).first()
    return membership.role if membership else None


# --- who sees what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["team_admin", "member", "viewer"])
def test_access_page_lists_people_with_status(
    request, client_as, team, team_admin, member, viewer, collaborator, who
):
    html = client_as(request.getfixturevalue(who)).get("/teams/acme/access/").content.decode()
    for user in (team_admin, member, viewer, collaborator):
        assert f'id="member-{user.pk}"' in html
    assert "collaborator" in html and "MFA off" in html
    offers_editing = "Edit role of" in html and "Add member" in html and "Add collaborator" in html
    assert offers_editing is (who == "team_admin")


def test_collaborator_gets_404_on_team_pages_but_sees_their_apps(
    client_as, team, collaborator, app, locked_app
):
    client = client_as(collaborator)
    for url in ("/teams/acme/access/", "/teams/acme/settings/", "/teams/acme/audit/"):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    html = client.get("/teams/acme/apps/").content.decode()
    assert 'id="app-myapp"' in html and 'id="app-website-prod"' not in html


def test_outsider_gets_404_for_every_team_page(client_as, outsider, team):
    for url in ("/teams/acme/apps/", "/teams/acme/access/", "/teams/nope/apps/"):
        assert client_as(outsider).get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_members_and_viewers_are_refused_admin_pages(request, client_as, team, who):
    client = client_as(request.getfixturevalue(who))
    assert client.get("/teams/acme/settings/").status_code == HTTPStatus.FORBIDDEN
    assert client.get("/teams/acme/audit/").status_code == HTTPStatus.FORBIDDEN


def test_team_apps_page_marks_locks_and_offers_join_to_members(
    client_as, team, member, viewer, app, locked_app
):
    html = client_as(member).get("/teams/acme/apps/").content.decode()
    assert "(locked)" in html
    assert (
        f'action="/apps/{app.name}/join/"' in html and f'action="/apps/{locked_app.name}/join/"' not in html
    )
    assert "Create app" in html
    viewer_html = client_as(viewer).get("/teams/acme/apps/").content.decode()
    assert "/join/" not in viewer_html and "Create app" not in viewer_html


# --- forced requests change nothing --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "viewer", "collaborator", "outsider"])
def test_forced_member_changes_are_refused(request, client_as, team, team_admin, member, who):
    client = client_as(request.getfixturevalue(who))
    expected = {HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND}
    assert (
        client.post("/teams/acme/access/add-member/", {"user": "x@y.test", "role": "admin"}).status_code
        in expected
    )
    assert client.post(f"/teams/acme/access/{member.pk}/edit/", {"role": "admin"}).status_code in expected
    assert client.post(f"/teams/acme/access/{team_admin.pk}/remove/", {}).status_code in expected
    assert (
        client.post("/teams/acme/settings/", {"name": "hacked", "join_permissions": []}).status_code
        in expected
    )
    assert role_of(team, member) == "member" and role_of(team, team_admin) == "admin"
    assert not User.objects.filter(email="x@y.test").exists() and Team.objects.filter(name="acme").exists()
    assert not AuditEvent.objects.exists()


# --- pencil edit -----------------------------------------------------------------------------------------------


def test_pencil_round_trip(client_as, team, team_admin, member):
    client = client_as(team_admin)
    form = client.get(f"/teams/acme/access/{member.pk}/edit/", **HX)
    html = form.content.decode()
    assert form.status_code == HTTPStatus.OK and '<select name="role"' in html and "<html" not in html
    saved = client.post(f"/teams/acme/access/{member.pk}/edit/", {"role": "viewer"}, **HX)
    row = saved.content.decode()
    assert f'<tr id="member-{member.pk}">' in row and "role-viewer" in row and "<select" not in row
    assert "access-changed" in saved["HX-Trigger"]
    assert role_of(team, member) == "viewer"
    event = AuditEvent.objects.get(action="member.role_change")
    assert (event.source, event.before, event.after) == ("web", {"role": "member"}, {"role": "viewer"})
    cancel = client.get(f"/teams/acme/access/{member.pk}/row/", **HX).content.decode()
    assert f'<tr id="member-{member.pk}">' in cancel


def test_pencil_invalid_role_shows_error_in_row_and_writes_nothing(client_as, team, team_admin, member):
    response = client_as(team_admin).post(f"/teams/acme/access/{member.pk}/edit/", {"role": "owner"}, **HX)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK and 'role="alert"' in html and "owner is not one of" in html
    assert role_of(team, member) == "member" and not AuditEvent.objects.exists()


def test_last_admin_rule_shows_inline(client_as, team, team_admin):
    response = client_as(team_admin).post(
        f"/teams/acme/access/{team_admin.pk}/edit/", {"role": "member"}, **HX
    )
    html = response.content.decode()
    assert "acme must have at least one admin. Add another admin first." in html
    assert f'id="member-{team_admin.pk}" class="editing"' in html
    assert role_of(team, team_admin) == "admin"


def test_pencil_without_javascript(client_as, team, team_admin, member):
    client = client_as(team_admin)
    page = client.get(f"/teams/acme/access/{member.pk}/edit/")
    assert page.status_code == HTTPStatus.OK and "<html" in page.content.decode()
    response = client.post(f"/teams/acme/access/{member.pk}/edit/", {"role": "admin"})
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/teams/acme/access/"
    assert role_of(team, member) == "admin"


def test_csrf_is_enforced(team, team_admin, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team_admin)
    response = client.post(f"/teams/acme/access/{member.pk}/edit/", {"role": "viewer"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert role_of(team, member) == "member"


# --- add and remove ------------------------------------------------------------------------------------------


def test_add_member_and_collaborator(client_as, team, team_admin, app):
    client = client_as(team_admin)
    response = client.post("/teams/acme/access/add-member/", {"user": "new@acme.test", "role": "viewer"})
    assert response.status_code == HTTPStatus.FOUND
    assert role_of(team, User.objects.get(email="new@acme.test")) == "viewer"
    page = client.get("/teams/acme/access/").content.decode()
    assert "pending" in page
    client.post("/teams/acme/access/add-collaborator/", {"user": "pal@partner.test", "app": app.name})
    grant = Grant.objects.get(user__email="pal@partner.test")
    assert grant.app == app and grant.permissions == {"view"}


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("add-member/", {"user": "not-an-email", "role": "member"}, "Enter a valid email address."),
        ("add-member/", {"user": "ok@x.test", "role": "owner"}, "Select a valid choice."),
        ("add-collaborator/", {"user": "ok@x.test", "app": ""}, "This field is required."),
        ("add-collaborator/", {"user": "member@acme.test", "app": "myapp"}, "is a member of acme"),
    ],
)
def test_add_forms_refuse_bad_input(client_as, team, team_admin, member, app, url, data, message):
    response = client_as(team_admin).post(f"/teams/acme/access/{url}", data)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert message in response.content.decode()
    assert not User.objects.filter(email="ok@x.test").exists() and not Grant.objects.exists()


def test_remove_confirmation_lists_grants_and_revokes_by_default(client_as, team, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    client = client_as(team_admin)
    page = client.get(f"/teams/acme/access/{member.pk}/remove/").content.decode()
    assert (
        'id="remove-grants"' in page
        and app.name in page
        and 'name="revoke_grants"' in page
        and "checked" in page
    )
    client.post(f"/teams/acme/access/{member.pk}/remove/", {"revoke_grants": "on"})
    assert role_of(team, member) is None and not Grant.objects.filter(user=member).exists()


def test_remove_keeping_grants_leaves_a_collaborator(client_as, team, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    client_as(team_admin).post(f"/teams/acme/access/{member.pk}/remove/", {})
    assert role_of(team, member) is None and Grant.objects.filter(user=member).exists()


def test_remove_collaborator_revokes_team_grants(client_as, team, team_admin, collaborator):
    client_as(team_admin).post(f"/teams/acme/access/{collaborator.pk}/remove/", {})
    assert not Grant.objects.filter(user=collaborator).exists()


def test_leave_team(client_as, team, team_admin, member):
    assert client_as(member).post("/teams/acme/leave/").status_code == HTTPStatus.FOUND
    assert role_of(team, member) is None
    response = client_as(team_admin).post("/teams/acme/leave/", follow=True)
    assert "must have at least one admin" in response.content.decode()
    assert role_of(team, team_admin) == "admin"


# --- filters, pagination, query counts ------------------------------------------------------------------------


def test_filter_by_role_and_search(client_as, team, team_admin, member, viewer, collaborator):
    client = client_as(team_admin)
    html = client.get("/teams/acme/access/?role=viewer").content.decode()
    assert f'id="member-{viewer.pk}"' in html and f'id="member-{member.pk}"' not in html
    html = client.get("/teams/acme/access/?role=collaborator").content.decode()
    assert f'id="member-{collaborator.pk}"' in html and f'id="member-{viewer.pk}"' not in html
    partial = client.get(
        "/teams/acme/access/?q=member", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-table"
    )
    html = partial.content.decode()
    assert (
        "<html" not in html and f'id="member-{member.pk}"' in html and f'id="member-{viewer.pk}"' not in html
    )


def test_access_page_paginates_at_50(client_as, team, team_admin):
    for n in range(60):
        MembershipFactory(team=team, user=UserFactory(email=f"p{n:02d}@acme.test"))
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    assert html.count('<tr id="member-') == 50 and 'rel="next"' in html and 'rel="prev"' not in html


def test_page_links_keep_the_search_encoded(client_as, team, team_admin):
    for n in range(55):
        MembershipFactory(team=team, user=UserFactory(email=f"p{n:02d}+ops@acme.test"))
    html = client_as(team_admin).get("/teams/acme/access/", {"q": "+ops", "role": "member"}).content.decode()
    assert 'href="?q=%2Bops&amp;role=member&amp;after=p49%2Bops%40acme.test" rel="next"' in html
    assert 'href="?q=%2Bops&amp;role=member&amp;last=1" rel="last"' in html


@pytest.mark.parametrize("size", [5, 300])
def test_team_pages_query_counts_are_flat(client_as, django_assert_num_queries, team, team_admin, size):
    for n in range(size):
        user = UserFactory()
        MembershipFactory(team=team, user=user, role=("member", "viewer")[n % 2])
        app = AppFactory(team=team, locked=n % 3 == 0)
        GrantFactory(app=app, user=user, permissions="view,deploy")
    client = client_as(team_admin)
    # Access: user, team (with its admin count for the last-admin rule and whether it has an app for the
    # collaborator panel), access, the page of people, the pending invitations; home: user, access (which also
    # reads "your temporary access"), teams, apps, and the app transfers waiting for an answer. Sessions come
    # from the cache (cached_db), so no page pays a session query.
    for url, count in (("/teams/acme/access/", 5), ("/teams/acme/apps/", 4), ("/", 5)):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == HTTPStatus.OK


# --- settings and audit ------------------------------------------------------------------------------------------


def test_settings_rename_redirects_to_new_url(client_as, team, team_admin):
    response = client_as(team_admin).post(
        "/teams/acme/settings/", {"name": "acme-co", "join_permissions": ["deploy"], "require_mfa": "on"}
    )
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/teams/acme-co/settings/"
    team.refresh_from_db()
    assert (team.name, team.join_permissions, team.require_mfa) == ("acme-co", {"view", "deploy"}, True)


def test_settings_refuse_bad_name(client_as, team, team_admin):
    response = client_as(team_admin).post(
        "/teams/acme/settings/", {"name": "Bad Name", "join_permissions": []}
    )
    assert (
        response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
        and "lowercase letters" in response.content.decode()
    )
    team.refresh_from_db()
    assert team.name == "acme"


def test_audit_page_filters_and_csv(client_as, team, team_admin, member, app):
    client = client_as(team_admin)
    client.post(f"/teams/acme/access/{member.pk}/edit/", {"role": "viewer"})
    client.post("/teams/acme/access/add-member/", {"user": "new@acme.test", "role": "member"})
    html = client.get("/teams/acme/audit/?action=member.role_change").content.decode()
    assert html.count('<tr id="event-') == 1 and 'data-action="member.role_change">Role changed<' in html
    assert "Changed role of <strong>member@acme.test</strong> from" in html and "{'role'" not in html
    response = client.get("/teams/acme/audit/?target=new@acme.test&format=csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = [
        "time",
        "actor",
        "action",
        "description",
        "team",
        "app",
        "target",
        "before",
        "after",
        "source",
        "ip",
    ]
    assert rows[0] == header
    assert [(r[1], r[2], r[3], r[6], r[8]) for r in rows[1:]] == [
        ("admin@acme.test", "member.add", "Member added", "new@acme.test", '{"role": "member"}')
    ]


def test_audit_filter_rejects_reversed_dates(client_as, team, team_admin):
    html = client_as(team_admin).get("/teams/acme/audit/?since=2026-02-01&until=2026-01-01").content.decode()
    assert "The start date must be on or before the end date." in html
