"""The rules engine: who may do what, decided from plain facts.

Nothing here touches the database or a request. Every check in the project (views, templates, the API, the
admin, management commands) reaches these functions through the permission backend, so each enterprise rule
is written exactly once.

Inputs are an :class:`Access` snapshot of one user (team roles and app grants) and the plain attributes of a
team (``id``) or an app (``id``, ``team_id``, ``owner_id``, ``locked``). The resolution order is SPEC section 5.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from django.db import models


class TeamRole(models.TextChoices):
    """A stored team role. ``collaborator`` is derived (grants without a role), never stored."""

    ADMIN = "admin", "admin"
    MEMBER = "member", "member"
    VIEWER = "viewer", "viewer"


COLLABORATOR = "collaborator"
"""The display role of a user who holds grants on a team's apps but has no team role."""


class AppPerm(models.TextChoices):
    """The four app permissions, in their display order."""

    VIEW = "view", "View"
    DEPLOY = "deploy", "Deploy"
    OPERATE = "operate", "Operate"
    MANAGE = "manage", "Manage"


PERM_ORDER: tuple[AppPerm, ...] = (AppPerm.VIEW, AppPerm.DEPLOY, AppPerm.OPERATE, AppPerm.MANAGE)
ALL_PERMS: frozenset[AppPerm] = frozenset(PERM_ORDER)
NO_PERMS: frozenset[AppPerm] = frozenset()

PERM_DESCRIPTIONS: Mapping[AppPerm, str] = MappingProxyType(
    {
        AppPerm.VIEW: "See the app's overview, activity, formation, maintenance state and access list.",
        AppPerm.DEPLOY: "Deploy releases, roll back, and view and edit config vars.",
        AppPerm.OPERATE: "Restart dynos, roll back, scale the formation and switch maintenance mode.",
        AppPerm.MANAGE: "Rename, delete and transfer the app, manage who has access, lock and unlock it.",
    }
)

PERSONAL_COLLABORATOR_PERMS: frozenset[AppPerm] = frozenset({AppPerm.VIEW, AppPerm.DEPLOY, AppPerm.OPERATE})
"""A collaborator on a personal app may do everything but manage it (SPEC 5.3)."""

MEMBERS_SET_ROLES: frozenset[TeamRole] = frozenset({TeamRole.ADMIN, TeamRole.MEMBER})
"""The roles the CLI's ``members:set`` may assign (the seed documents' rule)."""


def normalize_perms(perms: Iterable[str]) -> frozenset[AppPerm]:
    """Turn permission names into a grant's permission set: known names only, ``view`` always included.

    Raises ``ValueError`` naming the first unknown permission.
    """
    result = set()
    for name in perms:
        try:
            result.add(AppPerm(name))
        except ValueError:
            raise ValueError(f"Unknown permission '{name}'. Use view, deploy, operate or manage.") from None
    return frozenset(result | {AppPerm.VIEW})


def sorted_perms(perms: Iterable[AppPerm]) -> list[AppPerm]:
    """Permissions in display order (view, deploy, operate, manage)."""
    perms = set(perms)
    return [perm for perm in PERM_ORDER if perm in perms]


# --- the app action catalog (SPEC section 4) --------------------------------------------------------------


@dataclass(frozen=True)
class AppAction:
    """A guarded app action and the permissions of which any one allows it."""

    codename: str
    label: str
    any_of: frozenset[AppPerm]
    team_apps_only: bool = False


def _action(codename: str, label: str, *perms: AppPerm, team_apps_only: bool = False) -> AppAction:
    return AppAction(codename, label, frozenset(perms), team_apps_only)


APP_ACTIONS: tuple[AppAction, ...] = (
    _action(
        "view_app",
        "See overview, activity (releases), dynos and formation, maintenance state, access list",
        *PERM_ORDER,
    ),
    _action("edit_config_app", "View and edit config vars", AppPerm.DEPLOY, AppPerm.MANAGE),
    _action("deploy_release_app", "Create a release (deploy)", AppPerm.DEPLOY),
    _action("rollback_app", "Roll back a release", AppPerm.DEPLOY, AppPerm.OPERATE),
    _action("restart_app", "Restart dynos", AppPerm.OPERATE),
    _action("scale_app", "Scale or resize the formation", AppPerm.OPERATE, AppPerm.MANAGE),
    _action("maintenance_app", "Turn maintenance mode on or off", AppPerm.OPERATE, AppPerm.MANAGE),
    _action("rename_app", "Rename the app", AppPerm.MANAGE),
    _action("delete_app", "Delete the app", AppPerm.MANAGE),
    _action("transfer_app", "Transfer the app", AppPerm.MANAGE),
    _action("manage_access_app", "Add or remove users on the app, change their permissions", AppPerm.MANAGE),
    _action("lock_app", "Lock or unlock the app", AppPerm.MANAGE, team_apps_only=True),
)
APP_ACTIONS_BY_CODENAME: Mapping[str, AppAction] = MappingProxyType({a.codename: a for a in APP_ACTIONS})


# --- the team action table (SPEC section 3) --------------------------------------------------------------


@dataclass(frozen=True)
class TeamAction:
    """A team-level action and the roles (``collaborator`` included) that may take it."""

    codename: str
    label: str
    roles: frozenset[str]


_ADMIN = frozenset({TeamRole.ADMIN})
_ADMIN_MEMBER = frozenset({TeamRole.ADMIN, TeamRole.MEMBER})
_ANY_ROLE = frozenset({TeamRole.ADMIN, TeamRole.MEMBER, TeamRole.VIEWER})

