"""App pages: overview, Access (pencil-edit of grants, add/remove, lock, join/leave) and creation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accessctl.access import policy as p
from accessctl.identity.models import User
from accessctl.identity.signin import hidden_team_ids
from accessctl.web.changes import change, done, pencil_form, pencil_saved
from accessctl.web.keyset import PreparedRows, keyset_page
from accessctl.web.lookups import get_app
from accessctl.web.rowurls import row_urls
from apps import services
from apps.forms import AddUserForm, CreateAppForm
from apps.forms_requests import ExtendForm, PencilForm
from apps.models import DYNO_SIZES, App
from apps.selectors_access import (
    AccessRow,
    access_rows,
    app_access_people,
    app_access_row,
    implicit_viewers_of,
)
from apps.selectors_prepared import app_access_people_page, formation_of, latest_releases
from apps.temporary import app_grant_set
from apps.views_requests import access_page_context
from teams.selectors import teams_for

ACCESS_TEMPLATE = "apps/app_access.html"
JOIN_REFUSED = (
    "You cannot join this app. Only team members can join, and only unlocked apps; ask a team admin or "
    "someone with the manage permission to add you."
)


def _access_url(app: App) -> str:
    return reverse("apps:access", kwargs={"app": app.name})


def app_detail(request: HttpRequest, app: str) -> HttpResponse:
    """Overview: owner, lock and maintenance state, formation, latest releases, allowed actions."""
    found = get_app(request, app)
    context = {
        "app": found,
        "formation": formation_of(found),
        "releases": latest_releases(found),
        "sizes": DYNO_SIZES,
    }
    return render(request, "apps/app_detail.html", context)


def row_context(request: HttpRequest, app: App) -> dict[str, Any]:
    """What each Access row needs, worked out once a page: whether the user manages access (one ``has_perm``,
    not one a row) and the rows' URLs (reversed once)."""
    names = ("grant-edit", "grant-remove", "temporary-extend", "temporary-end")
    return {
        "can_manage": request.user.has_perm(p.MANAGE_ACCESS_APP, app),
        "row_urls": row_urls("apps:", names, app=app.name),
        "extend_form": ExtendForm(),
    }


def _access_page(request: HttpRequest, app: App, status: int = 200, **forms: Any) -> HttpResponse:
    """One keyset page (by e-mail) of the people with access, each with both grants, the implicit-viewer
    summary (on the app row) and the requests: one query each."""

    def fetch(backwards: bool, cursor: list[Any] | None, limit: int) -> list[Any]:
        after = cursor[0] if cursor is not None else None
        return app_access_people_page(app, backwards=backwards, after_email=after, limit=limit)

    people = PreparedRows(User, fetch, lambda: app_access_people(app))
    page = keyset_page(request, people, keys=("email",), size=settings.PAGE_SIZE)
    context = {
        "app": app,
        "page": page,
        # the table refreshes itself (after a lock change) on the page it shows, never on a POST's URL
        "table_url": request.get_full_path() if request.method == "GET" else _access_url(app),
        "rows": access_rows(app, page),
        "implicit_viewers": implicit_viewers_of(app),
        "add_form": AddUserForm(),
        **row_context(request, app),
        **access_page_context(request, app),
        **forms,
    }
    if request.htmx and request.htmx.target == "grant-table":  # type: ignore[attr-defined]
        return render(request, f"{ACCESS_TEMPLATE}#grant-table", context)
    return render(request, ACCESS_TEMPLATE, context, status=status)


def app_access(request: HttpRequest, app: str) -> HttpResponse:
    """Everyone with access and why; admins and manage holders edit."""
    return _access_page(request, get_app(request, app, implicit_viewers=True))


def _row(app: App, user_id: int) -> AccessRow:
    row = app_access_row(app, user_id)
    if row is None:
        raise Http404("This user has no access to the app.")
    return row


def grant_row(request: HttpRequest, app: str, user_id: int) -> HttpResponse:
    """One row of the access table (the Cancel of a pencil edit)."""
    found = get_app(request, app)
    context = {"app": found, "row": _row(found, user_id), **row_context(request, found)}
    return render(request, f"{ACCESS_TEMPLATE}#grant-row", context)


