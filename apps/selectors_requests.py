"""Read-side questions about temporary access and access requests, each in one query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.policy import Access
from accessctl.identity.models import User
from apps.models import AccessRequest, App, Grant
from apps.selectors_prepared import open_requests_rows
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


def open_requests_on(
    app: App, *, first_of: Any = None, limit: int | None = None, now: datetime | None = None
) -> list[AccessRequest]:
    """The app's pending requests, oldest first (``first_of``'s own before everyone else's), with their
    requesters; at most ``limit``."""
    return open_requests_rows(app, first_of=first_of, limit=limit, now=now or timezone.now())


def open_requests_of(user: Any, app: App, *, now: datetime | None = None) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(_open(now or timezone.now()), app=app, requester=user)


def team_requests_of(
    team: Team, *, status: str | None = None, app_name: str | None = None, now: datetime | None = None
) -> QuerySet[AccessRequest]:
    """The requests on a team's apps (or on the one named ``app_name``), newest first; ``status`` as people see it (``pending``
    excludes the lapsed ones, ``lapsed`` includes those the sweep has not marked yet).
    """
    now = now or timezone.now()
    requests = AccessRequest.objects.filter(app__team=team).select_related(
        "app__team", "requester", "decided_by"
    )
    if app_name:
        requests = requests.filter(app__name=app_name)
    if status == p.RequestStatus.PENDING:
        requests = requests.filter(_open(now))
    elif status == p.RequestStatus.LAPSED:
        requests = requests.filter(Q(status=status) | (Q(status=p.RequestStatus.PENDING) & ~_open(now)))
    elif status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at", "-id")


def team_requests(
    team: Team, *, status: str | None = None, now: datetime | None = None
) -> list[AccessRequest]:
    """The newest 500 of ``team_requests_of`` (the API's list)."""
    return list(team_requests_of(team, status=status, now=now)[:500])


def requests_seen_by(access: Access, team: Team) -> Q:
    """A filter of the team's requests someone with ``access`` may decide (``policy.can_decide_request``, less
    its "not their own") or made. The rules are asked, not restated: first about an app of the team the person
    holds no grant on (then their role alone decides, the same for every app of the team), else about each
    app of the team they hold a grant on."""
    if not access.is_active or access.user_id is None:
        return Q(pk__in=[])
    own = Q(requester_id=access.user_id)
    if p.can_app_action(access, p.AppRef(id=0, team_id=team.pk), "manage_access_app"):
        return own | Q(app__team=team)
    managed = [
        app_id
        for app_id in access.held()
        if access.grant_teams.get(app_id) == team.pk
        and p.can_app_action(access, p.AppRef(id=app_id, team_id=team.pk), "manage_access_app")
    ]
    return own | Q(app_id__in=managed)
