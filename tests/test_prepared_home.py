"""Home's prepared queries (apps/selectors_home.py, ``teams.selectors.teams_for``) list what the querysets they
stand for list, in the same order and as the same instances, for every shape, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialApp
from django.utils import timezone

from accessctl.access.facts import forget_access
from accessctl.access.policy import TeamRole
from accessctl.access.prepared import LIST_SIZES, bound_list
from accessctl.identity.models import User
from apps.models import AppTransfer, TransferState
from apps.selectors import apps_visible_to, pending_transfers_for
from apps.selectors_home import pending_transfers_rows, visible_apps_page
from teams.selectors import teams_for, teams_of
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory
from tests.loaded import loaded


@pytest.fixture
def home_world(db):
    """Three teams (one with its SSO app), a person in two of them holding grants on the third's apps and on
    their own team's, a live and an expired temporary grant, personal apps, transfers in every state."""
    sso = SocialApp.objects.create(provider="openid_connect", provider_id="acme", name="Acme", client_id="c")
    acme, beta, gamma = (
        TeamFactory(name="acme", sso_app=sso),
        TeamFactory(name="beta"),
        TeamFactory(name="gamma"),
    )
    person = UserFactory(email="person@x.test")
    MembershipFactory(team=acme, user=person, role=TeamRole.MEMBER)
    MembershipFactory(team=beta, user=person, role=TeamRole.VIEWER)
    for team in (acme, beta, gamma):
        for i in range(4):
            AppFactory(name=f"{team.name}-{i}", team=team)
    now = timezone.now()
    GrantFactory(app=gamma.apps.get(name="gamma-0"), user=person)
    GrantFactory(app=gamma.apps.get(name="gamma-1"), user=person, expires_at=now + timedelta(hours=1))
    GrantFactory(app=gamma.apps.get(name="gamma-2"), user=person, expires_at=now - timedelta(hours=1))
    GrantFactory(app=acme.apps.get(name="acme-1"), user=person, permissions="view,deploy")
    mine = AppFactory(name="mine", team=None, owner=person)
    AppFactory(name="theirs", team=None, owner=UserFactory(email="other@x.test"))
    other = User.objects.get(email="other@x.test")
    AppTransfer.objects.create(app=mine, sender=person, recipient=other)
    AppTransfer.objects.create(app=AppFactory(name="offered", personal=True), sender=other, recipient=person)
    AppTransfer.objects.create(
        app=mine, sender=person, recipient_team=beta, previous_team=acme, state="accepted"
    )
    AppTransfer.objects.create(app=AppFactory(name="gone", personal=True), sender=other, recipient_team=gamma)
    return person


def _fresh(user):
    forget_access(user)
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("blocked", [[], ["acme"], ["acme", "gamma"]])
@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("cursor", [None, "beta-1", "mine"])
def test_visible_apps_page_lists_what_the_queryset_lists(home_world, blocked, backwards, cursor):
    blocked_ids = list(TeamFactory._meta.model.objects.filter(name__in=blocked).values_list("pk", flat=True))
    for email in ("person@x.test", "other@x.test"):
        user = _fresh(User.objects.get(email=email))
        expected = (
            apps_visible_to(user).exclude(team_id__in=blocked_ids).order_by("-name" if backwards else "name")
        )
        if cursor is not None:
            expected = expected.filter(**{"name__lt" if backwards else "name__gt": cursor})
        for limit in (2, 51):
            found = visible_apps_page(user, blocked_ids, backwards=backwards, after_name=cursor, limit=limit)
            assert [loaded(app) for app in found] == [loaded(app) for app in expected[:limit]]
    if not blocked and cursor is None:
        names = [
            app.name
            for app in visible_apps_page(_fresh(home_world), [], backwards=False, after_name=None, limit=51)
        ]
        assert (
            names
            == [
                *(f"acme-{i}" for i in range(4)),
                *(f"beta-{i}" for i in range(4)),
                "gamma-0",
                "gamma-1",
                "mine",
                "offered",
            ][: len(names)]
        )


def test_visible_apps_page_declines_what_it_cannot_prepare(home_world):
    team = TeamFactory(name="many")
    for i in range(LIST_SIZES[-1] + 1):
        GrantFactory(app=AppFactory(name=f"many-{i:03}", team=team), user=home_world)
    assert visible_apps_page(_fresh(home_world), [], backwards=False, after_name=None, limit=51) is None
    User.objects.filter(pk=home_world.pk).update(is_active=False)
    assert visible_apps_page(_fresh(home_world), [], backwards=False, after_name=None, limit=51) is None


def test_home_pages_the_many_apps_of_a_collaborator_as_before(home_world, client):
    team = TeamFactory(name="many")
    for i in range(LIST_SIZES[-1] + 1):
        GrantFactory(app=AppFactory(name=f"many-{i:03}", team=team), user=home_world)
    client.force_login(home_world)
    page = client.get("/").content.decode()
    assert "many-000" in page and "acme-0" in page


def test_bound_lists_pad_to_a_few_sizes():
    assert bound_list("t", []) == (0, {})
    assert bound_list("t", [5, 7, 9]) == (4, {"t0": 5, "t1": 7, "t2": 9, "t3": 9})
    assert bound_list("t", list(range(LIST_SIZES[-1])))[0] == LIST_SIZES[-1]
    assert bound_list("t", list(range(LIST_SIZES[-1] + 1))) is None


def _rows(rows):
    return [(row.role, loaded(row.team)) for row in rows]


def test_teams_for_lists_what_the_queryset_lists(home_world, django_assert_num_queries):
    person, other = _fresh(home_world), _fresh(User.objects.get(email="other@x.test"))
    found = teams_for(person)
    assert [(row.team.name, row.role) for row in found] == [
        ("acme", "member"),
        ("beta", "viewer"),
        ("gamma", "collaborator"),
    ]
    assert found[0].team.sso_app.provider_id == "acme" and found[1].team.sso_app is None
    assert [loaded(row.team) for row in found] == [
        loaded(team) for team in teams_of({t.team.pk for t in found})
    ]
    with django_assert_num_queries(1):  # the facts; no team, and as the queryset, no query for them
        assert teams_for(other) == []
    for size in (1, 2, 3, 5):
        ids = [team.pk for team in TeamFactory.create_batch(size)]
        user = UserFactory()
        for team_id in ids:
            MembershipFactory(team_id=team_id, user=user, role=TeamRole.ADMIN)
        rows = teams_for(_fresh(user))
        assert [loaded(row.team) for row in rows] == [loaded(team) for team in teams_of(ids)]
        assert {row.role for row in rows} == {"admin"}


def test_pending_transfers_list_what_the_queryset_lists(home_world):
    for email in ("person@x.test", "other@x.test", "nobody@x.test"):
        user = User.objects.filter(email=email).first() or UserFactory(email=email)
        found = pending_transfers_rows(user)
        assert [loaded(t) for t in found] == [loaded(t) for t in pending_transfers_for(user)]
    assert [t.app.name for t in pending_transfers_rows(home_world)] == ["offered", "mine"]
    assert all(t.state == TransferState.PENDING for t in pending_transfers_rows(home_world))
