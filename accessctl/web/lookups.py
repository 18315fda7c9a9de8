"""Looking objects up for a page or an API call: 404 when the user may not even see the object, 403 when they
see it but lack the permission, and the team's sign-in policy on every team object.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accessctl.access import policy as p
from accessctl.identity.signin import require_sign_in_policy
from apps.models import App
from apps.selectors_prepared import app_named
from teams.models import Team
from teams.selectors import team_named

TEAM_NOT_FOUND = "Couldn't find that team."
APP_NOT_FOUND = "Couldn't find that app."


def get_team(
    request: HttpRequest, name: str, perm: str | None = p.VIEW_TEAM, *, page_facts: bool = True
) -> Team:
    """The team, if the user may see it at all (404 otherwise); 403 if they lack ``perm``.

    Collaborators may list their apps of a team but see nothing else of it: for them any other team page
    answers 404, as if the team did not exist. The team carries what its pages need (``teams_with_page_facts``, read by ``team_named``)
    unless ``page_facts`` is off: the API, which shows neither, reads the team row alone.
    """
    team = team_named(name, page_facts=page_facts)
    user = request.user
    if team is None or not user.has_perm(p.LIST_APPS_TEAM, team):
        raise Http404(TEAM_NOT_FOUND)
    if perm is not None and not user.has_perm(perm, team):
        if not user.has_perm(p.VIEW_TEAM, team):
            raise Http404(TEAM_NOT_FOUND)
        raise PermissionDenied("Only team admins can do this.")
    require_sign_in_policy(request, team)
    return team


def get_app(
    request: HttpRequest,
    name: str,
    perm: str | None = None,
    refusal: str | None = None,
    apps: QuerySet[App] | None = None,
    *,
    implicit_viewers: bool = False,
) -> App:
    """The app, if the user may view it (404 otherwise, never revealing it exists); 403 without ``perm``.

    The app's team, owner and locker are loaded with it, and its ``implicit_viewers`` count if asked (the
    Access page), in one prepared query; ``apps`` is a queryset to look in instead, for a page that wants the
    app row annotated otherwise (the same one query).
    """
    if apps is None:
        app = app_named(name, implicit_viewers=implicit_viewers)
    else:
        app = apps.select_related("team", "owner", "locked_by").filter(name=name).first()
    if app is None or not request.user.has_perm(p.VIEW_APP, app):
        raise Http404(APP_NOT_FOUND)
    if app.team_id:
        require_sign_in_policy(request, app.team)
    if perm is not None and not request.user.has_perm(perm, app):
        request.refused_app, request.refused_perm = app, needed_perm(perm)  # type: ignore[attr-defined]
        raise PermissionDenied(refusal or "You do not have the permission this needs on this app.")
    return app


def needed_perm(perm: str) -> str | None:
    """The first app permission beyond view that allows ``perm`` (what a "Request access" button asks for)."""
    codename = perm.partition(".")[2]
    action = p.APP_ACTIONS_BY_CODENAME.get(codename)
    allowed = action.any_of if action else {p.AppPerm(v) for v in p.AppPerm.values if f"{v}_app" == codename}
    return next((str(x) for x in p.PERM_ORDER if x in allowed and x != p.AppPerm.VIEW), None)
