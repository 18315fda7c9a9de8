"""Loading a user's access facts: two queries, once per request, memoised on the user object."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from accessctl.access.policy import NO_ACCESS, Access, AppPerm, TeamRole
from apps.models import Grant
from teams.models import Membership

_CACHE_ATTR = "_accessctl_access"


def access_for(user: Any) -> Access:
    """The user's :class:`Access` snapshot (team roles and grants), cached on the user object.

    Anonymous, unsaved and inactive users get ``NO_ACCESS`` without a query.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.pk or not user.is_active:
        return NO_ACCESS
    cached: Access | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    access = load_access(user.pk)
    setattr(user, _CACHE_ATTR, access)
    return access


def load_access(user_id: int) -> Access:
    """Read an active user's memberships and grants from the database (two queries)."""
    roles = {
        team_id: TeamRole(role)
        for team_id, role in Membership.objects.filter(user_id=user_id).values_list("team_id", "role")
    }
    grants: dict[int, frozenset[AppPerm]] = {}
    grant_teams: dict[int, int | None] = {}
    to_perms = Grant._meta.get_field("permissions").to_python
    for app_id, team_id, perms in Grant.objects.filter(user_id=user_id).values_list(
        "app_id", "app__team_id", "permissions"
    ):
        grants[app_id] = to_perms(perms) or frozenset()
        grant_teams[app_id] = team_id
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
