"""The rules of access reviews (SPEC 18): who reviews what, what counts as a reduction, unused access.

Pure, like ``policy``: plain facts in, answers out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TypeVar

from accessctl.access.policy import (
    Access,
    AppLike,
    AppPerm,
    TeamLike,
    TeamRole,
    app_perms,
)

ROLE_RANK: Mapping[str, int] = MappingProxyType({TeamRole.VIEWER: 0, TeamRole.MEMBER: 1, TeamRole.ADMIN: 2})
"""Team roles from least to most access: a review may only reduce a role down this order."""

UNUSED_AFTER = timedelta(days=90)
"""A permission not used for this long is flagged on a review item."""


def reviews_roles(access: Access, team: TeamLike) -> bool:
    """Does the person review the team's roles (everyone's but their own)? The team's admins do."""
    return access.is_active and access.user_id is not None and access.roles.get(team.id) == TeamRole.ADMIN


def reviews_grants_on(access: Access, app: AppLike) -> bool:
    """Does the person review the grants on the app (everyone's but their own)? The team's admins and the app's
    ``manage`` holders who have a role in the team (collaborators see nothing of a team but their apps).
    """
    return (
        access.is_active
        and access.user_id is not None
        and app.team_id is not None
        and access.roles.get(app.team_id) is not None
        and AppPerm.MANAGE in app_perms(access, app)
    )


def can_review_role(access: Access, team: TeamLike, subject_id: int) -> bool:
    """Team roles are reviewed by the team's admins, never by the person holding the role."""
    return access.user_id != subject_id and reviews_roles(access, team)


def can_review_grant(access: Access, app: AppLike, subject_id: int) -> bool:
    """A grant is reviewed by those who review the app's grants, never by the person holding the grant."""
    return access.user_id != subject_id and reviews_grants_on(access, app)


def reduces_role(before: str, after: str) -> bool:
    """Is ``after`` a lesser team role than ``before`` (a reduction, not a removal)?"""
    return after in ROLE_RANK and ROLE_RANK[after] < ROLE_RANK.get(before, 0)


def reduces_perms(before: frozenset[AppPerm], after: frozenset[AppPerm]) -> bool:
    """Is ``after`` a smaller grant than ``before`` that still holds ``view`` (a reduction, not a revoke)?"""
    return AppPerm.VIEW in after and after < before


def unused_since(last_used: datetime | None, now: datetime) -> bool:
    """Flag a permission that was never used, or not within :data:`UNUSED_AFTER`."""
    return last_used is None or now - last_used > UNUSED_AFTER


K = TypeVar("K", bound=Hashable)


def first_change_leaving_no_admin(
    admins: Iterable[int], changes: Iterable[tuple[K, int, str | None]]
) -> K | None:
    """Apply role changes ``(key, user_id, role_after)`` in order to the set of ``admins`` (``None``: the role
    ends) and return the key of the first change after which the team has no admin, or ``None``.
    """
    left = set(admins)
    for key, user_id, role_after in changes:
        if role_after != TeamRole.ADMIN:
            left.discard(user_id)
        else:
            left.add(user_id)
        if not left:
            return key
    return None
