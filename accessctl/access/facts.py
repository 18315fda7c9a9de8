"""Loading a user's access facts: two queries, once per request, memoised on the user object.

Temporary grants are kept with their expiry, and the snapshot is given the current moment each time it is
asked for, so a temporary grant stops counting the instant it expires, even within one request.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

from django.utils import timezone

from accessctl.access.policy import NO_ACCESS, Access, AppPerm, TeamRole, TemporaryGrant
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
        return dataclasses.replace(cached, now=timezone.now()) if cached.temporary else cached
    access = load_access(user.pk)
    setattr(user, _CACHE_ATTR, access)
    return access


def load_access(user_id: int) -> Access:
    """Read an active user's memberships and grants (permanent and temporary) from the database (two queries).

    Expired temporary grants that no job has deleted yet are kept: the rules see that they have expired.
    """
    roles = {
        team_id: TeamRole(role)
        for team_id, role in Membership.objects.filter(user_id=user_id).values_list("team_id", "role")
    }
    grants: dict[int, frozenset[AppPerm]] = {}
    temporary: dict[int, TemporaryGrant] = {}
    grant_teams: dict[int, int | None] = {}
    to_perms = Grant._meta.get_field("permissions").to_python
    for app_id, team_id, perms, expires_at in Grant.objects.filter(user_id=user_id).values_list(
        "app_id", "app__team_id", "permissions", "expires_at"
    ):
        if expires_at is None:
            grants[app_id] = to_perms(perms) or frozenset()
        else:
            temporary[app_id] = TemporaryGrant(to_perms(perms) or frozenset(), expires_at)
        grant_teams[app_id] = team_id
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
