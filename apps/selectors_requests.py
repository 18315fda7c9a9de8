"""Read-side questions about temporary access and access requests, each in one query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.identity.models import User
from apps.models import AccessRequest, App, Grant
from teams.models import Team


def _open(now: datetime) -> Q:
    """Pending and not yet lapsed (the lapse rule at read time, whether or not the sweep has run)."""
    return Q(status=p.RequestStatus.PENDING, created_at__gt=now - p.REQUEST_TTL)


def approvers_of(app: App, *, now: datetime | None = None) -> list[User]:
    """Who may decide requests on the app: the team's admins and the holders of a live ``manage`` grant.

    Mirrors ``policy.can_decide_request`` (the requester is left out by the caller).
    """
    now = now or timezone.now()
    managers = Grant.objects.live(now).filter(app=app, permissions__contains=p.AppPerm.MANAGE.value)
    admins = Q(memberships__team_id=app.team_id, memberships__role=p.TeamRole.ADMIN)
    return list(
        User.objects.filter(admins | Q(pk__in=managers.values("user_id")), is_active=True)
        .distinct()
        .order_by("email")
    )


def open_requests_on(app: App, *, now: datetime | None = None) -> list[AccessRequest]:
    """The app's pending requests, oldest first, with their requesters."""
    now = now or timezone.now()
    return list(
        AccessRequest.objects.filter(_open(now), app=app)
        .select_related("requester", "app")
        .order_by("created_at")
    )


def open_requests_of(user: Any, app: App, *, now: datetime | None = None) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(_open(now or timezone.now()), app=app, requester=user)


def team_requests(
    team: Team, *, status: str | None = None, now: datetime | None = None
) -> list[AccessRequest]:
    """The requests on a team's apps, newest first; ``status`` as people see it (``pending`` excludes the
    lapsed ones, ``lapsed`` includes those the sweep has not marked yet).
    """
    now = now or timezone.now()
    requests = AccessRequest.objects.filter(app__team=team).select_related(
        "app__team", "requester", "decided_by"
    )
    if status == p.RequestStatus.PENDING:
        requests = requests.filter(_open(now))
    elif status == p.RequestStatus.LAPSED:
        requests = requests.filter(Q(status=status) | (Q(status=p.RequestStatus.PENDING) & ~_open(now)))
    elif status:
        requests = requests.filter(status=status)
    return list(requests[:500])
