"""The rules engine: who may do what, decided from plain facts.

Nothing here touches the database or a request. Every check in the project (views, templates, the API, the
admin, management commands) reaches these functions through the permission backend, so each enterprise rule
is written exactly once.

Inputs are an :class:`Access` snapshot of one user (team roles and app grants) and the plain attributes of a
team (``id``) or an app (``id``, ``team_id``, ``owner_id``, ``locked``). The resolution order is SPEC section 5.
The vocabulary (``roles``) and the tables (``catalog``) are re-exported here: ``policy`` is the one door.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from accessctl.access.catalog import *  # noqa: F403 -- the permission strings and tables, re-exported
from accessctl.access.catalog import (
    APP_ACTIONS,
    APP_ACTIONS_BY_CODENAME,
    CANCEL_ACCESS_REQUEST,
    DECIDE_ACCESS_REQUEST,
    JOIN_APP,
    LEAVE_APP,
    REQUEST_ACCESS_APP,
    TEAM_ACTIONS,
    TEAM_ACTIONS_BY_CODENAME,
)
from accessctl.access.expiry import *  # noqa: F403 -- time in the rules, re-exported
from accessctl.access.expiry import TemporaryGrant
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
from accessctl.access.transfers import TRANSFER_PERMISSIONS


class AppLike(Protocol):
    id: int
    team_id: int | None
    owner_id: int | None
    locked: bool


class TeamLike(Protocol):
    id: int


class RequestableApp(AppLike, Protocol):
    accepts_requests: bool
    """False on a locked app of a team that takes no requests for locked apps."""


class RequestLike(Protocol):
    requester_id: int
    app: RequestableApp


@dataclass(frozen=True)
class Access:
    """What one user is, as far as access goes: active flag, team roles and app grants.

    ``grants`` are the permanent grants; ``temporary`` the temporary ones, each held only while ``now`` (the
    moment the snapshot decides for) is before its expiry: an expired grant is absent, whether or not a job
    has deleted it yet. ``grant_teams`` maps each granted app to its team (``None`` for personal apps) so
    that collaborator status can be decided without touching the database.
    """

    user_id: int | None
    is_active: bool = True
    roles: Mapping[int, TeamRole] = field(default_factory=dict)
    grants: Mapping[int, frozenset[AppPerm]] = field(default_factory=dict)
    grant_teams: Mapping[int, int | None] = field(default_factory=dict)
    temporary: Mapping[int, TemporaryGrant] = field(default_factory=dict)
    now: datetime | None = None

    def grant_on(self, app_id: int) -> frozenset[AppPerm] | None:
        """The permissions the user's grants give on an app at ``now`` (``None``: no live grant)."""
        permanent = self.grants.get(app_id)
        temporary = self.temporary.get(app_id)
        if temporary is None or not temporary.live_at(self.now):
            return permanent
        return temporary.perms | (permanent or NO_PERMS)

    def held(self) -> dict[int, frozenset[AppPerm]]:
        """Every app with a live grant, and what the grants give on it."""
        held = {}
        for app_id in {*self.grants, *self.temporary}:
            perms = self.grant_on(app_id)
            if perms is not None:
                held[app_id] = perms
        return held

    def role_in(self, team_id: int | None) -> str | None:
        """The user's role in a team: a stored role, ``collaborator``, or ``None`` for outsiders."""
        if team_id is None or not self.is_active:
            return None
        role = self.roles.get(team_id)
        if role is not None:
            return role
        if any(self.grant_teams.get(app_id) == team_id for app_id in self.held()):
            return COLLABORATOR
        return None


NO_ACCESS = Access(user_id=None, is_active=False)
"""The null object for anonymous and unknown users: every check denies."""


Answer = tuple[frozenset[AppPerm], Reason]
VIEW_ONLY: frozenset[AppPerm] = frozenset({AppPerm.VIEW})
_NONE: Answer = (NO_PERMS, Reason.NONE)
_ADMIN: Answer = (ALL_PERMS, Reason.ADMIN_ROLE)
_OWNER: Answer = (ALL_PERMS, Reason.OWNER)
_PERSONAL_GRANT: Answer = (PERSONAL_COLLABORATOR_PERMS, Reason.GRANT)
_TEAM_VIEW: Answer = (VIEW_ONLY, Reason.TEAM_VIEW)
_BY_ROLE: Mapping[TeamRole | None, Answer] = {
    TeamRole.ADMIN: _ADMIN,
    TeamRole.MEMBER: _TEAM_VIEW,
    TeamRole.VIEWER: _TEAM_VIEW,
}
"""What a team role alone gives on any app of the team (admins: everything, before any grant)."""


