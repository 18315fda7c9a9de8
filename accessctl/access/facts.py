"""Loading a user's access facts: one query, once per request, memoised on the user object."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from django.db.models import IntegerField, Value

from accessctl.access.policy import NO_ACCESS, Access, AppPerm, TeamRole
from apps.models import Grant
from teams.models import Membership

_CACHE_ATTR = "_accessctl_access"


def access_for(user: Any) -> Access:
    """The user's :class:`Access` snapshot (team roles and grants), cached on the user object.

    Anonymous, unsaved and inactive users get ``NO_ACCESS`` without a query.
    """
    cached: Access | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None and user.is_active:  # only saved, signed-in users ever carry a snapshot
        return cached
    if user is None or not getattr(user, "is_authenticated", False) or not user.pk or not user.is_active:
        return NO_ACCESS
    access = load_access(user.pk)
    setattr(user, _CACHE_ATTR, access)
    return access


def load_access(user_id: int) -> Access:
    """Read an active user's memberships and grants from the database in one query.

    Memberships and grants come back as one ``UNION ALL`` of rows ``(id, team_id, value, kind)``: for a
    membership ``(team_id, team_id, role, 0)``, for a grant ``(app_id, app's team_id, permissions, 1)``.
    ``order_by()`` drops the models' ``Meta.ordering``, which would join the user and team tables.
    """
    memberships = (
        Membership.objects.filter(user_id=user_id)
        .order_by()
        .annotate(kind=Value(0, output_field=IntegerField()))
        .values_list("team_id", "team_id", "role", "kind")
    )
    grant_rows = (
        Grant.objects.filter(user_id=user_id)
        .order_by()
        .annotate(kind=Value(1, output_field=IntegerField()))
        .values_list("app_id", "app__team_id", "permissions", "kind")
    )
    roles: dict[int, TeamRole] = {}
    grants: dict[int, frozenset[AppPerm]] = {}
    grant_teams: dict[int, int | None] = {}
    to_perms = Grant._meta.get_field("permissions").to_python
    for object_id, team_id, value, kind in memberships.union(grant_rows, all=True):
        if kind == 0:
            roles[object_id] = TeamRole(value)
        else:
            grants[object_id] = to_perms(value) or frozenset()
            grant_teams[object_id] = team_id
    return Access(
        user_id=user_id,
        roles=MappingProxyType(roles),
        grants=MappingProxyType(grants),
        grant_teams=MappingProxyType(grant_teams),
    )


def forget_access(user: Any) -> None:
    """Drop the memoised snapshot, after a change to this user's roles or grants."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
