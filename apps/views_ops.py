"""The guarded app operations from the overview and settings pages: each one form, one service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accessctl.access import policy as p
from accessctl.web.changes import change, done
from accessctl.web.lookups import get_app
from accessctl.webhooks.views import webhook_context
from apps import operations, services, transfers
from apps.forms import (
    ConfigVarForm,
    DeleteForm,
    DeployForm,
    MaintenanceForm,
    RenameForm,
    RestartForm,
    RollbackForm,
    ScaleForm,
    TransferForm,
)
from apps.models import App, TransferState

SETTINGS_REFUSED = "App settings need the deploy or manage permission."


def _detail(app: App) -> str:
    return reverse("apps:detail", args=[app.name])


def _settings(app: App) -> str:
    return reverse("apps:settings", args=[app.name])


def app_settings(request: HttpRequest, app: str) -> HttpResponse:
    """Config vars (deploy or manage) and rename / transfer / delete (manage)."""
    return _settings_page(request, get_app(request, app, perm=p.SETTINGS_APP, refusal=SETTINGS_REFUSED))


def _settings_page(request: HttpRequest, app: App, **forms: Any) -> HttpResponse:
    """The settings page; ``forms`` are refused forms shown again with their errors (status 422)."""
    can_config = request.user.has_perm(p.EDIT_CONFIG_APP, app)
    context = {
        "app": app,
        "config": sorted(app.config_vars.items()) if can_config else [],
        "config_form": ConfigVarForm(),
        "rename_form": RenameForm(initial={"name": app.name}),
        "transfer_form": TransferForm(),
        "delete_form": DeleteForm(app=app),
        **webhook_context(request, app),
        **forms,
    }
    return render(request, "apps/app_settings.html", context, status=422 if forms else 200)


@require_POST
def config_set(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.EDIT_CONFIG_APP)
    form = ConfigVarForm(request.POST)
    outcome = change(request, operations.app_config_update, form, app=found)
    if outcome:
        message = f"Set {form.data['key']}; released v{outcome.result.version}."
        return done(request, outcome, message, _settings(found))
    return _settings_page(request, found, config_form=form)


@require_POST
def config_unset(request: HttpRequest, app: str, key: str) -> HttpResponse:
    found = get_app(request, app, perm=p.EDIT_CONFIG_APP)
    outcome = change(request, operations.app_config_update, app=found, changes={key: None})
    message = f"Removed {key}; released v{outcome.result.version}." if outcome else ""
    return done(request, outcome, message, _settings(found))


@require_POST
def app_rename(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.RENAME_APP)
    old_name = found.name
    form = RenameForm(request.POST)
    outcome = change(request, services.app_rename, form, app=found)
    if outcome:
        renamed = outcome.result
        return done(request, outcome, f"Renamed {old_name} to {renamed.name}.", _settings(renamed))
    return _settings_page(request, found, rename_form=form)


@require_POST
def app_transfer(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.TRANSFER_APP)
    form = TransferForm(request.POST)
    outcome = change(request, transfers.app_transfer_create, form, app=found)
    if outcome:
        recipient = form.data["recipient"].strip()
        if outcome.result.state == TransferState.PENDING:
            message = f"Offered {found.name} to {recipient}: it moves when they accept."
            return done(request, outcome, message, reverse("home"))
        return done(request, outcome, f"Transferred {found.name} to {recipient}.", reverse("home"))
    return _settings_page(request, found, transfer_form=form)


@require_POST
def app_delete(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.DELETE_APP)
    form = DeleteForm(request.POST, app=found)
    outcome = change(request, services.app_delete, form, app=found)
    if outcome:
        return done(request, outcome, f"Deleted {found.name}.", reverse("home"))
    return _settings_page(request, found, delete_form=form)


@require_POST
def app_scale(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.SCALE_APP)
    form = ScaleForm(request.POST)
    outcome = change(request, operations.app_scale, form, app=found)
    message = ""
    if outcome:
        item = next(f for f in outcome.result if f.type == form.data["type"])
        message = f"Scaled {item.type} to {item.quantity}:{item.size}."
    return done(request, outcome, message, _detail(found))


@require_POST
def app_restart(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.RESTART_APP)
    outcome = change(request, operations.app_restart, RestartForm(request.POST), app=found)
    return done(request, outcome, f"Restarted {outcome.result} dyno(s).", _detail(found))


@require_POST
def app_maintenance(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.MAINTENANCE_APP)
    outcome = change(request, operations.app_maintenance_set, MaintenanceForm(request.POST), app=found)
    state = "on" if outcome and outcome.result.maintenance else "off"
    return done(request, outcome, f"Maintenance mode is {state}.", _detail(found))


@require_POST
def app_deploy(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.DEPLOY_RELEASE_APP)
    outcome = change(request, operations.app_release_create, DeployForm(request.POST), app=found)
    message = f"Released v{outcome.result.version}." if outcome else ""
    return done(request, outcome, message, _detail(found))


@require_POST
def app_rollback(request: HttpRequest, app: str) -> HttpResponse:
    found = get_app(request, app, perm=p.ROLLBACK_APP)
    form = RollbackForm(request.POST)
    outcome = change(request, operations.app_rollback, form, app=found)
    message = ""
    if outcome:
        message = f"Rolled back to v{form.cleaned_data['version']}: released v{outcome.result.version}."
    return done(request, outcome, message, _detail(found))
