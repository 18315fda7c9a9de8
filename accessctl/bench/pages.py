"""The cases (e)-(g) of issue 13: whole requests through Django's test Client, signed in, against the plain-ORM
floor of the rows each page lists."""

from __future__ import annotations

from django.test import Client

from accessctl.audit.log import COMMAND
from accessctl.bench.seed import World
from accessctl.bench.timing import Result, Variant, measure
from accessctl.identity.models import User
from accessctl.identity.tokens import api_token_create
from apps.models import App, Grant

ACCEPT = "application/vnd.heroku+json; version=3"


def _get(client: Client, url: str, status: int | None = None, **headers: str) -> None:
    response = client.get(url, **headers)
    assert response.status_code in ((status,) if status else (200, 206)), (url, response.status_code)


# A signed-in page that lists nothing: a team that does not exist answers 404 in the full layout, after the
# session, the user, the middleware stack and one lookup. It shows what any page pays before its own rows.
EMPTY_PAGE = "/teams/no-such-team/access/"


def pages(world: World, rounds: int) -> list[Result]:
    """(e) team Access first and last page, (g) home, app Access, team Access: whole requests, each beside the
    plain-ORM floor of its rows and the signed-in empty page."""
    client = Client()
    client.force_login(world.admin)
    big = world.big_app.name
    people = User.objects.order_by("email")
    cases = [
        ("e team Access first page", "/teams/bench/access/", lambda: list(people[:50])),
        ("e team Access last page", "/teams/bench/access/?last=1", lambda: list(people.reverse()[:50])),
        ("g home", "/", lambda: list(App.objects.filter(team=world.team).order_by("name")[:50])),
        (
            "g app Access (500 grants)",
            f"/apps/{big}/access/",
            lambda: list(
                Grant.objects.filter(app=world.big_app).select_related("user").order_by("user__email")[:51]
            ),
        ),
        ("g app overview", f"/apps/{big}/", lambda: list(App.objects.filter(name=big))),
    ]
    results = []
    for case, url, floor in cases:
        results += measure(
            case,
            [
                Variant("floor", floor, number=5),
                Variant("empty page (404)", lambda: _get(client, EMPTY_PAGE, status=404), number=5),
                Variant("request", lambda url=url: _get(client, url), number=5),
            ],
            rounds,
            baseline="floor",
        )
    return results


def api_members(world: World, rounds: int) -> list[Result]:
    """(f) ``GET /teams/bench/members`` with Range paging: the first 200 and the page after them."""
    token = api_token_create(actor=world.admin, name="bench", origin=COMMAND)[1]
    client = Client(HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {token}")
    members = User.objects.filter(memberships__team=world.team).order_by("email")
    second = members[199].email
    results = []
    for case, rng, floor in (
        ("f API members, first 200", "email ..; max=200", lambda: list(members[:200])),
        (
            "f API members, next 200",
            f"email ]{second}..; max=200",
            lambda: list(members.filter(email__gt=second)[:200]),
        ),
    ):
        results += measure(
            case,
            [
                Variant("floor", floor, number=5),
                Variant(
                    "request", lambda rng=rng: _get(client, "/teams/bench/members", HTTP_RANGE=rng), number=5
                ),
            ],
            rounds,
            baseline="floor",
        )
    return results
