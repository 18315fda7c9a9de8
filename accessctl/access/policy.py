"""The rules engine: who may do what, decided from plain facts.

Nothing here touches the database or a request. Every check in the project (views, templates, the API, the
admin, management commands) reaches these functions through the permission backend, so each enterprise rule
is written exactly once.

Inputs are an :class:`Access` snapshot of one user (team roles and app grants) and the plain attributes of a
team (``id``) or an app (``id``, ``team_id``, ``owner_id``, ``locked``). The resolution order is SPEC section 5.
The vocabulary (``roles``) and the tables (``catalog``) are re-exported here: ``policy`` is the one door.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from accessctl.access.catalog import *  # noqa: F403 -- the permission strings and tables, re-exported
from accessctl.access.catalog import (
    APP_ACTIONS,
    APP_ACTIONS_BY_CODENAME,
    JOIN_APP,
    LEAVE_APP,
    TEAM_ACTIONS,
    TEAM_ACTIONS_BY_CODENAME,
)
from accessctl.access.roles import *  # noqa: F403 -- the vocabulary, re-exported
from accessctl.access.roles import (
    ALL_PERMS,
    COLLABORATOR,
    NO_PERMS,
    PERM_ORDER,
    PERSONAL_COLLABORATOR_PERMS,
    AppPerm,
    Reason,
    TeamRole,
)


class AppLike(Protocol):
    id: int
    team_id: int | None
    owner_id: int | None
    locked: bool


class TeamLike(Protocol):
    id: int


@dataclass(frozen=True)
class Access:
    """What one user is, as far as access goes: active flag, team roles and app grants.

    ``grant_teams`` maps each granted app to its team (``None`` for personal apps) so that
    collaborator status can be decided without touching the database.
    """

    user_id: int | None
    is_active: bool = True
    roles: Mapping[int, TeamRole] = field(default_factory=dict)
    grants: Mapping[int, frozenset[AppPerm]] = field(default_factory=dict)
    grant_teams: Mapping[int, int | None] = field(default_factory=dict)
    resolved: dict[tuple[Any, ...], tuple[frozenset[AppPerm], Reason]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )
    """Memo of :func:`resolve` for this snapshot, keyed by the app attributes it reads (never stale: the
    snapshot is immutable, and an app that moves to another team or owner gets a new key)."""

    def role_in(self, team_id: int | None) -> str | None:
        """The user's role in a team: a stored role, ``collaborator``, or ``None`` for outsiders."""
        if team_id is None or not self.is_active:
            return None
        role = self.roles.get(team_id)
        if role is not None:
            return role
        if team_id in self.grant_teams.values():
            return COLLABORATOR
        return None


NO_ACCESS = Access(user_id=None, is_active=False)
"""The null object for anonymous and unknown users: every check denies."""


def resolve(access: Access, app: AppLike) -> tuple[frozenset[AppPerm], Reason]:
    """The user's effective permissions on an app and why (SPEC section 5, in its order). Memoised per app."""
    key = (app.id, app.team_id, app.owner_id)
    found = access.resolved.get(key)
    if found is None:
        found = _resolve(access, app)
        if access.user_id is not None:  # never grow the shared NO_ACCESS null object
            access.resolved[key] = found
    return found


def _resolve(access: Access, app: AppLike) -> tuple[frozenset[AppPerm], Reason]:
    if not access.is_active or access.user_id is None:
        return NO_PERMS, Reason.NONE
    if app.team_id is not None and access.roles.get(app.team_id) == TeamRole.ADMIN:
        return ALL_PERMS, Reason.ADMIN_ROLE
    granted = access.grants.get(app.id)
    if app.team_id is None:
        if app.owner_id == access.user_id:
            return ALL_PERMS, Reason.OWNER
        if granted is not None:
            return PERSONAL_COLLABORATOR_PERMS, Reason.GRANT
        return NO_PERMS, Reason.NONE
    if granted is not None:
        return granted | {AppPerm.VIEW}, Reason.GRANT
    if access.roles.get(app.team_id) in (TeamRole.MEMBER, TeamRole.VIEWER):
        return frozenset({AppPerm.VIEW}), Reason.TEAM_VIEW
    return NO_PERMS, Reason.NONE


def app_perms(access: Access, app: AppLike) -> frozenset[AppPerm]:
    """The user's effective permissions on an app."""
    return resolve(access, app)[0]


