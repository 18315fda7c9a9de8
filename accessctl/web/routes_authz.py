"""The two tables of ``authz`` (SPEC 20): what every page (``PAGES``) and API route (``API``) needs, by URL name.

``authz`` holds the rules' meaning and enforces them; ``authz.PAGES`` and ``authz.API`` re-export these. Where a
view checks more than its URL's object (a service's check on an access request, a review item, an invitation),
the rule's ``of`` names the object in the URL that permission is checked on, and a comment says the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from accessctl.access import policy as p

GET, POST, PUT, PATCH, DELETE = "GET", "POST", "PUT", "PATCH", "DELETE"


@dataclass(frozen=True)
class Rule:
    perm: str | None
    on: str | None = None  # "app" | "team" | None: the URL keyword argument naming the object
    public: bool = False  # no sign-in needed (pages only)
    own: bool = False  # acts on the user's own things only (others' answer 404)
    by_field: Mapping[str, str] = field(default_factory=dict)  # API: body field -> permission
    # A personal app has no team: a team route on one answers 422 (``/teams/apps/{app}``).
    team_app_only: bool = False
    # ``perm`` is checked on this URL object (``request_id``...) rather than on ``on`` (the service checks it).
    of: str | None = None
    # API: a collaborator of the team gets 404 on this team route, as on pages (not 403).
    hides: bool = False


def R(perm: str | None = None, on: str | None = None, **kwargs: object) -> Rule:
    return Rule(perm, on, **kwargs)  # type: ignore[arg-type]


App, Team = "app", "team"

# Pages: URL name -> {method: rule}. HEAD follows GET.
PAGES: Mapping[str, Mapping[str, Rule]] = MappingProxyType(
    {
        "home": {GET: R()},
        "permissions-help": {GET: R(public=True)},
        "account": {GET: R(own=True)},
        "token-create": {POST: R(own=True)},
        "token-revoke": {POST: R(own=True)},
        "app-create": {GET: R(), POST: R()},  # a team app needs create_app on the team: the service checks
        # An app transfer: 404 but for its sender and recipient; the services check who takes which step.
        "transfer-accept": {POST: R(p.ANSWER_TRANSFER, own=True, of="transfer")},
        "transfer-decline": {POST: R(p.ANSWER_TRANSFER, own=True, of="transfer")},
        "transfer-cancel": {POST: R(p.CANCEL_TRANSFER, own=True, of="transfer")},
        "teams:apps": {GET: R(p.LIST_APPS_TEAM, Team)},
        "teams:access": {GET: R(p.VIEW_TEAM, Team)},
        "teams:member-add": {POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:collaborator-add": {POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:member-row": {GET: R(p.VIEW_TEAM, Team)},
        "teams:member-edit": {GET: R(p.MANAGE_MEMBERS, Team), POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:member-remove": {GET: R(p.MANAGE_MEMBERS, Team), POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:leave": {POST: R(p.LEAVE_TEAM, Team)},
        "teams:settings": {GET: R(p.MANAGE_SETTINGS_TEAM, Team), POST: R(p.MANAGE_SETTINGS_TEAM, Team)},
        "teams:sso": {
            GET: R(p.MANAGE_SETTINGS_TEAM, Team),
            POST: R(p.MANAGE_SETTINGS_TEAM, Team),
        },  # GET: back to settings
        "teams:audit": {GET: R(p.VIEW_AUDIT_TEAM, Team)},
        "apps:detail": {GET: R(p.VIEW_APP, App)},
        "apps:access": {GET: R(p.VIEW_APP, App)},
        "apps:grant-add": {POST: R(p.MANAGE_ACCESS_APP, App)},
        "apps:grant-row": {GET: R(p.VIEW_APP, App)},
        "apps:grant-edit": {GET: R(p.MANAGE_ACCESS_APP, App), POST: R(p.MANAGE_ACCESS_APP, App)},
        "apps:grant-remove": {POST: R(p.MANAGE_ACCESS_APP, App)},
        "apps:lock": {POST: R(p.LOCK_APP, App)},
        "apps:unlock": {POST: R(p.LOCK_APP, App)},
        "apps:join": {POST: R(p.JOIN_APP, App)},
        "apps:leave": {POST: R(p.LEAVE_APP, App)},
        "apps:settings": {GET: R(p.SETTINGS_APP, App)},
        "apps:config-set": {POST: R(p.EDIT_CONFIG_APP, App)},
        "apps:config-unset": {POST: R(p.EDIT_CONFIG_APP, App)},
        "apps:rename": {POST: R(p.RENAME_APP, App)},
        "apps:transfer": {POST: R(p.TRANSFER_APP, App)},
        "apps:delete": {POST: R(p.DELETE_APP, App)},
        "apps:scale": {POST: R(p.SCALE_APP, App)},
        "apps:restart": {POST: R(p.RESTART_APP, App)},
        "apps:maintenance": {POST: R(p.MAINTENANCE_APP, App)},
        "apps:deploy": {POST: R(p.DEPLOY_RELEASE_APP, App)},
        "apps:rollback": {POST: R(p.ROLLBACK_APP, App)},
        "invitation": {GET: R(public=True), POST: R(public=True)},  # POST accepts: the invited address only
        "invitation-signup": {GET: R(public=True), POST: R(public=True)},  # signed out, the invited address
        "teams:app-search": {GET: R(p.MANAGE_MEMBERS, Team)},  # the collaborator form's app picker
        "teams:invitations": {GET: R(p.VIEW_TEAM, Team)},
        "teams:invitation-resend": {POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:invitation-revoke": {POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:webhook-add": {POST: R(p.MANAGE_WEBHOOKS_TEAM, Team)},
        "teams:webhook-edit": {GET: R(p.MANAGE_WEBHOOKS_TEAM, Team), POST: R(p.MANAGE_WEBHOOKS_TEAM, Team)},
        "teams:webhook-ping": {POST: R(p.MANAGE_WEBHOOKS_TEAM, Team)},
        "teams:webhook-remove": {POST: R(p.MANAGE_WEBHOOKS_TEAM, Team)},
        "teams:requests": {
            GET: R(p.VIEW_REQUESTS_TEAM, Team)
        },  # lists only what one may decide, and one's own
        "reviews:matrix": {GET: R(p.VIEW_MATRIX_TEAM, Team)},
        "reviews:list": {GET: R(p.VIEW_MATRIX_TEAM, Team), POST: R(p.MANAGE_REVIEWS_TEAM, Team)},
        "reviews:detail": {GET: R(p.VIEW_MATRIX_TEAM, Team)},
        "reviews:item-decide": {POST: R(p.VIEW_MATRIX_TEAM, Team)},  # then a reviewer of the item (service)
        "reviews:keep-unflagged": {POST: R(p.VIEW_MATRIX_TEAM, Team)},  # keeps only the items one may decide
        "reviews:close": {POST: R(p.MANAGE_REVIEWS_TEAM, Team)},
        "reviews:report": {GET: R(p.VIEW_MATRIX_TEAM, Team)},
        "apps:temporary-extend": {POST: R(p.MANAGE_ACCESS_APP, App)},
        "apps:temporary-end": {
            POST: R(p.MANAGE_ACCESS_APP, App)
        },  # or the holder, ending their own (service)
        "apps:request-access": {GET: R(p.REQUEST_ACCESS_APP, App), POST: R(p.REQUEST_ACCESS_APP, App)},
        "apps:request-approve": {POST: R(p.DECIDE_ACCESS_REQUEST, App, of="request_id")},
        "apps:request-deny": {POST: R(p.DECIDE_ACCESS_REQUEST, App, of="request_id")},
        "apps:request-cancel": {POST: R(p.CANCEL_ACCESS_REQUEST, App, of="request_id")},
        "apps:webhook-add": {POST: R(p.MANAGE_WEBHOOKS_APP, App)},
        "apps:webhook-edit": {GET: R(p.MANAGE_WEBHOOKS_APP, App), POST: R(p.MANAGE_WEBHOOKS_APP, App)},
        "apps:webhook-ping": {POST: R(p.MANAGE_WEBHOOKS_APP, App)},
        "apps:webhook-remove": {POST: R(p.MANAGE_WEBHOOKS_APP, App)},
    }
)

# The Platform API (accessctl.api.urls): URL name -> {method: rule}.
API: Mapping[str, Mapping[str, Rule]] = MappingProxyType(
    {
        "account": {GET: R(own=True)},
        "app-transfers": {GET: R(own=True), POST: R(p.TRANSFER_APP, App)},  # the app is named in the body
        # Only its sender and recipient see a transfer (404 for anyone else); the services check who answers.
        "app-transfer": {
            GET: R(own=True),
            PATCH: R(p.ANSWER_TRANSFER, own=True, of="transfer"),
            DELETE: R(p.CANCEL_TRANSFER, own=True, of="transfer"),
        },
        "teams": {GET: R(own=True)},
        "team-permissions": {GET: R()},
        "team-apps-create": {POST: R(p.CREATE_APP_TEAM, Team)},  # the team is named in the body
        "team-app": {
            GET: R(p.VIEW_APP, App, team_app_only=True),
            PATCH: R(
                p.LOCK_APP, App, team_app_only=True, by_field={"locked": p.LOCK_APP, "owner": p.TRANSFER_APP}
            ),
        },
        "team-app-collaborators": {
            GET: R(p.VIEW_APP, App, team_app_only=True),
            POST: R(p.MANAGE_ACCESS_APP, App, team_app_only=True),
        },
        "team-app-collaborator": {
            GET: R(p.VIEW_APP, App, team_app_only=True),
            PATCH: R(p.MANAGE_ACCESS_APP, App, team_app_only=True),
            DELETE: R(p.MANAGE_ACCESS_APP, App, team_app_only=True),  # one's own e-mail: leave (LEAVE_APP)
        },
        "team": {GET: R(p.LIST_APPS_TEAM, Team)},
        "team-features": {GET: R(p.LIST_APPS_TEAM, Team)},
        # Collaborators get 403 on the member list (the CLI's `access` tolerates only that): VIEW_TEAM.
        "team-members": {
            GET: R(p.VIEW_TEAM, Team),
            POST: R(p.MANAGE_MEMBERS, Team),  # the same as PUT: add a member (Heroku answers both)
            PUT: R(p.MANAGE_MEMBERS, Team),
            PATCH: R(p.MANAGE_MEMBERS, Team),
        },
        "team-member": {DELETE: R(p.MANAGE_MEMBERS, Team)},
        "team-apps": {GET: R(p.LIST_APPS_TEAM, Team)},
        "user-apps": {GET: R(own=True)},
        "apps": {GET: R(own=True), POST: R()},  # GET: the apps the caller can see; POST: a personal app
        "app": {
            GET: R(p.VIEW_APP, App),
            PATCH: R(p.RENAME_APP, App, by_field={"name": p.RENAME_APP, "maintenance": p.MAINTENANCE_APP}),
            DELETE: R(p.DELETE_APP, App),
        },
        "app-collaborators": {GET: R(p.VIEW_APP, App), POST: R(p.MANAGE_ACCESS_APP, App)},
        "app-collaborator": {
            GET: R(p.VIEW_APP, App),
            DELETE: R(p.MANAGE_ACCESS_APP, App),
        },  # one's own e-mail: leave (LEAVE_APP)
        "app-addons": {GET: R(p.VIEW_APP, App)},
        "app-pipeline-couplings": {GET: R(p.VIEW_APP, App)},
        "config-vars": {
            GET: R(p.EDIT_CONFIG_APP, App),
            PATCH: R(p.EDIT_CONFIG_APP, App),
        },  # values are secrets
        "releases": {GET: R(p.VIEW_APP, App), POST: R(p.ROLLBACK_APP, App)},  # a rollback
        "release": {GET: R(p.VIEW_APP, App)},
        "release-config-vars": {GET: R(p.EDIT_CONFIG_APP, App)},  # values are secrets
        "formation": {GET: R(p.VIEW_APP, App), PATCH: R(p.SCALE_APP, App)},
        "formation-info": {GET: R(p.VIEW_APP, App), PATCH: R(p.SCALE_APP, App)},
        "formation-type": {DELETE: R(p.RESTART_APP, App)},
        "formation-stop": {POST: R(p.RESTART_APP, App)},  # stopping is restarting's permission (operate)
        "dynos": {GET: R(p.VIEW_APP, App), DELETE: R(p.RESTART_APP, App)},
        "dyno": {GET: R(p.VIEW_APP, App), DELETE: R(p.RESTART_APP, App)},
        "dyno-stop": {POST: R(p.RESTART_APP, App)},
        "invitation": {GET: R()},  # whoever holds the link (signed in)
        "invitation-accept": {POST: R(own=True)},  # the invited address only (service: 403 for anyone else)
        "team-invitations": {GET: R(p.VIEW_TEAM, Team), PUT: R(p.MANAGE_MEMBERS, Team)},
        "team-invitation": {DELETE: R(p.MANAGE_MEMBERS, Team)},
        "team-access-reviews": {
            GET: R(p.VIEW_MATRIX_TEAM, Team, hides=True),
            POST: R(p.MANAGE_REVIEWS_TEAM, Team, hides=True),
        },
        "team-access-review": {
            GET: R(p.VIEW_MATRIX_TEAM, Team, hides=True),
            PATCH: R(p.MANAGE_REVIEWS_TEAM, Team, hides=True),  # closes it
        },
        "team-access-review-items": {GET: R(p.VIEW_MATRIX_TEAM, Team, hides=True)},
        "team-access-review-item": {
            PATCH: R(p.VIEW_MATRIX_TEAM, Team, hides=True)
        },  # then a reviewer (service)
        "team-webhooks": {
            GET: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True),
            POST: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True),
        },
        "team-webhook": {
            GET: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True),
            PATCH: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True),
            DELETE: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True),
        },
        "team-webhook-deliveries": {GET: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True)},
        "team-webhook-delivery": {GET: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True)},
        "team-webhook-events": {GET: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True)},
        "team-webhook-event": {GET: R(p.MANAGE_WEBHOOKS_TEAM, Team, hides=True)},
        "team-access-requests": {GET: R(p.VIEW_REQUESTS_TEAM, Team, hides=True)},
        "app-access-requests": {
            GET: R(p.VIEW_APP, App),
            POST: R(p.REQUEST_ACCESS_APP, App),
        },  # GET: one's own
        # Approve or deny (``status``); the requester cancels. Neither decider nor requester: 404.
        "app-access-request": {PATCH: R(p.DECIDE_ACCESS_REQUEST, App, of="request_id", own=True)},
        "app-webhooks": {GET: R(p.MANAGE_WEBHOOKS_APP, App), POST: R(p.MANAGE_WEBHOOKS_APP, App)},
        "app-webhook": {
            GET: R(p.MANAGE_WEBHOOKS_APP, App),
            PATCH: R(p.MANAGE_WEBHOOKS_APP, App),
            DELETE: R(p.MANAGE_WEBHOOKS_APP, App),
        },
        "app-webhook-deliveries": {GET: R(p.MANAGE_WEBHOOKS_APP, App)},
        "app-webhook-delivery": {GET: R(p.MANAGE_WEBHOOKS_APP, App)},
        "app-webhook-events": {GET: R(p.MANAGE_WEBHOOKS_APP, App)},
        "app-webhook-event": {GET: R(p.MANAGE_WEBHOOKS_APP, App)},
        "not-found": {},  # the catch-all: every method answers 404 in the Heroku shape
        # Heroku's runtime features (accessctl.api.views_unsupported): every method answers 501, to anyone.
        "heroku-only": {},
        "oauth-authorizations": {GET: R(own=True), POST: R(own=True)},
        "oauth-authorization": {GET: R(own=True), DELETE: R(own=True)},  # others' ids answer 404
        "oauth-sessions": {GET: R(own=True)},
        "oauth-session": {DELETE: R(own=True)},  # ``~``: the token of the call; any other id 404
        "rate-limits": {GET: R(own=True)},
        "team-access": {GET: R(p.VIEW_MATRIX_TEAM, Team, hides=True)},  # everyone's permissions on its apps
        "team-member-apps": {GET: R(p.VIEW_MATRIX_TEAM, Team, hides=True)},
    }
)

# Methods of served routes that start a feature only Heroku runs: AuthzMiddleware answers them with the
# 501 of ``accessctl.api.views_unsupported`` (naming the feature) instead of a bare 405.
HEROKU_ONLY_METHODS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("dynos", POST): "one-off dynos (heroku run)",
        ("dyno", POST): "one-off dynos (heroku run)",
        ("app-addons", POST): "add-ons (heroku addons:create)",
    }
)
