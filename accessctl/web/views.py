"""The dashboard home, the permissions help page and the error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accessctl.access import policy
from accessctl.access.facts import temporary_notes_for
from accessctl.identity.signin import sign_in_blocks
from accessctl.web.keyset import PreparedRows, keyset_page
from accessctl.web.rowurls import app_url
from apps.models import App
from apps.selectors import app_rows_for, apps_visible_to
from apps.selectors_home import pending_transfers_rows, visible_apps_page
from teams.selectors import teams_for


def home(request: HttpRequest) -> HttpResponse:
    """The teams I belong to and every app I can access, with my permissions and why.

    A team whose sign-in policy this session fails is listed with what to do (its SSO link, or MFA set-up)
    and its apps are left out.
    """
    rows = teams_for(request.user)
    blocks = sign_in_blocks(request, teams=[row.team for row in rows])
    blocked = list(blocks)

    def fetch(backwards: bool, cursor: list[Any] | None, limit: int) -> list[Any] | None:
        after = cursor[0] if cursor is not None else None
        return visible_apps_page(request.user, blocked, backwards=backwards, after_name=after, limit=limit)

    apps = PreparedRows(App, fetch, lambda: apps_visible_to(request.user).exclude(team_id__in=blocked))
    page = keyset_page(request, apps, keys=("name",), size=settings.PAGE_SIZE)
    teams = [(row, blocks.get(row.team.pk)) for row in rows]
    return render(
        request,
        "home.html",
        {
            "teams": teams,
            "page": page,
            "app_rows": app_rows_for(request.user, page),
            "app_urls": {"detail": app_url("apps:detail")},  # reversed once a page, not once a row
            "temporary": temporary_notes_for(request.user),  # read with the access facts, no query
            "transfers": pending_transfers_rows(request.user),
        },
    )


@login_not_required
def permissions_help(request: HttpRequest) -> HttpResponse:
    """The role table and the app action catalog, rendered from the rules module itself."""
    roles = [*policy.TeamRole.values, policy.COLLABORATOR]
    return render(
        request,
        "help/permissions.html",
        {
            "perm_order": policy.PERM_ORDER,
            "perm_descriptions": policy.PERM_DESCRIPTIONS,
            "app_actions": [
                (action, [perm in action.any_of for perm in policy.PERM_ORDER])
                for action in policy.APP_ACTIONS
            ],
            "roles": roles,
            "team_actions": [
                (action, [role in action.roles for role in roles]) for action in policy.TEAM_ACTIONS
            ],
        },
    )


@login_not_required
def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """The 403 page; where the refused action was on an app the user may ask for, a "Request access" button
    with the permission that action needs already ticked.
    """
    message = str(exception) if exception and str(exception) else "You do not have permission to do this."
    app, wanted = getattr(request, "refused_app", None), None
    if app is not None and request.user.has_perm(policy.REQUEST_ACCESS_APP, app):
        wanted = getattr(request, "refused_perm", None)
    else:
        app = None
    return render(request, "403.html", {"message": message, "app": app, "wanted": wanted}, status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
