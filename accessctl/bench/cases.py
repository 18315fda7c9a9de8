"""The cases (a)-(d) of issue 13: the rules engine against its floor, Django's ModelBackend and the rivals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_backends
from django.contrib.auth.backends import ModelBackend
from django.test import override_settings

from accessctl.access import policy as p
from accessctl.access.backend import AccessBackend
from accessctl.access.facts import access_for, forget_access
from accessctl.bench import rivals
from accessctl.bench.seed import World
from accessctl.bench.timing import Result, Variant, measure
from accessctl.identity.models import User
from apps.models import App, Grant
from apps.selectors import app_rows_for, apps_visible_to
from apps.selectors_access import access_rows, app_access_people, app_access_rows, implicit_viewers_of
from teams.models import Membership

LOOP = 1_000
BEST = 20  # (b): the fastest of 20 loops a round (timing.Variant.best)
PAGE_SIZE = settings.PAGE_SIZE


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _model_backend() -> Any:
    return override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"])


def _forget_perm_cache(user: User) -> None:
    for name in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


def cold(world: World, rounds: int) -> list[Result]:
    """(a) the first check of a request on a loaded user."""
    user, app = _fresh(world.member), world.member_app
    backend = ModelBackend()
    return measure(
        "a cold has_perm",
        [
            Variant(
                "ModelBackend cold",
                lambda: backend.has_perm(user, "apps.view_app"),
                setup=lambda: _forget_perm_cache(user),
                number=50,
            ),
            Variant(
                "accessctl cold",
                lambda: user.has_perm(p.VIEW_APP, app),
                setup=lambda: forget_access(user),
                number=50,
            ),
            Variant("guardian cold", lambda: rivals.guardian_cold(user, app), number=50),
            Variant(
                "rules cold",
                lambda: rivals.RULES.test_rule("view", user, app),
                setup=lambda: rivals.forget(user),
                number=50,
            ),
        ],
        rounds,
        baseline="ModelBackend cold",
    )


def warm(world: World, rounds: int) -> list[Result]:
    """(b) warm checks of one user: the same app again, and another app each time (all 2,000)."""
    user, app = _fresh(world.member), world.member_app
    apps = list(App.objects.filter(team=world.team))
    user.has_perm("apps.view_app")  # fills Django's _perm_cache for the ModelBackend variant
    access_for(user)
    checker = rivals.guardian_checker(user, apps)
    rivals.facts(user)
    cycle = (apps * (LOOP // len(apps) + 1))[:LOOP]

    def fresh_snapshot() -> None:  # loaded, but nothing resolved yet: every app of the loop is new
        forget_access(user)
        access_for(user)

    with _model_backend():
        user.has_perm("apps.view_app")
    backend = AccessBackend()
    return measure(
        "b warm has_perm",
        [
            Variant(
                "ModelBackend warm",
                lambda: [user.has_perm("apps.view_app") for _ in range(LOOP)],
                per=LOOP,
                best=BEST,
                context=_model_backend,
            ),
            Variant(
                "accessctl same app",
                lambda: [user.has_perm(p.VIEW_APP, app) for _ in range(LOOP)],
                per=LOOP,
                best=BEST,
            ),
            Variant(
                "accessctl other app",
                lambda: [user.has_perm(p.DEPLOY_APP, a) for a in cycle],
                setup=fresh_snapshot,
                per=LOOP,
                best=BEST,
            ),
            Variant(
                "guardian same app",
                lambda: [checker.has_perm("view_app", app) for _ in range(LOOP)],
                per=LOOP,
                best=BEST,
            ),
            Variant(
                "guardian other app",
                lambda: [checker.has_perm("deploy_app", a) for a in cycle],
                per=LOOP,
                best=BEST,
            ),
            Variant(
                "rules same app",
                lambda: [rivals.RULES.test_rule("view", user, app) for _ in range(LOOP)],
                per=LOOP,
                best=BEST,
            ),
            Variant(
                "rules other app",
                lambda: [rivals.RULES.test_rule("deploy", user, a) for a in cycle],
                per=LOOP,
                best=BEST,
            ),
            # Where the time of a check goes: Django's own part (User.has_perm, _user_has_perm and
            # get_backends, which imports and instantiates every backend on every call), and our backend alone.
            Variant(
                "Django get_backends() alone",
                lambda: [get_backends() for _ in range(LOOP)],
                per=LOOP,
                best=BEST,
            ),
            Variant(
                "AccessBackend.has_perm alone, other app",
                lambda: [backend.has_perm(user, p.DEPLOY_APP, a) for a in cycle],
                per=LOOP,
                best=BEST,
            ),
        ],
        rounds,
        baseline="ModelBackend warm",
    )


def my_access(world: World, rounds: int) -> list[Result]:
    """(c) every app I can see with my permissions and why, over the 2,000 team apps, cold facts."""
    results = []
    for who, person in (("member", world.member), ("admin", world.admin)):
        user = _fresh(person)

        def ours(user: User = user) -> list[Any]:
            return app_rows_for(user, apps_visible_to(user))

        results += measure(
            f"c my access ({who})",
            [
                Variant("floor", lambda: list(App.objects.filter(team=world.team).select_related("team"))),
                Variant("accessctl", ours, setup=lambda user=user: forget_access(user)),
                Variant("guardian", lambda user=user: rivals.guardian_my_apps(user)),
                Variant(
                    "rules",
                    lambda user=user: rivals.rules_my_apps(user),
                    setup=lambda user=user: rivals.forget(user),
                ),
            ],
            rounds,
            baseline="floor",
        )
    return results


def _rules_candidates(app: App) -> list[User]:
    """The team's people and the app's grant holders, their rules facts preloaded in bulk (two queries)."""
    users = {u.pk: u for u in User.objects.filter(memberships__team_id=app.team_id)}
    users.update({g.user_id: g.user for g in Grant.objects.filter(app=app).select_related("user")})
    roles = dict(Membership.objects.filter(team_id=app.team_id).order_by().values_list("user_id", "role"))
    grants = dict(Grant.objects.filter(app=app).order_by().values_list("user_id", "permissions"))
    for pk, user in users.items():
        setattr(
            user,
            rivals._FACTS,
            (
                {app.team_id: roles[pk]} if pk in roles else {},
                {app.pk: frozenset(grants[pk])} if pk in grants else {},
            ),
        )
    return list(users.values())


def _page_data(app: App) -> tuple[list[Any], int]:
    """What the Access page reads: its first page of people (size + 1 rows) and the implicit-viewer count."""
    people = app_access_people(app)[: PAGE_SIZE + 1]
    return access_rows(app, people), implicit_viewers_of(app)


def app_access(world: World, rounds: int) -> list[Result]:
    """(d) who has access to the 500-grant app and why: every row, and the page the Access page shows."""
    app = App.objects.select_related("team", "owner").get(pk=world.big_app.pk)
    by_email = Grant.objects.filter(app=app).select_related("user").order_by("user__email")
    results = measure(
        "d app Access data (500 grants)",
        [
            Variant("floor", lambda: list(Grant.objects.filter(app=app).select_related("user"))),
            Variant("accessctl", lambda: app_access_rows(app)),
            Variant("rules", lambda: rivals.rules_app_access(app, _rules_candidates(app))),
            Variant("guardian", lambda: rivals.guardian_app_access(app)),  # last: ~9,000 queries a call
        ],
        rounds,
        baseline="floor",
    )
    return results + measure(
        "d app Access page data (first page)",
        [
            Variant("floor", lambda: list(by_email[: PAGE_SIZE + 1])),
            Variant("accessctl", lambda: _page_data(app)),
        ],
        rounds,
        baseline="floor",
    )
