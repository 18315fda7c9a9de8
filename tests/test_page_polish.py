"""The defects of issue 14 through the test client: what a person reads on the pages."""

import re
from collections import Counter
from http import HTTPStatus

import pytest

from accessctl.access import policy as p
from accessctl.models import AuditEvent
from teams.models import Membership
from tests.factories import AppFactory, GrantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "admins", "last"),
    [("admin", 1, True), ("admin", 2, False), ("member", 1, False), ("viewer", 0, False), (None, 1, False)],
)
def test_is_last_admin(role, admins, last):
    assert p.is_last_admin(role=role, admins=admins) is last
    assert p.can_change_role_of(role=role, admins=admins) is not last


def role_of(team, user):
    return Membership.objects.get(team=team, user=user).role


def test_add_member_asks_before_changing_an_existing_role(client_as, team, team_admin, viewer):
    client = client_as(team_admin)
    asked = client.post("/teams/acme/access/add-member/", {"user": viewer.email, "role": "admin"})
    html = asked.content.decode()
    assert (
        asked.status_code == HTTPStatus.OK and "viewer@acme.test is already viewer; change to admin?" in html
    )
    assert role_of(team, viewer) == "viewer" and not AuditEvent.objects.exists()
    done = client.post(
        "/teams/acme/access/add-member/", {"user": viewer.email, "role": "admin", "confirm": "1"}, follow=True
    )
    assert "Changed role of viewer@acme.test from viewer to admin." in done.content.decode()
    assert role_of(team, viewer) == "admin"


def test_add_member_with_the_same_role_says_so(client_as, team, team_admin, viewer):
    page = client_as(team_admin).post(
        "/teams/acme/access/add-member/", {"user": viewer.email, "role": "viewer"}, follow=True
    )
    assert "viewer@acme.test is already a member (viewer); nothing changed." in page.content.decode()
    assert not AuditEvent.objects.exists()


def test_last_admin_row_offers_no_pencil_or_remove(client_as, team, team_admin, member):
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    row = html[html.index(f'<tr id="member-{team_admin.pk}">') :]
    row = row[: row.index("</tr>")]
    assert "The last admin of acme" in row and "disabled" in row
    assert f"/access/{team_admin.pk}/edit/" not in row and f"/access/{team_admin.pk}/remove/" not in row
    assert f"/access/{member.pk}/edit/" in html
    remove_page = client_as(team_admin).get(f"/teams/acme/access/{team_admin.pk}/remove/").content.decode()
    assert (
        'type="submit" class="button danger solid"' not in remove_page
        and "The last admin of acme" in remove_page
    )


def test_access_page_has_no_duplicate_ids(client_as, team, team_admin, app):
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1]
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert all(ids[i] for i in described)


def test_settings_show_view_always_on_and_no_dangling_descriptions(client_as, team, team_admin):
    html = client_as(team_admin).get("/teams/acme/settings/").content.decode()
    assert re.search(r'id="perm-join-view" checked disabled', html)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for target in re.findall(r'aria-describedby="([^"]+)"', html):
        assert all(t in ids for t in target.split()), target


def test_get_on_sso_settings_redirects_to_settings(client_as, team, team_admin):
    response = client_as(team_admin).get("/teams/acme/settings/sso/")
    assert response.status_code == HTTPStatus.FOUND and response["Location"].startswith(
        "/teams/acme/settings/"
    )


def test_audit_log_reads_as_sentences(client_as, team, team_admin, member):
    app = AppFactory(team=team, name="website-prod")
    client = client_as(team_admin)
    client.post(f"/apps/{app.name}/access/add/", {"user": "joe@acme.com", "permissions": ["deploy"]})
    html = client.get("/teams/acme/audit/").content.decode()
    assert "Granted" in html and "chip-deploy" in html and "<strong>joe@acme.com</strong>" in html
    assert "Access granted" in html and "grant.add</" not in html and "{'permissions'" not in html
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">just now</time>', html)


def test_admin_shows_permissions_as_text(client, team, member):
    from accessctl.models import User

    staff = User.objects.create_superuser("root@accessctl.test", "pw")
    grant = GrantFactory(app=AppFactory(team=team), user=member, permissions="view,deploy")
    client.force_login(staff)
    html = client.get(f"/admin/apps/app/{grant.app.pk}/change/").content.decode()
    assert "view, deploy" in html and "frozenset" not in html


def test_pages_link_a_favicon_and_load_no_inline_script(client_as, team_admin):
    html = client_as(team_admin).get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    assert "<script>" not in html and " style=" not in html and "hx-on" not in html


def test_account_shows_mfa_status(client_as, member):
    assert "MFA off" in client_as(member).get("/account/").content.decode()