def can_app_action(access: Access, app: AppLike, codename: str) -> bool:
    """May the user take the catalog action ``codename`` (e.g. ``"lock_app"``) on the app?"""
    action = APP_ACTIONS_BY_CODENAME[codename]
    if action.team_apps_only and app.team_id is None:
        return False
    if action.team_admins_only and app.team_id is not None:
        return access.is_active and access.roles.get(app.team_id) == TeamRole.ADMIN
    return bool(app_perms(access, app) & action.any_of)


def can_have_perm(access: Access, app: AppLike, perm: AppPerm) -> bool:
    """Does the user hold (explicitly or implicitly) permission ``perm`` on the app?"""
    return perm in app_perms(access, app)


def can_join_app(access: Access, app: AppLike) -> bool:
    """Members join unlocked team apps they hold no grant on; viewers, collaborators and admins don't."""
    return (
        access.is_active
        and app.team_id is not None
        and not app.locked
        and access.roles.get(app.team_id) == TeamRole.MEMBER
        and app.id not in access.grants
    )


def can_leave_app(access: Access, app: AppLike) -> bool:
    """Anyone holding an explicit grant may drop it."""
    return access.is_active and app.id in access.grants


def can_team_action(access: Access, team: TeamLike, codename: str) -> bool:
    """May the user take the team action ``codename`` (e.g. ``"manage_members"``) in the team?"""
    return access.role_in(team.id) in TEAM_ACTIONS_BY_CODENAME[codename].roles


# --- invariants -------------------------------------------------------------------------------------------

LAST_ADMIN = "{team} must have at least one admin. Add another admin first."


def leaves_team_without_admin(*, admins: int, role_before: str | None, role_after: str | None) -> bool:
    """Would changing one person's role from ``role_before`` to ``role_after`` (``None``: no role, they leave
    or are removed) leave a team that has ``admins`` admins without any? A team always keeps an admin (SPEC 7).
    """
    return role_before == TeamRole.ADMIN and role_after != TeamRole.ADMIN and admins <= 1


# --- access reviews (SPEC 18) ----------------------------------------------------------------------------

ROLE_RANK: Mapping[str, int] = MappingProxyType({TeamRole.VIEWER: 0, TeamRole.MEMBER: 1, TeamRole.ADMIN: 2})
"""Team roles from least to most access: a review may only reduce a role down this order."""

UNUSED_AFTER = timedelta(days=90)
"""A permission not used for this long is flagged on a review item."""


def can_review_role(access: Access, team: TeamLike, subject_id: int) -> bool:
    """Team roles are reviewed by the team's admins, never by the person holding the role."""
    return (
        access.is_active
        and access.user_id not in (None, subject_id)
        and access.roles.get(team.id) == TeamRole.ADMIN
    )


def can_review_grant(access: Access, app: AppLike, subject_id: int) -> bool:
    """A grant is reviewed by the team's admins or the app's ``manage`` holders who have a role in the team
    (collaborators see nothing of a team but their apps), never by the person holding the grant.
    """
    return (
        access.is_active
        and access.user_id not in (None, subject_id)
        and app.team_id is not None
        and access.roles.get(app.team_id) is not None
        and AppPerm.MANAGE in app_perms(access, app)
    )


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


# --- the permission strings -------------------------------------------------------------------------------

Predicate = Callable[[Access, Any], bool]


def _app_action_predicate(codename: str) -> Predicate:
    return lambda access, app: can_app_action(access, app, codename)


def _app_perm_predicate(perm: AppPerm) -> Predicate:
    return lambda access, app: perm in resolve(access, app)[0]  # can_have_perm, one call less on the hot path


def _team_action_predicate(codename: str) -> Predicate:
    return lambda access, team: can_team_action(access, team, codename)


APP_PERMISSIONS: Mapping[str, Predicate] = MappingProxyType(
    {
        **{f"apps.{perm.value}_app": _app_perm_predicate(perm) for perm in PERM_ORDER},
        **{
            f"apps.{a.codename}": _app_action_predicate(a.codename)
            for a in APP_ACTIONS
            if a.codename != "view_app"
        },
        JOIN_APP: can_join_app,
        LEAVE_APP: can_leave_app,
    }
)
TEAM_PERMISSIONS: Mapping[str, Predicate] = MappingProxyType(
    {f"teams.{a.codename}": _team_action_predicate(a.codename) for a in TEAM_ACTIONS}
)
PERMISSIONS: Mapping[str, Predicate] = MappingProxyType({**APP_PERMISSIONS, **TEAM_PERMISSIONS})
"""Every object permission string the backend answers, mapped to its predicate."""