_GRANT_ANSWERS: dict[frozenset[AppPerm], Answer] = {}  # by permission set (16 at most): built once each


def resolve(access: Access, app: AppLike) -> Answer:
    """The user's effective permissions on an app and why (SPEC section 5, in its order).

    A few dict lookups and no allocation but the grant's answer, so there is nothing worth memoising: the
    answers of the roles are the constants above, and each attribute of the app is read once (an ORM
    foreign-key attribute such as ``team_id`` is a Python descriptor call).
    """
    if not access.is_active or access.user_id is None:
        return _NONE
    team_id = app.team_id
    if team_id is None:
        if app.owner_id == access.user_id:
            return _OWNER
        return _PERSONAL_GRANT if access.grant_on(app.id) is not None else _NONE
    by_role = _BY_ROLE.get(access.roles.get(team_id), _NONE)
    if by_role is _ADMIN:
        return _ADMIN
    granted = access.grant_on(app.id)  # a temporary grant counts only while it is live at ``access.now``
    if granted is None:
        return by_role
    answer = _GRANT_ANSWERS.get(granted)
    if answer is None:
        answer = _GRANT_ANSWERS[granted] = (granted | VIEW_ONLY, Reason.GRANT)
    return answer


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
        and access.grant_on(app.id) is None
    )


def can_leave_app(access: Access, app: AppLike) -> bool:
    """Anyone holding an explicit grant may drop it."""
    return access.is_active and access.grant_on(app.id) is not None


def can_team_action(access: Access, team: TeamLike, codename: str) -> bool:
    """May the user take the team action ``codename`` (e.g. ``"manage_members"``) in the team?"""
    return access.role_in(team.id) in TEAM_ACTIONS_BY_CODENAME[codename].roles


# --- access requests (SPEC 17) ---------------------------------------------------------------------------


def can_request_access(access: Access, app: RequestableApp) -> bool:
    """Anyone who sees a team app and lacks some permission on it may ask for more, where the team accepts
    requests for the app (a team may close its locked apps to requests).
    """
    if not access.is_active or app.team_id is None or not app.accepts_requests:
        return False
    perms = app_perms(access, app)
    return AppPerm.VIEW in perms and perms != ALL_PERMS


def can_decide_request(access: Access, request: RequestLike) -> bool:
    """The team's admins and the app's ``manage`` holders decide requests, never on their own request."""
    return (
        access.is_active
        and access.user_id is not None
        and access.user_id != request.requester_id
        and can_app_action(access, request.app, "manage_access_app")
    )


def can_cancel_request(access: Access, request: RequestLike) -> bool:
    """Only the requester withdraws a request."""
    return access.is_active and access.user_id is not None and access.user_id == request.requester_id


# --- invariants -------------------------------------------------------------------------------------------

LAST_ADMIN = "{team} must have at least one admin. Add another admin first."


def leaves_team_without_admin(*, admins: int, role_before: str | None, role_after: str | None) -> bool:
    """Would changing one person's role from ``role_before`` to ``role_after`` (``None``: no role, they leave
    or are removed) leave a team that has ``admins`` admins without any? A team always keeps an admin (SPEC 7).
    """
    return role_before == TeamRole.ADMIN and role_after != TeamRole.ADMIN and admins <= 1


LAST_ADMIN_REASON = "The last admin of {team}: add another admin before changing their role or removing them."


def is_last_admin(*, role: str | None, admins: int) -> bool:
    """Is someone with ``role`` the only admin of a team that has ``admins`` admins? Their role cannot be
    lowered, and they cannot leave or be removed, until another admin is added (the same rule as above).
    """
    return leaves_team_without_admin(admins=admins, role_before=role, role_after=None)


def can_change_role_of(*, role: str | None, admins: int) -> bool:
    """May a team admin offer to change or remove someone with ``role``? Everyone but the last admin."""
    return not is_last_admin(role=role, admins=admins)


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
        REQUEST_ACCESS_APP: can_request_access,
    }
)
REQUEST_PERMISSIONS: Mapping[str, Predicate] = MappingProxyType(
    {DECIDE_ACCESS_REQUEST: can_decide_request, CANCEL_ACCESS_REQUEST: can_cancel_request}
)
"""The permissions asked with an access request as the object."""
TEAM_PERMISSIONS: Mapping[str, Predicate] = MappingProxyType(
    {f"teams.{a.codename}": _team_action_predicate(a.codename) for a in TEAM_ACTIONS}
)
PERMISSIONS: Mapping[str, Predicate] = MappingProxyType(
    {**APP_PERMISSIONS, **TEAM_PERMISSIONS, **REQUEST_PERMISSIONS, **TRANSFER_PERMISSIONS}
)
"""Every object permission string the backend answers, mapped to its predicate."""
