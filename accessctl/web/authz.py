"""What every page and API route needs, declared in one place, keyed by URL name (SPEC 20).

Each route names the object its URL points at (``on``: the ``app`` or ``team`` in the path) and the permission
a request needs on it, per method. The views enforce it through ``web.lookups`` (``get_app``/``get_team`` with
``perm``) and the services' own ``require``; this table is what they are held to: ``AuthzMiddleware`` refuses a
route that has no entry and a method that is not declared, and ``tests/test_authz_sweep.py`` requests every
route as every kind of actor and compares the answer with the entry. The outcome a declaration promises:

- not signed in: pages redirect to sign-in (``public`` ones answer), the API answers 401;
- ``on="app"``: 404 unless the user may view the app (an invisible app answers exactly like a missing one),
  then 403 without ``perm``;
- ``on="team"``: 404 unless the user may list the team's apps (collaborators may, for their apps), 404 for a
  collaborator on any other team route, 403 for a team member without ``perm``;
- ``on=None``: any signed-in user; what they act on is their own (``own``) or checked by the service.

API routes whose permission depends on the body say so per field (``by_field``): ``PATCH /apps/{app}`` with
``name`` needs rename, with ``maintenance`` the maintenance permission.
Routes under ``accounts/`` (allauth) and ``admin/`` (the support console) are delegated: allauth guards its
own flows, the admin checks staff status and model permissions on every view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from accessctl.access import policy as p
from accessctl.api.http import error_response

log = logging.getLogger("accessctl.authz")

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
        "teams:apps": {GET: R(p.LIST_APPS_TEAM, Team)},
        "teams:access": {GET: R(p.VIEW_TEAM, Team)},
        "teams:member-add": {POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:collaborator-add": {POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:member-row": {GET: R(p.VIEW_TEAM, Team)},
        "teams:member-edit": {GET: R(p.MANAGE_MEMBERS, Team), POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:member-remove": {GET: R(p.MANAGE_MEMBERS, Team), POST: R(p.MANAGE_MEMBERS, Team)},
        "teams:leave": {POST: R(p.LEAVE_TEAM, Team)},
        "teams:settings": {GET: R(p.MANAGE_SETTINGS_TEAM, Team), POST: R(p.MANAGE_SETTINGS_TEAM, Team)},
        "teams:sso": {POST: R(p.MANAGE_SETTINGS_TEAM, Team)},
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
    }
)

# Route prefixes whose views guard themselves (see the module docstring).
DELEGATED: Mapping[str, str] = MappingProxyType(
    {
        "accounts/": "allauth: sign-in, sign-up (closed in production), password reset, MFA, team SSO",
        "admin/": "Django admin: is_staff, then model permissions per view (the support group)",
    }
)

# The Platform API (accessctl.api.urls): URL name -> {method: rule}.
API: Mapping[str, Mapping[str, Rule]] = MappingProxyType(
    {
        "account": {GET: R(own=True)},
        "app-transfers": {POST: R(p.TRANSFER_APP, App)},  # the app is named in the body
        "teams": {GET: R(own=True)},
        "team-permissions": {GET: R()},
        "team-apps-create": {POST: R(p.CREATE_APP_TEAM, Team)},  # the team is named in the body
        "team-app": {
            GET: R(p.VIEW_APP, App, team_app_only=True),
            PATCH: R(p.LOCK_APP, App, team_app_only=True, by_field={"locked": p.LOCK_APP, "owner": p.TRANSFER_APP}),
        },
        "team-app-collaborators": {POST: R(p.MANAGE_ACCESS_APP, App, team_app_only=True)},
        "team-app-collaborator": {PATCH: R(p.MANAGE_ACCESS_APP, App, team_app_only=True)},
        "team": {GET: R(p.LIST_APPS_TEAM, Team)},
        "team-features": {GET: R(p.LIST_APPS_TEAM, Team)},
        # Collaborators get 403 on the member list (the CLI's `access` tolerates only that): VIEW_TEAM.
        "team-members": {
            GET: R(p.VIEW_TEAM, Team),
            PUT: R(p.MANAGE_MEMBERS, Team),
            PATCH: R(p.MANAGE_MEMBERS, Team),
        },
        "team-member": {DELETE: R(p.MANAGE_MEMBERS, Team)},
        "team-apps": {GET: R(p.LIST_APPS_TEAM, Team)},
        "user-apps": {GET: R(own=True)},
        "apps": {POST: R()},  # a personal app of the caller
        "app": {
            GET: R(p.VIEW_APP, App),
            PATCH: R(p.RENAME_APP, App, by_field={"name": p.RENAME_APP, "maintenance": p.MAINTENANCE_APP}),
            DELETE: R(p.DELETE_APP, App),
        },
        "app-collaborators": {GET: R(p.VIEW_APP, App), POST: R(p.MANAGE_ACCESS_APP, App)},
        "app-collaborator": {DELETE: R(p.MANAGE_ACCESS_APP, App)},  # one's own e-mail: leave (LEAVE_APP)
        "app-addons": {GET: R(p.VIEW_APP, App)},
        "app-pipeline-couplings": {GET: R(p.VIEW_APP, App)},
        "config-vars": {GET: R(p.EDIT_CONFIG_APP, App), PATCH: R(p.EDIT_CONFIG_APP, App)},  # values are secrets
        "releases": {GET: R(p.VIEW_APP, App), POST: R(p.ROLLBACK_APP, App)},  # a rollback
        "release": {GET: R(p.VIEW_APP, App)},
        "formation": {GET: R(p.VIEW_APP, App), PATCH: R(p.SCALE_APP, App)},
        "formation-type": {DELETE: R(p.RESTART_APP, App)},
        "dynos": {GET: R(p.VIEW_APP, App), DELETE: R(p.RESTART_APP, App)},
        "dyno": {DELETE: R(p.RESTART_APP, App)},
        "not-found": {},  # the catch-all: every method answers 404 in the Heroku shape
    }
)


def is_delegated(request: HttpRequest) -> bool:
    match = request.resolver_match
    return (
        not getattr(request, "is_api", False)
        and match is not None
        and match.route.startswith(tuple(DELEGATED))
    )


def declaration(request: HttpRequest) -> Mapping[str, Rule] | None:
    """The declared methods of the route a request resolved to; ``None`` when it has none."""
    match = request.resolver_match
    if match is None:
        return None
    return (API if getattr(request, "is_api", False) else PAGES).get(match.view_name)


class AuthzMiddleware:
    """Fail closed: a route without a declaration answers 404, an undeclared method 405 (before the view)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        if is_delegated(request):
            return None
        api = getattr(request, "is_api", False)
        methods = declaration(request)
        if methods is None:
            log.error("route_undeclared path=%s view=%s", request.path, getattr(request.resolver_match, "view_name", ""))
            if api:
                return error_response(404, "not_found", "Couldn't find that resource.")
            raise Http404("Couldn't find that page.")
        if api and not methods:  # the API's catch-all answers 404 to every method
            return None
        allowed = sorted({*methods, "HEAD"} if GET in methods else set(methods))
        if request.method in allowed:
            return None
        if api:
            response: HttpResponse = error_response(
                405, "method_not_allowed", f"{request.method} is not allowed here."
            )
            response["Allow"] = ", ".join(allowed)
            return response
        return HttpResponseNotAllowed(allowed)
