"""The behaviour contract's tables, copied by hand from SPEC sections 3-5 (not generated from the code).

The truth-table tests compare the rules engine, the backend and the pages against these, so a change of
rules has to be made here and in ``accessctl/access/catalog.py`` on purpose.
"""

import itertools

VIEW, DEPLOY, OPERATE, MANAGE = "view", "deploy", "operate", "manage"
ALL = {VIEW, DEPLOY, OPERATE, MANAGE}

# SPEC section 4: action -> the permissions of which any one allows it.
CATALOG = {
    "view_app": ALL,
    "edit_config_app": {DEPLOY, MANAGE},
    "settings_app": {DEPLOY, MANAGE},  # the settings page shows config vars (deploy) and rename etc. (manage)
    "deploy_release_app": {DEPLOY},
    "rollback_app": {DEPLOY, OPERATE},
    "restart_app": {OPERATE},
    "scale_app": {OPERATE, MANAGE},
    "maintenance_app": {OPERATE, MANAGE},
    "rename_app": {MANAGE},
    "delete_app": {MANAGE},
    "transfer_app": {MANAGE},
    "manage_access_app": {MANAGE},
    "lock_app": {MANAGE},
    "manage_webhooks_app": {MANAGE},  # SPEC 19: admins and manage holders manage an app's webhooks
}
TEAM_APPS_ONLY = {"lock_app"}  # SPEC 6: locking is for team apps
TEAM_ADMINS_ONLY = {"transfer_app"}  # SPEC 3 and 9: team apps leave their team only by a team admin

# SPEC section 3: team action -> roles allowed.
TEAM_TABLE = {
    "list_apps_team": {"admin", "member", "viewer", "collaborator"},
    "view_team": {"admin", "member", "viewer"},
    "create_app_team": {"admin", "member"},
    "transfer_in_team": {"admin", "member"},
    "manage_members": {"admin"},
    "manage_settings_team": {"admin"},
    "view_identity_provider_team": {"admin", "member"},
    "transfer_out_team": {"admin"},
    "view_billing_team": {"admin"},
    "view_audit_team": {"admin"},
    "manage_webhooks_team": {"admin"},  # SPEC 19
    "leave_team": {"admin", "member", "viewer"},
    "view_matrix_team": {"admin", "member", "viewer"},
    "manage_reviews_team": {"admin"},
    "view_requests_team": {"admin", "member", "viewer"},  # SPEC 17: the team Requests page
}

KINDS = ["admin", "member", "viewer", "collaborator", "outsider", "inactive", "owner"]
GRANT_SETS = [None] + [
    {VIEW, *extra} for n in range(4) for extra in itertools.combinations([DEPLOY, OPERATE, MANAGE], n)
]


def expected_perms(kind, grant, team_app):
    """SPEC section 5 read in plain words."""
    if kind == "inactive":
        return set()
    if team_app:
        if kind == "admin":
            return ALL
        if grant is not None:
            return set(grant) | {VIEW}
        return {VIEW} if kind in ("member", "viewer") else set()
    if kind == "owner":
        return ALL
    return {VIEW, DEPLOY, OPERATE} if grant is not None else set()


def expected_action(codename, kind, perms, team_app):
    """May someone of ``kind`` holding ``perms`` on the app take the catalog action ``codename``?"""
    if codename in TEAM_APPS_ONLY and not team_app:
        return False
    if codename in TEAM_ADMINS_ONLY and team_app:
        return kind == "admin"
    return bool(set(perms) & CATALOG[codename])