TEAM_ACTIONS: tuple[TeamAction, ...] = (
    TeamAction(
        "list_apps_team",
        "List team apps (collaborators: only apps granted to them)",
        _ANY_ROLE | {COLLABORATOR},
    ),
    TeamAction("view_team", "View team resources and members with roles, MFA and SSO status", _ANY_ROLE),
    TeamAction("create_app_team", "Create apps in the team", _ADMIN_MEMBER),
    TeamAction("transfer_in_team", "Transfer own personal apps into the team", _ADMIN_MEMBER),
    TeamAction("manage_members", "Add and remove members, change roles, add collaborators", _ADMIN),
    TeamAction(
        "manage_settings_team", "Rename the team, settings, SSO and MFA policy, join permissions", _ADMIN
    ),
    TeamAction("view_identity_provider_team", "View identity provider settings", _ADMIN_MEMBER),
    TeamAction("transfer_out_team", "Transfer team apps out of the team or to another team", _ADMIN),
    TeamAction("view_billing_team", "View billing and invoices", _ADMIN),
    TeamAction("view_audit_team", "Read the team audit log", _ADMIN),
    TeamAction("leave_team", "Leave the team (not as its last admin)", _ANY_ROLE),
)
TEAM_ACTIONS_BY_CODENAME: Mapping[str, TeamAction] = MappingProxyType({a.codename: a for a in TEAM_ACTIONS})


# --- facts ------------------------------------------------------------------------------------------------


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


class Reason(enum.StrEnum):
    """Why a user has the access they have on an app (shown on Access pages)."""

    ADMIN_ROLE = "admin role"
    OWNER = "owner"
    GRANT = "grant"
    TEAM_VIEW = "team member view"
    NONE = "none"


def resolve(access: Access, app: AppLike) -> tuple[frozenset[AppPerm], Reason]:
    """The user's effective permissions on an app and why (SPEC section 5, in its order)."""
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


# --- the permission strings -------------------------------------------------------------------------------

Predicate = Callable[[Access, object], bool]


def _app_action_predicate(codename: str) -> Predicate:
    return lambda access, app: can_app_action(access, app, codename)


def _app_perm_predicate(perm: AppPerm) -> Predicate:
    return lambda access, app: can_have_perm(access, app, perm)


def _team_action_predicate(codename: str) -> Predicate:
    return lambda access, team: can_team_action(access, team, codename)


VIEW_APP = "apps.view_app"
DEPLOY_APP = "apps.deploy_app"
OPERATE_APP = "apps.operate_app"
MANAGE_APP = "apps.manage_app"
EDIT_CONFIG_APP = "apps.edit_config_app"
DEPLOY_RELEASE_APP = "apps.deploy_release_app"
ROLLBACK_APP = "apps.rollback_app"
RESTART_APP = "apps.restart_app"
SCALE_APP = "apps.scale_app"
MAINTENANCE_APP = "apps.maintenance_app"
RENAME_APP = "apps.rename_app"
DELETE_APP = "apps.delete_app"
TRANSFER_APP = "apps.transfer_app"
MANAGE_ACCESS_APP = "apps.manage_access_app"
LOCK_APP = "apps.lock_app"
JOIN_APP = "apps.join_app"
LEAVE_APP = "apps.leave_app"

LIST_APPS_TEAM = "teams.list_apps_team"
VIEW_TEAM = "teams.view_team"
CREATE_APP_TEAM = "teams.create_app_team"
TRANSFER_IN_TEAM = "teams.transfer_in_team"
MANAGE_MEMBERS = "teams.manage_members"
MANAGE_SETTINGS_TEAM = "teams.manage_settings_team"
VIEW_IDENTITY_PROVIDER_TEAM = "teams.view_identity_provider_team"
TRANSFER_OUT_TEAM = "teams.transfer_out_team"
VIEW_BILLING_TEAM = "teams.view_billing_team"
VIEW_AUDIT_TEAM = "teams.view_audit_team"
LEAVE_TEAM = "teams.leave_team"

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


# --- sign-in policies of a team (SPEC section 10) ---------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """How the current session (or the session that created an API token) signed in."""

    mfa: bool = False
    """The user has multi-factor authentication (a session: enrolled; a token: made after passing MFA)."""
    sso_team_ids: frozenset[int] = frozenset()
    """Teams whose identity provider this session signed in through."""


class TeamLikeSecurity(Protocol):
    id: int
    sso_enforced: bool
    require_mfa: bool


NO_SIGN_IN = SignIn()

SSO_REQUIRED = "sso"
MFA_REQUIRED = "mfa"


def sign_in_block(access: Access, team: TeamLikeSecurity, sign_in: SignIn) -> str | None:
    """Why a team member may not reach the team now (``"sso"`` / ``"mfa"``), or ``None``.

    Security policies bind team members only; collaborators and outsiders are never held back here. A member
    of a team enforcing SSO needs a session that signed in through the team's IdP. A member of a team
    requiring MFA needs MFA, unless they signed in through the team's IdP (MFA is then the IdP's job).
    """
    if access.roles.get(team.id) is None:
        return None
    via_team_sso = team.id in sign_in.sso_team_ids
    if team.sso_enforced and not via_team_sso:
        return SSO_REQUIRED
    if team.require_mfa and not via_team_sso and not sign_in.mfa:
        return MFA_REQUIRED
    return None
