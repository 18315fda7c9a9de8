"""The last-admin rule under real concurrency (PostgreSQL row locks)."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connections

from accessctl.access.errors import Conflict
from accessctl.access.policy import TeamRole
from accessctl.audit.log import Origin
from accessctl.models import User
from teams.models import Membership
from teams.services import team_member_remove, team_member_set_role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 8


def race(*calls):
    """Run the calls at once in threads; return what each raised (None for success)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _two_admin_team(n):
    team = TeamFactory(name=f"race-{n}")
    first = UserFactory(email=f"first{n}@race.test")
    second = UserFactory(email=f"second{n}@race.test")
    MembershipFactory(team=team, user=first, role=TeamRole.ADMIN)
    MembershipFactory(team=team, user=second, role=TeamRole.ADMIN)
    return team, first, second


def _admins(team):
    return Membership.objects.filter(team=team, role=TeamRole.ADMIN).count()


@pytest.mark.parametrize("n", range(ROUNDS))
def test_demoting_both_last_admins_at_once_keeps_one(n):
    """A superuser (Django admin) demotes both admins concurrently: the team-row lock lets exactly one win."""
    team, first, second = _two_admin_team(n)
    root = UserFactory(email=f"root{n}@race.test", is_superuser=True)
    outcomes = race(
        lambda: team_member_set_role(
            actor=root, team=team, user=first, role="member", origin=Origin("admin")
        ),
        lambda: team_member_set_role(
            actor=root, team=team, user=second, role="member", origin=Origin("admin")
        ),
    )
    failures = [o for o in outcomes if o is not None]
    assert len(failures) == 1 and isinstance(failures[0], Conflict), outcomes
    assert "must have at least one admin" in str(failures[0])
    assert _admins(team) == 1


@pytest.mark.parametrize("n", range(ROUNDS))
def test_two_admins_removing_each_other_leaves_one(n):
    """Each admin removes the other at once: the loser's permission is re-checked under the lock."""
    team, first, second = _two_admin_team(n)
    outcomes = race(
        lambda: team_member_remove(
            actor=User.objects.get(pk=second.pk), team=team, user=first, origin=Origin("api")
        ),
        lambda: team_member_remove(
            actor=User.objects.get(pk=first.pk), team=team, user=second, origin=Origin("web")
        ),
    )
    failures = [o for o in outcomes if o is not None]
    assert len(failures) == 1 and isinstance(failures[0], (Conflict, PermissionDenied)), outcomes
    assert _admins(team) == 1


# --- access requests (SPEC 17) ---------------------------------------------------------------------------


def _request_on_a_locked_app(n):
    from datetime import timedelta

    from apps.access_requests import access_request_create
    from tests.factories import AppFactory, GrantFactory

    team, first, _ = _two_admin_team(n)
    app = AppFactory(team=team, name=f"race-app-{n}", locked=True)
    manager = UserFactory(email=f"manager{n}@race.test")
    GrantFactory(app=app, user=manager, permissions="view,manage")
    asker = UserFactory(email=f"asker{n}@race.test")
    MembershipFactory(team=team, user=asker, role=TeamRole.MEMBER)
    request = access_request_create(
        actor=asker,
        app=app,
        permissions=["deploy"],
        duration=timedelta(hours=4),
        reason="race",
        origin=Origin("web"),
    )
    return app, request, (first, manager)


@pytest.mark.parametrize("n", range(ROUNDS))
def test_two_approvers_at_once_exactly_one_decides(n):
    """An admin and a manage holder approve the same request at once: the request-row lock lets one win."""
    from accessctl.models import AuditEvent
    from apps.access_requests import access_request_approve
    from apps.models import AccessRequest, Grant

    app, request, approvers = _request_on_a_locked_app(n)
    outcomes = race(
        *[
            lambda who=who: access_request_approve(
                actor=User.objects.get(pk=who.pk),
                access_request=AccessRequest.objects.get(pk=request.pk),
                origin=Origin("web"),
            )
            for who in approvers
        ]
    )
    failures = [o for o in outcomes if o is not None]
    assert len(failures) == 1 and isinstance(failures[0], Conflict), outcomes
    assert "already approved by" in str(failures[0])
    assert Grant.objects.filter(app=app, user=request.requester).count() == 1
    assert AuditEvent.objects.filter(action="request.approve", app=app).count() == 1


@pytest.mark.parametrize("n", range(ROUNDS))
def test_approve_and_deny_at_once_exactly_one_decides(n):
    from apps.access_requests import access_request_approve, access_request_deny
    from apps.models import AccessRequest, Grant

    app, request, (admin, manager) = _request_on_a_locked_app(n)
    outcomes = race(
        lambda: access_request_approve(
            actor=User.objects.get(pk=admin.pk), access_request=request, origin=Origin("web")
        ),
        lambda: access_request_deny(
            actor=User.objects.get(pk=manager.pk), access_request=request, note="no", origin=Origin("api")
        ),
    )
    failures = [o for o in outcomes if o is not None]
    assert len(failures) == 1 and isinstance(failures[0], Conflict), outcomes
    status = AccessRequest.objects.get(pk=request.pk).status
    assert Grant.objects.filter(app=app, user=request.requester).exists() is (status == "approved")
