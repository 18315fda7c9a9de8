"""Loading a user's access facts: one query, once per request, memoised on the user object.

Temporary grants are kept with their expiry, and the snapshot is given the current moment each time it is
asked for, so a temporary grant stops counting the instant it expires, even within one request.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

from django.db.models import DateTimeField, IntegerField, Value
from django.utils import timezone

from accessctl.access.policy import NO_ACCESS, Access, AppPerm, TeamRole, TemporaryGrant
from apps.models import Grant
from teams.models import Membership

_CACHE_ATTR = "_accessctl_access"


def access_for(user: Any) -> Access:
    """The user's :class:`Access` snapshot (team roles and grants), cached on the user object.

    Anonymous, unsaved and inactive users get ``NO_ACCESS`` without a query.
    """
    cached: Access | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None and user.is_active:  # only saved, signed-in users ever carry a snapshot
        return dataclasses.replace(cached, now=timezone.now()) if cached.temporary else cached
    if user is None or not getattr(user, "is_authenticated", False) or not user.pk or not user.is_active:
        return NO_ACCESS
    access = load_access(user.pk)
    setattr(user, _CACHE_ATTR, access)
    return access


def load_access(user_id: int) -> Access:
    """Read an active user's memberships and grants (permanent and temporary) in one query.

    Memberships and grants come back as one ``UNION ALL`` of rows ``(id, team_id, value, expires_at, kind)``:
    for a membership ``(team_id, team_id, role, NULL, 0)``, for a grant ``(app_id, app's team_id, permissions,
    expires_at, 1)``. ``order_by()`` drops the models' ``Meta.ordering``, which would join the user and team
    tables. Expired temporary grants that no job has deleted yet are kept: the rules see that they expired.
    """
    memberships = (
        Membership.objects.filter(user_id=user_id)
        .order_by()
        .annotate(kind=Value(0, output_field=IntegerField()), ends=Value(None, output_field=DateTimeField()))
        .values_list("team_id", "team_id", "role", "ends", "kind")
    )
    grant_rows = (
        Grant.objects.filter(user_id=user_id)
        .order_by()
        .annotate(kind=Value(1, output_field=IntegerField()))
        .values_list("app_id", "app__team_id", "permissions", "expires_at", "kind")
    )
    roles: dict[int, TeamRole] = {}
    grants: dict[int, frozenset[AppPerm]] = {}
    temporary: dict[int, TemporaryGrant] = {}
    grant_teams: dict[int, int | None] = {}
    to_perms = Grant._meta.get_field("permissions").to_python
    for object_id, team_id, value, expires_at, kind in memberships.union(grant_rows, all=True):
        if kind == 0:
            roles[object_id] = TeamRole(value)
            continue
        perms = to_perms(value) or frozenset()
        if expires_at is None:
            grants[object_id] = perms
        else:
            temporary[object_id] = TemporaryGrant(perms, expires_at)
        grant_teams[object_id] = team_id
    return Access(
        user_id=user_id,
        roles=MappingProxyType(roles),
        grants=MappingProxyType(grants),
        grant_teams=MappingProxyType(grant_teams),
        temporary=MappingProxyType(temporary),
        now=timezone.now(),
    )


def forget_access(user: Any) -> None:
    """Drop the memoised snapshot, after a change to this user's roles or grants."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
