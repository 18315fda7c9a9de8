"""Glue shared by the dashboard views: object lookup with the right 404/403, and running a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from accessctl import policy as p
from accessctl.audit import Origin
from accessctl.errors import DomainError
from accessctl.identity import require_sign_in_policy
from apps.models import App
from teams.models import Team

TEAM_NOT_FOUND = "Couldn't find that team."
APP_NOT_FOUND = "Couldn't find that app."


def get_team(request, name: str, perm: str | None = p.VIEW_TEAM) -> Team:
    """The team, if the user may see it at all (404 otherwise); 403 if they lack ``perm``.

    Collaborators may list their apps of a team but see nothing else of it: for them any other team page
    answers 404, as if the team did not exist.
    """
    team = Team.objects.filter(name=name).first()
    user = request.user
    if team is None or not user.has_perm(p.LIST_APPS_TEAM, team):
        raise Http404(TEAM_NOT_FOUND)
    if perm is not None and not user.has_perm(perm, team):
        if not user.has_perm(p.VIEW_TEAM, team):
            raise Http404(TEAM_NOT_FOUND)
        raise PermissionDenied("Only team admins can do this.")
    require_sign_in_policy(request, team)
    return team


def get_app(request, name: str, perm: str | None = None, refusal: str | None = None) -> App:
    """The app, if the user may view it (404 otherwise, never revealing it exists); 403 without ``perm``."""
    app = App.objects.select_related("team", "owner", "locked_by").filter(name=name).first()
    if app is None or not request.user.has_perm(p.VIEW_APP, app):
        raise Http404(APP_NOT_FOUND)
    if app.team_id:
        require_sign_in_policy(request, app.team)
    if perm is not None and not request.user.has_perm(perm, app):
        raise PermissionDenied(refusal or "You do not have the permission this needs on this app.")
    return app


def origin(request) -> Origin:
    return Origin.from_request(request)


def call(request, service, **kwargs):
    """Run a service as the signed-in user. Returns ``(result, None)`` or ``(None, DomainError)``.

    ``PermissionDenied`` is not caught: it becomes the 403 page.
    """
    try:
        return service(actor=request.user, origin=origin(request), **kwargs), None
    except DomainError as error:
        return None, error


def add_error(form, error: DomainError) -> None:
    """Show a service's refusal on the form, on the field it names when the form has it."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def done(request, message: str, url: str, *, error: DomainError | None = None):
    """Finish an action POST: a message and a redirect, or for htmx a refusal status the page shows."""
    if error is not None:
        if request.htmx:
            return HttpResponse(
                error.message, status=error.status, headers={"X-Error-Message": error.message}
            )
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def pencil_edit(
    request,
    *,
    form,
    save,
    saved: str,
    back_url: str,
    template: str,
    partials: tuple[str, str],
    page: str,
    context: dict,
    fresh_row,
):
    """The pencil-edit protocol of the Access tables, decided once.

    GET (htmx) answers the form partial in place of the row; a valid POST runs ``save(cleaned_data)`` (a
    ``call(...)`` result) and answers the updated row (``fresh_row()`` gives its context) with an
    ``access-changed`` event; an invalid POST answers the form partial with its errors, status 200. Without
    htmx the same URL renders ``page`` and redirects to ``back_url`` after a save.
    """
    row_partial, form_partial = partials
    if request.method == "POST" and form.is_valid():
        _, error = save(form.cleaned_data)
        if error is None:
            if not request.htmx:
                messages.success(request, saved)
                return redirect(back_url)
            return trigger_client_event(
                render(request, f"{template}#{row_partial}", fresh_row()), "access-changed"
            )
        add_error(form, error)
    context = {**context, "form": form}
    if request.htmx:
        return render(request, f"{template}#{form_partial}", context)
    return render(request, page, context)


def submit(request, form, run, *, success, url, failure):
    """Finish a form POST: ``run(cleaned_data)`` (a ``call(...)`` result), then a message and a redirect.

    ``success`` and ``url`` are strings or functions of the service's result. A refused or invalid form goes
    to ``failure()``, which re-renders the page with the form's errors.
    """
    if form.is_valid():
        result, error = run(form.cleaned_data)
        if error is None:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(url(result) if callable(url) else url)
        add_error(form, error)
    return failure()


def query_without_page(request) -> str:
    """The request's query string without ``page``, URL-encoded, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