@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, app: str, user_id: int) -> HttpResponse:
    """The pencil: four checkboxes (and "for" a while, with a reason) in place of the row; on save the
    updated row comes back.
    """
    found = get_app(request, app, perm=p.MANAGE_ACCESS_APP)
    row = _row(found, user_id)
    if not row.editable:
        raise Http404("Only explicit grants can be edited; team admins hold everything through their role.")
    form = PencilForm(request.POST if request.method == "POST" else None, initial={"permissions": row.perms})
    if request.method == "POST" and change(request, app_grant_set, form, app=found, user=row.user):
        return pencil_saved(
            request,
            row=f"{ACCESS_TEMPLATE}#grant-row",
            context={"app": found, "row": _row(found, user_id), **row_context(request, found)},
            message=f"Updated the permissions of {row.user.email}.",
            url=_access_url(found),
        )
    return pencil_form(
        request,
        partial=f"{ACCESS_TEMPLATE}#grant-form",
        page="apps/grant_edit.html",
        context={"app": found, "row": row, "form": form},
    )


@require_POST
def grant_add(request: HttpRequest, app: str) -> HttpResponse:
    """Give a user access with chosen permissions (view always included)."""
    found = get_app(request, app, perm=p.MANAGE_ACCESS_APP)
    form = AddUserForm(request.POST)
    outcome = change(request, services.app_grant_add, form, app=found)
    if outcome:
        message = f"Gave {outcome.result.user.email} access to {found.name}."
        return done(request, outcome, message, _access_url(found))
    return _access_page(request, found, status=422, add_form=form)


@require_POST
def grant_remove(request: HttpRequest, app: str, user_id: int) -> HttpResponse:
    """Take a user's grant away."""
    found = get_app(request, app, perm=p.MANAGE_ACCESS_APP)
    user = get_object_or_404(User, pk=user_id)
    outcome = change(request, services.app_grant_remove, app=found, user=user)
    return done(request, outcome, f"Removed {user.email} from {found.name}.", _access_url(found))


@require_POST
def app_lock(request: HttpRequest, app: str, locked: bool = True) -> HttpResponse:
    """Lock App / Unlock App: answers the lock panel (htmx) and tells the grant table to refresh."""
    found = get_app(request, app, perm=p.LOCK_APP)
    outcome = change(request, services.app_set_locked, app=found, locked=locked)
    verb = "Locked" if locked else "Unlocked"
    if request.htmx and outcome:  # type: ignore[attr-defined]
        response = render(request, f"{ACCESS_TEMPLATE}#lock-panel", {"app": outcome.result})
        response = trigger_client_event(response, "change-saved", {"message": f"{verb} {found.name}."})
        return trigger_client_event(response, "access-changed")
    return done(request, outcome, f"{verb} {found.name}.", _access_url(found))


@require_POST
def app_join(request: HttpRequest, app: str) -> HttpResponse:
    """A member joins an unlocked team app."""
    found = get_app(request, app, perm=p.JOIN_APP, refusal=JOIN_REFUSED)
    outcome = change(request, services.app_join, app=found)
    message = f"You joined {found.name} with {', '.join(outcome.result.perm_list)}." if outcome else ""
    return done(request, outcome, message, _access_url(found))


@require_POST
def app_leave(request: HttpRequest, app: str) -> HttpResponse:
    """Drop my own grant on the app."""
    refusal = "You hold no permissions of your own on this app."
    found = get_app(request, app, perm=p.LEAVE_APP, refusal=refusal)
    outcome = change(request, services.app_leave, app=found)
    return done(request, outcome, f"You left {found.name}.", reverse("home"))


@require_http_methods(["GET", "POST"])
def app_create(request: HttpRequest) -> HttpResponse:
    """Create a personal app, or a team app in a team where I may create apps (and whose sign-in policy
    this session meets)."""
    hidden = hidden_team_ids(request)
    teams = [
        row.team
        for row in teams_for(request.user)
        if row.team.pk not in hidden and request.user.has_perm(p.CREATE_APP_TEAM, row.team)
    ]
    if request.method == "GET":
        form = CreateAppForm(teams=teams, initial={"team": request.GET.get("team", "")})
        return render(request, "apps/app_create.html", {"form": form})
    form = CreateAppForm(request.POST, teams=teams)
    outcome = change(request, services.app_create, form)
    if outcome:
        url = reverse("apps:detail", kwargs={"app": outcome.result.name})
        return done(request, outcome, f"Created {outcome.result.name}.", url)
    return render(request, "apps/app_create.html", {"form": form}, status=422)
