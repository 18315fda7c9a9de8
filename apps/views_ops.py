"""The guarded app operations from the overview and settings pages: each one form, one service."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accessctl import policy as p
from accessctl.errors import Invalid
from accessctl.web import call, done, get_app, submit
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


def _form_error(form) -> Invalid:
    """An action form's first error (action forms have a field or two), as a refusal to show."""
    for errors in form.errors.values():
        return Invalid(errors[0])
    return Invalid("Check the form and try again.")


@login_required
def app_settings(request, app):
    """Config vars (deploy or manage) and rename / transfer / delete (manage)."""
    return _settings_page(request, get_app(request, app))


def _settings_page(request, app, **forms):
    """The settings page; ``forms`` are refused forms shown again with their errors (status 422)."""
    can_config = request.user.has_perm(p.EDIT_CONFIG_APP, app)
    if not (can_config or request.user.has_perm(p.MANAGE_APP, app)):
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
    return submit(
        request,
        form,
        lambda data: call(
            request, operations.app_config_update, app=app, changes={data["key"]: data["value"]}
        ),
        success=lambda release: f"Set {form.cleaned_data['key']}; released v{release.version}.",
        url=_settings(app),
        failure=lambda: _settings_page(request, app, config_form=form),
    )


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
    return submit(
        request,
        form,
        lambda data: call(request, services.app_rename, app=app, name=data["name"]),
        success=lambda renamed: f"Renamed {app.name} to {renamed.name}.",
        url=_settings,
        failure=lambda: _settings_page(request, app, rename_form=form),
    )


@login_required
@require_POST
def app_transfer(request, app):
    app = get_app(request, app, perm=p.TRANSFER_APP)
    form = TransferForm(request.POST)
    return submit(
        request,
        form,
        lambda data: call(request, transfers.app_transfer, app=app, recipient=data["recipient"].strip()),
        success=lambda _: f"Transferred {app.name} to {form.cleaned_data['recipient'].strip()}.",
        url=reverse("home"),
        failure=lambda: _settings_page(request, app, transfer_form=form),
    )


@login_required
@require_POST
def app_delete(request, app):
    app = get_app(request, app, perm=p.DELETE_APP)
    form = DeleteForm(request.POST, app=app)
    return submit(
        request,
        form,
        lambda data: call(request, services.app_delete, app=app),
        success=f"Deleted {app.name}.",
        url=reverse("home"),
        failure=lambda: _settings_page(request, app, delete_form=form),
    )


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
