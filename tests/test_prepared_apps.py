"""The app pages' prepared queries (apps/selectors_prepared.py) list what the querysets they stand for list, in
the same order and as the same instances, for every shape, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.db.models import Case, When
from django.utils import timezone

from accessctl.access.policy import REQUEST_TTL, TeamRole
from accessctl.identity.models import User
from apps.models import AccessRequest, App
from apps.selectors_access import app_access_people, with_implicit_viewers
from apps.selectors_prepared import (
    app_access_people_page,
    app_named,
    formation_of,
    latest_releases,
    open_requests_rows,
)
from apps.selectors_requests import _open
from tests.factories import (
    AppFactory,
    FormationFactory,
    GrantFactory,
    MembershipFactory,
    ReleaseFactory,
    TeamFactory,
    UserFactory,
)
from tests.loaded import loaded


@pytest.fixture
def app_world(db):
    """A team app with admins, members, permanent, live, expired and given temporary grants, an inactive
    holder, a lock; a personal app with an owner and a collaborator; an app nobody holds."""
    team, now = TeamFactory(name="acme"), timezone.now()
    locker = UserFactory(email="locker@x.test")
    app = AppFactory(name="shop", team=team, locked=True, locked_by=locker, locked_at=now)
    giver = UserFactory(email="giver@x.test")
    for i, role in enumerate([TeamRole.ADMIN, TeamRole.MEMBER, TeamRole.VIEWER] * 3):
        user = MembershipFactory(team=team, role=role, user=UserFactory(email=f"m{i}@x.test")).user
        if i % 3 == 1:
            GrantFactory(app=app, user=user, permissions="view,deploy")
    GrantFactory(app=app, user=UserFactory(email="c-permanent@x.test"), permissions="view,manage")
    live = UserFactory(email="c-live@x.test")
    GrantFactory(app=app, user=live, permissions="view", expires_at=now + timedelta(hours=1))
    GrantFactory(
        app=app,
        user=UserFactory(email="c-given@x.test"),
        permissions="view,operate",
        expires_at=now + timedelta(hours=2),
        granted_by=giver,
        reason="on call",
    )
    GrantFactory(app=app, user=UserFactory(email="c-expired@x.test"), expires_at=now - timedelta(minutes=1))
    GrantFactory(app=app, user=UserFactory(email="c-inactive@x.test", is_active=False))
    personal = AppFactory(name="mine", team=None, owner=UserFactory(email="owner@x.test"))
    GrantFactory(app=personal, user=UserFactory(email="friend@x.test"), permissions="view,deploy")
    AppFactory(name="empty", team=TeamFactory(name="other"))
    return app


@pytest.mark.parametrize("implicit_viewers", [False, True])
def test_app_named_is_the_select_related_lookup(app_world, implicit_viewers):
    for name in ("shop", "mine", "empty"):
        apps = with_implicit_viewers(App.objects.all()) if implicit_viewers else App.objects.all()
        expected = apps.select_related("team", "owner", "locked_by").filter(name=name).first()
        found = app_named(name, implicit_viewers=implicit_viewers)
        assert loaded(found) == loaded(expected)
    assert (
        app_named("shop", implicit_viewers=True).implicit_viewers == 3
    )  # the viewers: the members hold grants
    assert app_named("nothing", implicit_viewers=implicit_viewers) is None


def _facts(people):
    return [(u.__dict__.keys(), {k: v for k, v in u.__dict__.items() if k != "_state"}) for u in people]


@pytest.mark.parametrize("name", ["shop", "mine", "empty"])
@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("cursor", [None, "c-live@x.test", "m4@x.test"])
def test_access_people_page_lists_what_the_queryset_lists(app_world, name, backwards, cursor):
    app = App.objects.get(name=name)
    expected = app_access_people(app).order_by("-email" if backwards else "email")
    if cursor is not None:
        expected = expected.filter(**{"email__lt" if backwards else "email__gt": cursor})
    for limit in (3, 51):
        found = app_access_people_page(app, backwards=backwards, after_email=cursor, limit=limit)
        assert _facts(found) == _facts(expected[:limit])
        assert all(isinstance(person, User) and not person._state.adding for person in found)
    if name == "shop" and cursor is None:
        assert len(found) == 9  # three admins, three grant holders of the team, three collaborators


def test_access_people_page_binds_the_moment_of_the_live_grants(app_world):
    def listed():
        found = app_access_people_page(app_world, backwards=False, after_email=None, limit=51)
        return {person.email: person.temp_permissions for person in found}

    assert listed()["c-live@x.test"] is not None
    app_world.grants.filter(user__email="c-live@x.test").update(expires_at=timezone.now())
    assert "c-live@x.test" not in listed()  # the compiled form holds no moment of its own


def _requests_queryset(app, first_of, now):
    """What ``open_requests_on`` ran before it was prepared."""
    order = ["created_at", "id"]
    if first_of is not None:
        order.insert(0, Case(When(requester_id=first_of.pk, then=0), default=1))
    return (
        AccessRequest.objects.filter(_open(now), app=app).select_related("requester", "app").order_by(*order)
    )


@pytest.mark.parametrize("mine_first", [False, True])
@pytest.mark.parametrize("limit", [None, 2, 11])
def test_open_requests_list_what_the_queryset_lists(app_world, mine_first, limit):
    now, other = timezone.now(), App.objects.get(name="empty")
    asker = User.objects.get(email="c-live@x.test")

    def ask(user, age, app=app_world, **fields):
        made = AccessRequest.objects.create(
            app=app, requester=user, permissions="deploy", reason="r", **fields
        )
        AccessRequest.objects.filter(pk=made.pk).update(created_at=now - age)

    ask(User.objects.get(email="m1@x.test"), timedelta(hours=3))
    ask(asker, timedelta(hours=1))
    ask(User.objects.get(email="m4@x.test"), timedelta(hours=2), duration=timedelta(days=1))
    ask(User.objects.get(email="m7@x.test"), REQUEST_TTL + timedelta(minutes=1))  # lapsed
    ask(User.objects.get(email="m2@x.test"), timedelta(hours=4), status="denied")
    ask(asker, timedelta(hours=5), app=other)
    first_of = asker if mine_first else None
    expected = _requests_queryset(app_world, first_of, now)
    found = open_requests_rows(app_world, first_of=first_of, limit=limit, now=now)
    assert [loaded(item) for item in found] == [
        loaded(item) for item in (expected if limit is None else expected[:limit])
    ]
    assert len(found) == min(3, limit or 3)
    assert (found[0].requester == asker) is mine_first


def test_formation_and_releases_load_as_the_related_managers_do(app_world, django_assert_num_queries):
    other = App.objects.get(name="mine")
    for app in (app_world, other):
        for kind in ("worker", "web", "clock"):
            FormationFactory(app=app, type=kind)
    deployer = UserFactory(email="deployer@x.test")
    for version in range(1, 14):
        ReleaseFactory(app=app_world, version=version, user=deployer if version % 2 else None)
    ReleaseFactory(app=other, version=1)
    for app in (app_named("shop"), app_named("mine"), app_named("empty")):
        with django_assert_num_queries(2):
            found = formation_of(app), latest_releases(app)
        assert [loaded(f) for f in found[0]] == [loaded(f) for f in app.formation.all()]
        assert [loaded(r) for r in found[1]] == [loaded(r) for r in app.releases.select_related("user")[:10]]
        assert all(item.app is app for item in (*found[0], *found[1]))
    assert [r.version for r in latest_releases(app_world, 3)] == [13, 12, 11]
    assert [f.type for f in formation_of(app_world)] == ["clock", "web", "worker"]
