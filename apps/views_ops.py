"""The guarded app operations from the overview and settings pages: each one form, one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accessctl import policy as p
from accessctl.errors import Invalid
from accessctl.web import add_error, call, done, get_app
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


def _detail(app):
    return reverse("apps:detail", args=[app.name])


def _settings(app):
    return reverse("apps:settings", args=[app.name])


def _invalid(form):
    """A form's first error as a message (action forms have a field or two)."""
    for errors in form.errors.values():
        return errors[0]
    return "Check the form and try again."


@login_required
def app_settings(request, app, **forms):
    """Config vars (deploy or manage) and rename / transfer / delete (manage)."""
    app = get_app(request, app)
    can_config = request.user.has_perm(p.EDIT_CONFIG_APP, app)
    can_manage = request.user.has_perm(p.MANAGE_APP, app)
    if not (can_config or can_manage):
        raise PermissionDenied("App settings need the deploy or manage permission.")
    context = {
        "app": app,
        "config": sorted(app.config_vars.items()) if can_config else [],
        "config_form": ConfigVarForm(),
        "rename_form": RenameForm(initial={"name": app.name}),
        "transfer_form": TransferForm(),
        "delete_form": DeleteForm(app=app),
        **forms,
    }
    return render(request, "apps/app_settings.html", context, status=422 if forms else 200)


@login_required
@require_POST
def config_set(request, app):
    app = get_app(request, app, perm=p.EDIT_CONFIG_APP)
    form = ConfigVarForm(request.POST)
    if form.is_valid():
        key, value = form.cleaned_data["key"], form.cleaned_data["value"]
        release, error = call(request, operations.app_config_update, app=app, changes={key: value})
        if error is None:
            messages.success(request, f"Set {key}; released v{release.version}.")
            return redirect(_settings(app))
        add_error(form, error)
    return app_settings(request, app.name, config_form=form)


@login_required
@require_POST
def config_unset(request, app, key):
    app = get_app(request, app, perm=p.EDIT_CONFIG_APP)
    release, error = call(request, operations.app_config_update, app=app, changes={key: None})
    message = f"Removed {key}; released v{release.version}." if release else ""
    return done(request, message, _settings(app), error=error)


@login_required
@require_POST
def app_rename(request, app):
    app = get_app(request, app, perm=p.RENAME_APP)
    form = RenameForm(request.POST)
    if form.is_valid():
        renamed, error = call(request, services.app_rename, app=app, name=form.cleaned_data["name"])
        if error is None:
            messages.success(request, f"Renamed {app.name} to {renamed.name}.")
            return redirect(_settings(renamed))
        add_error(form, error)
    return app_settings(request, app.name, rename_form=form)


@login_required
@require_POST
def app_transfer(request, app):
    app = get_app(request, app, perm=p.TRANSFER_APP)
    form = TransferForm(request.POST)
    if form.is_valid():
        recipient = form.cleaned_data["recipient"].strip()
        _, error = call(request, transfers.app_transfer, app=app, recipient=recipient)
        if error is None:
            messages.success(request, f"Transferred {app.name} to {recipient}.")
            return redirect("home")
        add_error(form, error)
    return app_settings(request, app.name, transfer_form=form)


@login_required
@require_POST
def app_delete(request, app):
    app = get_app(request, app, perm=p.DELETE_APP)
    form = DeleteForm(request.POST, app=app)
    if form.is_valid():
        _, error = call(request, services.app_delete, app=app)
        if error is None:
            messages.success(request, f"Deleted {app.name}.")
            return redirect("home")
        add_error(form, error)
    return app_settings(request, app.name, delete_form=form)


@login_required
@require_POST
def app_scale(request, app):
    app = get_app(request, app, perm=p.SCALE_APP)
    form = ScaleForm(request.POST)
    if not form.is_valid():
        return done(request, "", _detail(app), error=_form_error(form))
    _, error = call(request, operations.app_scale, app=app, updates=[form.cleaned_data])
    data = form.cleaned_data
    return done(
        request, f"Scaled {data['type']} to {data['quantity']}:{data['size']}.", _detail(app), error=error
    )


@login_required
@require_POST
def app_restart(request, app):
    app = get_app(request, app, perm=p.RESTART_APP)
    form = RestartForm(request.POST)
    process_type = (form.cleaned_data["type"] or None) if form.is_valid() else None
    count, error = call(request, operations.app_restart, app=app, process_type=process_type)
    return done(request, f"Restarted {count} dyno(s).", _detail(app), error=error)


@login_required
@require_POST
def app_maintenance(request, app):
    app = get_app(request, app, perm=p.MAINTENANCE_APP)
    form = MaintenanceForm(request.POST)
    enabled = form.is_valid() and form.cleaned_data["enabled"]
    _, error = call(request, operations.app_maintenance_set, app=app, enabled=enabled)
    return done(request, f"Maintenance mode is {'on' if enabled else 'off'}.", _detail(app), error=error)


@login_required
@require_POST
def app_deploy(request, app):
    app = get_app(request, app, perm=p.DEPLOY_RELEASE_APP)
    form = DeployForm(request.POST)
    if not form.is_valid():
        return done(request, "", _detail(app), error=_form_error(form))
    release, error = call(request, operations.app_release_create, app=app, **form.cleaned_data)
    return done(request, f"Released v{release.version}." if release else "", _detail(app), error=error)


@login_required
@require_POST
def app_rollback(request, app):
    app = get_app(request, app, perm=p.ROLLBACK_APP)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        return done(request, "", _detail(app), error=_form_error(form))
    release, error = call(request, operations.app_rollback, app=app, **form.cleaned_data)
    message = (
        f"Rolled back to v{form.cleaned_data['version']}: released v{release.version}." if release else ""
    )
    return done(request, message, _detail(app), error=error)


def _form_error(form):
    return Invalid(_invalid(form))
