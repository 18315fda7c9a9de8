"""The Requests page's SQL filter (``requests_seen_by``) asks the rules through ``AppRef`` stand-ins instead of
each request's app: it must select exactly the requests ``has_perm`` lets the person decide, and their own, for
every kind of person and app (locked, temporary grants live and expired, other teams, inactive)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.facts import access_for
from accessctl.identity.models import User
from apps.models import AccessRequest, Grant
from apps.selectors_requests import requests_seen_by
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(email, team=None, role=None, **fields):
    user = UserFactory(email=email, **fields)
    if team is not None and role is not None:
        MembershipFactory(team=team, user=user, role=role)
    return user


def temporary(app, user, perms, hours):
    Grant.objects.create(
        app=app, user=user, permissions=perms, expires_at=timezone.now() + timedelta(hours=hours)
    )


@pytest.fixture
def world(team, team_admin, app, locked_app):
    other_team = TeamFactory(name="globex")
    spare = AppFactory(team=team, name="spare")
    elsewhere = AppFactory(team=other_team, name="elsewhere")
    people = {
        "admin": team_admin,
        "inactive-admin": person("gone@acme.test", team, "admin", is_active=False),
        "manager": person("manager@acme.test", team, "member"),
        "locked-manager": person("lm@acme.test", team, "member"),
        "temp-manager": person("tm@acme.test", team, "member"),
        "expired-manager": person("em@acme.test", team, "viewer"),
        "member": person("member@acme.test", team, "member"),
        "viewer": person("viewer@acme.test", team, "viewer"),
        "collaborator": person("collab@acme.test"),
        "plain-collaborator": person("plain@acme.test"),
        "other-admin": person("admin@globex.test", other_team, "admin"),
        "other-manager": person("om@globex.test", other_team, "member"),
    }
    GrantFactory(app=app, user=people["manager"], permissions="view,manage")
    GrantFactory(app=locked_app, user=people["locked-manager"], permissions="view,manage")
    temporary(spare, people["temp-manager"], "view,manage", hours=2)
    temporary(spare, people["expired-manager"], "view,manage", hours=-2)
    GrantFactory(app=app, user=people["collaborator"], permissions="view,deploy,manage")
    GrantFactory(app=spare, user=people["plain-collaborator"], permissions="view,deploy")
    GrantFactory(app=elsewhere, user=people["other-manager"], permissions="view,manage")
    GrantFactory(app=app, user=people["other-manager"], permissions="view")
    for target in (app, locked_app, spare, elsewhere):
        for requester in people.values():
            AccessRequest.objects.create(
                app=target, requester=requester, permissions="view,operate", reason="r"
            )
    return people


def test_the_filter_selects_what_the_rules_let_each_person_decide_and_their_own(team, world):
    requests = list(AccessRequest.objects.filter(app__team=team).select_related("app__team"))
    for label, user in world.items():
        user = User.objects.get(pk=user.pk)  # a fresh snapshot of the rules' facts
        seen = set(
            AccessRequest.objects.filter(app__team=team)
            .filter(requests_seen_by(access_for(user), team))
            .values_list("pk", flat=True)
        )
        expected = {
            item.pk
            for item in requests
            if (item.requester_id == user.pk and user.is_active)
            or user.has_perm(p.DECIDE_ACCESS_REQUEST, item)
        }
        assert seen == expected, label
    assert any(world["admin"].has_perm(p.DECIDE_ACCESS_REQUEST, item) for item in requests)
