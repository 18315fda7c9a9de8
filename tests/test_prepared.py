"""Prepared queries (accessctl/access/prepared.py): named slots, shapes compiled once each, the same rows as the
querysets they stand for (the team lookup and the Access page's people), on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accessctl.access.policy import COLLABORATOR, TeamRole
from accessctl.access.prepared import PreparedQuery
from accessctl.identity.models import User
from apps.models import Grant
from teams.invitations import first_pending_invitations, pending_invitations_of
from teams.models import Invitation, Membership, Team
from teams.selectors import (
    team_named,
    team_people,
    team_people_page,
    team_people_values,
    teams_with_page_facts,
)
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory


def _counting(build):
    calls = []

    def counted(*shape, **slots):
        calls.append(shape)
        return build(*shape, **slots)

    return counted, calls


def test_named_slots_bind_per_call_and_each_shape_compiles_once(db, django_assert_num_queries):
    team = TeamFactory(name="acme")
    for email, role in (
        ("a@x.test", TeamRole.ADMIN),
        ("b@x.test", TeamRole.MEMBER),
        ("c@x.test", TeamRole.MEMBER),
    ):
        MembershipFactory(team=team, user=UserFactory(email=email), role=role)

    def build(descending, *, team_id, role):
        found = Membership.objects.filter(team_id=team_id, role=role)
        return found.order_by("-user__email" if descending else "user__email").values_list(
            "user__email", flat=True
        )

    counted, calls = _counting(build)
    prepared = PreparedQuery(
        Membership, counted, team_id=Membership._meta.pk, role=Membership._meta.get_field("role")
    )
    with django_assert_num_queries(4):
        assert [r[0] for r in prepared.rows((False,), team_id=team.pk, role="member")] == [
            "b@x.test",
            "c@x.test",
        ]
        assert [r[0] for r in prepared.rows((True,), team_id=team.pk, role="member")] == [
            "c@x.test",
            "b@x.test",
        ]
        assert [r[0] for r in prepared.rows((False,), team_id=team.pk, role="admin")] == ["a@x.test"]
        assert prepared.rows((False,), team_id=team.pk + 1, role="admin") == []
    assert calls == [(False,), (True,)]  # one build a shape, whatever the values


def test_results_are_converted_as_django_converts_them(db):
    team = TeamFactory(name="acme")
    AppFactory(team=team)
    found = team_named("acme")
    assert found.has_apps is True and found.admin_count == 0
    assert (
        team_named("acme", page_facts=False).__dict__.keys() == Team.objects.get(pk=team.pk).__dict__.keys()
    )


def test_team_named_is_the_annotated_lookup(db):
    team = TeamFactory(name="acme")
    MembershipFactory(team=team, role=TeamRole.ADMIN)
    MembershipFactory(team=team, role=TeamRole.MEMBER)
    TeamFactory(name="other")
    expected = teams_with_page_facts().get(name="acme")
    found = team_named("acme")
    assert (found.pk, found.name, found.admin_count, found.has_apps) == (team.pk, "acme", 1, False)
    assert {k: v for k, v in found.__dict__.items() if k != "_state"} == {
        k: v for k, v in expected.__dict__.items() if k != "_state"
    }
    assert not found._state.adding
    assert team_named("nobody") is None


@pytest.fixture
def people_world(db):
    """Members of each role, collaborators by a permanent, a live and an expired temporary grant, an outsider."""
    team, now = TeamFactory(name="acme"), timezone.now()
    app = AppFactory(team=team)
    for i, role in enumerate([TeamRole.ADMIN, TeamRole.MEMBER, TeamRole.VIEWER] * 3):
        user = MembershipFactory(team=team, role=role, user=UserFactory(email=f"m{i}@x.test")).user
        if i % 4 == 0:
            Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    GrantFactory(app=app, user=UserFactory(email="c-permanent@x.test"))
    GrantFactory(app=app, user=UserFactory(email="c-live@x.test"), expires_at=now + timedelta(hours=1))
    GrantFactory(app=app, user=UserFactory(email="c-expired@x.test"), expires_at=now - timedelta(minutes=1))
    GrantFactory(user=UserFactory(email="elsewhere@x.test"))
    UserFactory(email="outsider@x.test")
    return team


def _facts(people):
    return [(u.pk, u.email, u.team_role, u.has_mfa, u.is_active, u.last_login) for u in people]


@pytest.mark.parametrize("role", [None, COLLABORATOR, *TeamRole.values, "nonsense"])
@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("cursor", [None, "c-permanent@x.test", "m4@x.test"])
def test_people_page_lists_what_the_queryset_lists(people_world, role, backwards, cursor):
    expected = team_people(people_world, role=role).order_by("-email" if backwards else "email")
    if cursor is not None:
        expected = expected.filter(**{"email__lt" if backwards else "email__gt": cursor})
    for limit in (3, 51):
        found = team_people_page(
            people_world, role=role, backwards=backwards, after_email=cursor, limit=limit
        )
        assert _facts(found) == _facts(expected[:limit])
        assert all(isinstance(person, User) and not person._state.adding for person in found)


def test_people_page_binds_the_moment_of_the_live_grants(people_world):
    def collaborators():
        found = team_people_page(people_world, role=COLLABORATOR, backwards=False, after_email=None, limit=51)
        return [person.email for person in found]

    assert collaborators() == ["c-live@x.test", "c-permanent@x.test"]
    Grant.objects.filter(user__email="c-live@x.test").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert collaborators() == ["c-permanent@x.test"]  # the compiled form holds no moment of its own


def test_first_pending_invitations_load_as_select_related_does(db, django_assert_num_queries):
    team, other, now = TeamFactory(name="acme"), TeamFactory(name="other"), timezone.now()
    inviter = UserFactory(email="inviter@x.test")

    def invite(email, team=team, **fields):
        fields = {
            "role": TeamRole.MEMBER,
            "invited_by": inviter,
            "expires_at": now + timedelta(days=7),
            **fields,
        }
        return Invitation.objects.create(team=team, email=email, digest=f"d-{team.pk}-{email}", **fields)

    invite("d@x.test", invited_by=None)
    invite("b@x.test", expires_at=now - timedelta(days=1))  # expired: still pending
    invite("a@x.test", accepted_at=now)
    invite("c@x.test", revoked_at=now)
    invite("e@x.test", team=other)
    for e in "fgh":
        invite(f"{e}@x.test")
    expected = list(pending_invitations_of(team)[:4])
    with django_assert_num_queries(1):
        found = first_pending_invitations(team, 4)
        assert [i.email for i in found] == ["b@x.test", "d@x.test", "f@x.test", "g@x.test"]
        assert [(i.pk, i.invited_by, i.team.name, i.expires_at) for i in found] == [
            (i.pk, i.invited_by, i.team.name, i.expires_at) for i in expected
        ]
        assert found[0].invited_by.email == "inviter@x.test" and found[1].invited_by is None
    assert first_pending_invitations(other, 11)[0].email == "e@x.test"
    assert first_pending_invitations(TeamFactory(name="empty"), 11) == []


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("op", [None, "gt", "gte", "lt", "lte"])
def test_people_values_list_what_values_list_lists(people_world, descending, op):
    columns = ("public_id", "email", "team_role", "has_mfa", "date_joined")
    expected = team_people(people_world).order_by("-email" if descending else "email")
    if op is not None:
        expected = expected.filter(**{f"email__{op}": "m4@x.test"})
    found = team_people_values(
        people_world, columns, descending=descending, op=op, email="m4@x.test", limit=201
    )
    assert [tuple(row) for row in found] == list(expected.values_list(*columns)[:201])
