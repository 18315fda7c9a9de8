"""Hostile keyset cursors (``?after=``, ``?before=``, ``?last=``) on every keyset page: a cursor the page cannot
read shows the first page (or the last, for ``?last=1``), never a server error."""

from http import HTTPStatus

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CURSORS = [
    "x",
    "|",
    "|||||",
    "' OR 1=1 --",
    "%",
    "a" * 20000,
    "\x00",
    "p0\x00@acme.test",
    "2026-01-01T00:00:00+00:00|99999999999999999999999",
    "2026-01-01T00:00:00+00:00|-99999999999999999999999",
    "0001-01-01T00:00:00-23:59|1",
    "9999-12-31T23:59:59-23:00|1",
    "2026-13-45T99:00:00|1",
    "2026-01-01|x",
    "2026-01-01T00:00:00|1",
    "1.5|1e9",
    "role|myapp|a@b.test|99999999999999999999999",
    "grant|\x00|a@b.test|1",
    "zz|x|y|z",
]


def signed_in(user):
    client = Client(raise_request_exception=False)  # a server error is a status here, to name every one
    client.force_login(user)
    return client


@pytest.fixture
def pages(team, team_admin, app, review):
    return [
        "/",
        "/teams/acme/apps/",
        "/teams/acme/access/",
        "/teams/acme/access/invitations/",
        "/teams/acme/audit/",
        "/teams/acme/requests/",
        "/teams/acme/reviews/",
        f"/teams/acme/reviews/{review.pk}/",
        "/apps/myapp/access/",
    ]


@pytest.mark.parametrize("name", ["after", "before"])
def test_a_hostile_cursor_shows_a_page_never_an_error(team_admin, pages, name):
    client = signed_in(team_admin)
    failures = []
    for url in pages:
        for cursor in CURSORS:
            status = client.get(url, {name: cursor}).status_code
            if status != HTTPStatus.OK:
                failures.append((url, cursor[:60], status))
    assert failures == []


def test_hostile_last_and_repeated_parameters_show_a_page(team_admin, pages):
    client = signed_in(team_admin)
    failures = []
    for url in pages:
        for query in (
            "?last=yes",
            "?last=1&last=0",
            "?after=x&before=y&last=1",
            "?after=&before=",
            "?last=" + "1" * 99,
        ):
            status = client.get(url + query).status_code
            if status != HTTPStatus.OK:
                failures.append((url, query[:60], status))
    assert failures == []
