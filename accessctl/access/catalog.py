"""The two tables of the behaviour contract, as data: the app action catalog (SPEC 4) and the team action
table (SPEC 3), with the permission string of every check.

``policy`` answers from these tables and ``/help/permissions/`` renders them, so a rule changes in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from accessctl.access.roles import COLLABORATOR, PERM_ORDER, AppPerm, TeamRole

__all__ = [
    "ANSWER_TRANSFER",
    "APP_ACTIONS",
    "APP_ACTIONS_BY_CODENAME",
    "CANCEL_ACCESS_REQUEST",
    "CANCEL_TRANSFER",
    "CREATE_APP_TEAM",
    "DECIDE_ACCESS_REQUEST",
    "DELETE_APP",
    "DEPLOY_APP",
    "DEPLOY_RELEASE_APP",
    "EDIT_CONFIG_APP",
    "JOIN_APP",
    "LEAVE_APP",
    "LEAVE_TEAM",
    "LIST_APPS_TEAM",
    "LOCK_APP",
    "MAINTENANCE_APP",
    "MANAGE_ACCESS_APP",
    "MANAGE_APP",
    "MANAGE_MEMBERS",
    "MANAGE_REVIEWS_TEAM",
    "MANAGE_SETTINGS_TEAM",
    "MANAGE_WEBHOOKS_APP",
    "MANAGE_WEBHOOKS_TEAM",
    "OPERATE_APP",
    "RENAME_APP",
    "REQUEST_ACCESS_APP",
    "RESTART_APP",
    "ROLLBACK_APP",
    "SCALE_APP",
    "SETTINGS_APP",
    "TEAM_ACTIONS",
    "TEAM_ACTIONS_BY_CODENAME",
    "TRANSFER_APP",
    "TRANSFER_IN_TEAM",
    "TRANSFER_OUT_TEAM",
    "VIEW_APP",
    "VIEW_AUDIT_TEAM",
    "VIEW_BILLING_TEAM",
    "VIEW_IDENTITY_PROVIDER_TEAM",
    "VIEW_MATRIX_TEAM",
    "VIEW_REQUESTS_TEAM",
    "VIEW_TEAM",
    "AppAction",
    "TeamAction",
]


@dataclass(frozen=True)
class AppAction:
    """A guarded app action and the permissions of which any one allows it.

    ``team_apps_only``: personal apps do not have it (locking). ``team_admins_only``: on a team app only the
    team's admins may take it, whatever their grants (transfers out of the team, SPEC 3 and 9).
    """

    codename: str
    label: str
    any_of: frozenset[AppPerm]
    team_apps_only: bool = False
    team_admins_only: bool = False


def _action(codename: str, label: str, *perms: AppPerm, **flags: bool) -> AppAction:
    return AppAction(codename, label, frozenset(perms), **flags)


APP_ACTIONS: tuple[AppAction, ...] = (
    _action(
        "view_app",
        "See overview, activity (releases), dynos and formation, maintenance state, access list",
        *PERM_ORDER,
    ),
    _action("edit_config_app", "View and edit config vars", AppPerm.DEPLOY, AppPerm.MANAGE),
    _action(
        "settings_app",
        "Open the app's settings (config vars; rename, transfer, delete)",
        AppPerm.DEPLOY,
        AppPerm.MANAGE,
    ),
    _action("deploy_release_app", "Create a release (deploy)", AppPerm.DEPLOY),
    _action("rollback_app", "Roll back a release", AppPerm.DEPLOY, AppPerm.OPERATE),
    _action("restart_app", "Restart dynos", AppPerm.OPERATE),
    _action("scale_app", "Scale or resize the formation", AppPerm.OPERATE, AppPerm.MANAGE),
    _action("maintenance_app", "Turn maintenance mode on or off", AppPerm.OPERATE, AppPerm.MANAGE),
    _action("rename_app", "Rename the app", AppPerm.MANAGE),
    _action("delete_app", "Delete the app", AppPerm.MANAGE),
    _action(
        "transfer_app",
        "Transfer the app (a team app: only the team's admins)",
        AppPerm.MANAGE,
        team_admins_only=True,
    ),
    _action("manage_access_app", "Add or remove users on the app, change their permissions", AppPerm.MANAGE),
    _action("lock_app", "Lock or unlock the app", AppPerm.MANAGE, team_apps_only=True),
    _action(
        "manage_webhooks_app",
        "Add, edit, test and remove the app's webhooks; see their deliveries",
        AppPerm.MANAGE,
    ),
)
APP_ACTIONS_BY_CODENAME: Mapping[str, AppAction] = MappingProxyType({a.codename: a for a in APP_ACTIONS})


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
    TeamAction(
        "manage_webhooks_team", "Add, edit, test and remove the team's webhooks (every team event)", _ADMIN
    ),
    TeamAction("leave_team", "Leave the team (not as its last admin)", _ANY_ROLE),
    TeamAction(
        "view_matrix_team",
        "See everyone's access to every app (access matrix) and the access reviews",
        _ANY_ROLE,
    ),
    TeamAction("manage_reviews_team", "Start and close access reviews", _ADMIN),
    TeamAction(
        "view_requests_team",
        "Open the team's Requests page (the requests one may decide, and one's own)",
        _ANY_ROLE,
    ),
)
TEAM_ACTIONS_BY_CODENAME: Mapping[str, TeamAction] = MappingProxyType({a.codename: a for a in TEAM_ACTIONS})


# The permission strings: ``user.has_perm(LOCK_APP, app)``. Nothing else in the project spells them out.
VIEW_APP = "apps.view_app"
DEPLOY_APP = "apps.deploy_app"
OPERATE_APP = "apps.operate_app"
MANAGE_APP = "apps.manage_app"
EDIT_CONFIG_APP = "apps.edit_config_app"
SETTINGS_APP = "apps.settings_app"
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
MANAGE_WEBHOOKS_APP = "apps.manage_webhooks_app"
JOIN_APP = "apps.join_app"
LEAVE_APP = "apps.leave_app"
REQUEST_ACCESS_APP = "apps.request_access_app"
"""Ask for more permissions on a team app for a while (SPEC 17); with the app as object."""
DECIDE_ACCESS_REQUEST = "apps.decide_access_request"
"""Approve or deny an access request; with the request as object (never the requester's own)."""
CANCEL_ACCESS_REQUEST = "apps.cancel_access_request"
"""Withdraw an access request; with the request as object (the requester only)."""
ANSWER_TRANSFER = "apps.answer_transfer"
"""Accept or decline an app offered to you; with the transfer as object (its recipient only)."""
CANCEL_TRANSFER = "apps.cancel_transfer"
"""Withdraw a pending app transfer; with the transfer as object (its sender only)."""

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
MANAGE_WEBHOOKS_TEAM = "teams.manage_webhooks_team"
LEAVE_TEAM = "teams.leave_team"
VIEW_MATRIX_TEAM = "teams.view_matrix_team"
MANAGE_REVIEWS_TEAM = "teams.manage_reviews_team"
VIEW_REQUESTS_TEAM = "teams.view_requests_team"
