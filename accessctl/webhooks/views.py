"""The webhook parts of the app and team settings pages: add, edit, send a ping, remove (SPEC 19).

The same views serve an app's webhooks (``app=``; its admins and manage holders) and a team's (``team=``; its
admins). After adding, the page shows the signing secret once; it is never shown again.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accessctl.access import policy as p
from accessctl.web.changes import change, done
from accessctl.web.lookups import get_app, get_team
from accessctl.webhooks import selectors, services
from accessctl.webhooks.forms import WebhookForm
from accessctl.webhooks.models import Webhook
from apps.models import App
from teams.models import Team

REFUSED = "Managing an app's webhooks needs the manage permission."


def _owner(request: HttpRequest, app: str | None, team: str | None) -> App | Team:
    if app is not None:
        return get_app(request, app, perm=p.MANAGE_WEBHOOKS_APP, refusal=REFUSED)
    return get_team(request, team or "", perm=p.MANAGE_WEBHOOKS_TEAM)


def _hook(owner: App | Team, hook_id: Any) -> Webhook:
    hook = selectors.webhooks_of(owner).filter(pk=hook_id).first()
    if hook is None:
        raise Http404("Couldn't find that webhook.")
    return hook


def _prefix(owner: App | Team) -> str:
    return "apps" if isinstance(owner, App) else "teams"


def settings_url(owner: App | Team) -> str:
    return reverse(f"{_prefix(owner)}:settings", args=[owner.name]) + "#webhooks"


def webhook_context(request: HttpRequest, owner: App | Team) -> dict[str, Any]:
    """What the settings page needs to show the webhooks section (nothing without the permission)."""
    perm = p.MANAGE_WEBHOOKS_APP if isinstance(owner, App) else p.MANAGE_WEBHOOKS_TEAM
    if not request.user.has_perm(perm, owner):
        return {}
    return {
        "webhooks": selectors.with_recent_deliveries(selectors.webhooks_of(owner)),
        "webhook_form": WebhookForm(team_hook=isinstance(owner, Team)),
        "webhook_owner": owner,
        "webhook_urls": _prefix(owner),
    }


def _form_page(request: HttpRequest, owner: App | Team, form: WebhookForm, hook: Webhook | None, status: int):
    context = {
        "owner": owner,
        "form": form,
        "hook": hook,
        "urls": _prefix(owner),
        "back": settings_url(owner),
    }
    return render(request, "webhooks/webhook_edit.html", context, status=status)


@require_POST
def webhook_add(request: HttpRequest, app: str | None = None, team: str | None = None) -> HttpResponse:
    owner = _owner(request, app, team)
    form = WebhookForm(request.POST, team_hook=isinstance(owner, Team))
    where: dict[str, App | Team] = {"app" if isinstance(owner, App) else "team": owner}
    outcome = change(request, services.webhook_add, form, **where)
    if not outcome:
        return _form_page(request, owner, form, None, 422)
    context = {"owner": owner, "hook": outcome.result, "back": settings_url(owner)}
    return render(request, "webhooks/webhook_created.html", context)


@require_http_methods(["GET", "POST"])
def webhook_edit(
    request: HttpRequest, hook: Any, app: str | None = None, team: str | None = None
) -> HttpResponse:
    owner = _owner(request, app, team)
    found = _hook(owner, hook)
    team_hook = isinstance(owner, Team)
    if request.method == "GET":
        initial = {"url": found.url, "include": found.include, "level": found.level}
        return _form_page(
            request, owner, WebhookForm(initial=initial, team_hook=team_hook, editing=True), found, 200
        )
    form = WebhookForm(request.POST, team_hook=team_hook, editing=True)
    outcome = change(request, services.webhook_update, form, webhook=found)
    if outcome:
        return done(request, outcome, f"Saved the webhook to {outcome.result.url}.", settings_url(owner))
    return _form_page(request, owner, form, found, 422)


@require_POST
def webhook_ping(
    request: HttpRequest, hook: Any, app: str | None = None, team: str | None = None
) -> HttpResponse:
    owner = _owner(request, app, team)
    found = _hook(owner, hook)
    outcome = change(request, services.webhook_ping, webhook=found)
    message = f"Sent a ping to {found.url}; its delivery shows below in a few seconds."
    return done(request, outcome, message, settings_url(owner))


@require_POST
def webhook_remove(
    request: HttpRequest, hook: Any, app: str | None = None, team: str | None = None
) -> HttpResponse:
    owner = _owner(request, app, team)
    found = _hook(owner, hook)
    outcome = change(request, services.webhook_remove, webhook=found)
    return done(request, outcome, f"Removed the webhook to {found.url}.", settings_url(owner))
