"""The Access tables reverse their per-row URLs once a page: every row's links still lead to that row's pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accessctl.web.rowurls import ROW, fill, row_urls
from tests.factories import GrantFactory

pytestmark = pytest.mark.django_db


def test_a_row_url_is_the_reversed_route_of_that_row():
    urls = row_urls("teams:", ["member-edit", "member-remove"], team="acme")
    for user_id in (1, 7, 2147483, 2147483646):
        assert fill(urls["member_edit"], user_id) == reverse("teams:member-edit", args=["acme", user_id])
        assert fill(urls["member_remove"], user_id) == reverse("teams:member-remove", args=["acme", user_id])
    assert ROW in urls["member_edit"]


def test_a_name_holding_the_placeholders_digits_keeps_its_row_urls():
    for namespace, names, kwargs in (
        ("teams:", ["member-edit", "member-remove"], {"team": f"t{ROW}"}),
        ("apps:", ["grant-edit", "grant-remove", "temporary-end"], {"app": f"a{ROW}-{ROW}"}),
    ):
        urls = row_urls(namespace, names, **kwargs)
        for name in names:
            expected = reverse(namespace + name, kwargs={**kwargs, "user_id": 5})
            assert fill(urls[name.replace("-", "_")], 5) == expected


def test_team_access_rows_link_to_their_own_edit_and_remove_pages(client_as, team_admin, member, viewer):
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    for person in (member, viewer):
        edit = reverse("teams:member-edit", args=["acme", person.pk])
        assert f'href="{edit}" hx-get="{edit}" hx-target="#member-{person.pk}"' in html
        assert f'href="{reverse("teams:member-remove", args=["acme", person.pk])}"' in html
    assert ROW not in html


def test_app_access_rows_link_to_their_own_edit_remove_extend_and_end(client_as, team_admin, member, app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    GrantFactory(
        app=app, user=member, permissions="view,operate", expires_at=timezone.now() + timedelta(hours=1)
    )
    html = client_as(team_admin).get(f"/apps/{app.name}/access/").content.decode()
    edit = reverse("apps:grant-edit", args=[app.name, member.pk])
    assert f'href="{edit}" hx-get="{edit}" hx-target="#grant-{member.pk}"' in html
    for name in ("grant-remove", "temporary-extend", "temporary-end"):
        assert f'action="{reverse(f"apps:{name}", args=[app.name, member.pk])}"' in html
    assert ROW not in html
