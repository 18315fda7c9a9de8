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
from types import MappingProxyType

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from accessctl.api.http import error_response
from accessctl.api.views_unsupported import answer as heroku_only_answer
from accessctl.web.routes_authz import API, DELETE, GET, HEROKU_ONLY_METHODS, PAGES, PATCH, POST, PUT, R, Rule

__all__ = ["API", "DELETE", "GET", "PAGES", "PATCH", "POST", "PUT", "AuthzMiddleware", "R", "Rule"]

log = logging.getLogger("accessctl.authz")

# Route prefixes whose views guard themselves (see the module docstring).
DELEGATED: Mapping[str, str] = MappingProxyType(
    {
        "accounts/": "allauth: sign-in, sign-up (closed in production), password reset, MFA, team SSO",
        "admin/": "Django admin: is_staff, then model permissions per view (the support group)",
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
            log.error(
                "route_undeclared path=%s view=%s",
                request.path,
                getattr(request.resolver_match, "view_name", ""),
            )
            if api:
                return error_response(404, "not_found", "Couldn't find that resource.")
            raise Http404("Couldn't find that page.")
        if api and not methods:  # the API's catch-all answers 404 to every method
            return None
        allowed = sorted({*methods, "HEAD"} if GET in methods else set(methods))
        if request.method in allowed:
            return None
        if api:
            feature = HEROKU_ONLY_METHODS.get(
                (getattr(request.resolver_match, "view_name", ""), request.method or "")
            )
            if feature is not None:
                return heroku_only_answer(feature)
            response: HttpResponse = error_response(
                405, "method_not_allowed", f"{request.method} is not allowed here."
            )
            response["Allow"] = ", ".join(allowed)
            return response
        return HttpResponseNotAllowed(allowed)
