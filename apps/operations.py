"""The guarded runtime actions of SPEC section 4: config vars, releases, rollback, formation, maintenance.

Each is one transaction on a locked app row with one audit event. Config values are never written to the
audit log, only the names of the keys that changed.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Invalid, NotFound
from accessctl.access.names import plain_text_problem
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from apps.models import DYNO_SIZES, App, Formation, Release
from apps.services import lock_app_row

CONFIG_KEY = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]{0,99}\Z")
MAX_QUANTITY = 100


def _next_release(app: App, *, actor: Any, description: str) -> Release:
    version = (app.releases.aggregate(v=Max("version"))["v"] or 0) + 1
    return Release.objects.create(
        app=app,
        version=version,
        description=description[:200],
        user=actor if actor.pk else None,
        config_vars=dict(app.config_vars),
    )


def _and_join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@transaction.atomic
def app_config_update(*, actor: Any, app: App, changes: dict[str, str | None], origin: Origin) -> Release:
    """Set (string value) or unset (``None``) config vars, making a new release. Unknown unsets are ignored."""
    require(actor, p.EDIT_CONFIG_APP, app)
    if not changes:
        raise Invalid("Give at least one config var to set or unset.", field="config")
    for key, value in changes.items():
        if not isinstance(key, str) or not CONFIG_KEY.match(key):
            raise Invalid(
                f"'{key}' is not a valid config var name: use letters, digits and underscores.",
                field=str(key),
            )
        if value is not None and not isinstance(value, str):
            raise Invalid(f"The value of {key} must be a string (or null to unset it).", field=key)
    app = lock_app_row(app)
    config = dict(app.config_vars)
    set_keys = [k for k, v in changes.items() if v is not None]
    unset_keys = [k for k, v in changes.items() if v is None and k in config]
    for key in set_keys:
        config[key] = changes[key]
    for key in unset_keys:
        del config[key]
    app.config_vars = config
    app.save(update_fields=["config_vars", "updated_at"])
    parts = []
    if set_keys:
        parts.append(f"Set {_and_join(set_keys)} config vars")
    if unset_keys:
        parts.append(f"Remove {_and_join(unset_keys)} config vars")
    release = _next_release(app, actor=actor, description="; ".join(parts) or "Config unchanged")
    audit.record(
        actor=actor,
        action=AuditAction.CONFIG_UPDATE,
        origin=origin,
        app=app,
        after={"set": set_keys, "unset": unset_keys, "release": release.version},
    )
    return release


@transaction.atomic
def app_release_create(*, actor: Any, app: App, description: str, origin: Origin) -> Release:
    """Deploy: a new release with the current config."""
    require(actor, p.DEPLOY_RELEASE_APP, app)
    description = (description or "").strip()
    if not description:
        raise Invalid("Describe the release (for example the commit you deploy).", field="description")
    if len(description) > 200:
        raise Invalid("Keep the release description under 200 characters.", field="description")
    problem = plain_text_problem(description, what="release description")
    if problem:
        raise Invalid(problem, field="description")
    app = lock_app_row(app)
    release = _next_release(app, actor=actor, description=description)
    audit.record(
        actor=actor,
        action=AuditAction.RELEASE_CREATE,
        origin=origin,
        app=app,
        after={"version": release.version, "description": description},
    )
    return release


@transaction.atomic
def app_rollback(*, actor: Any, app: App, version: int, origin: Origin) -> Release:
    """Roll back to an earlier release: a new release carrying that release's config."""
    require(actor, p.ROLLBACK_APP, app)
    app = lock_app_row(app)
    target = app.releases.filter(version=version).first()
    if target is None:
        raise NotFound(f"{app.name} has no release v{version}.", field="release")
    app.config_vars = dict(target.config_vars)
    app.save(update_fields=["config_vars", "updated_at"])
    release = _next_release(app, actor=actor, description=f"Rollback to v{target.version}")
    audit.record(
        actor=actor,
        action=AuditAction.RELEASE_ROLLBACK,
        origin=origin,
        app=app,
        after={"version": release.version, "rolled_back_to": target.version},
    )
    return release


def _parse_quantity(raw: object, current: int, process_type: str) -> int:
    text = str(raw).strip()
    if not re.fullmatch(r"[+-]?\d{1,4}", text):
        raise Invalid(
            f"The quantity of {process_type} must be a whole number (or +N / -N).", field="quantity"
        )
    value = current + int(text) if text[0] in "+-" else int(text)
    if not 0 <= value <= MAX_QUANTITY:
        raise Invalid(
            f"The quantity of {process_type} must be between 0 and {MAX_QUANTITY}.", field="quantity"
        )
    return value


@transaction.atomic
def app_scale(*, actor: Any, app: App, updates: list[dict[str, Any]], origin: Origin) -> list[Formation]:
    """Scale or resize process types: each update has ``type`` and ``quantity`` and/or ``size``."""
    require(actor, p.SCALE_APP, app)
    app = lock_app_row(app)
    formation = {f.type: f for f in app.formation.all()}
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for update in updates:
        process_type = str(update.get("type"))
        item = formation.get(process_type)
        if item is None:
            raise NotFound(
                f"No such process type {process_type} defined in the formation of {app.name}.", field="type"
            )
        before[process_type] = f"{item.quantity}:{item.size}"
        if update.get("quantity") is not None:
            item.quantity = _parse_quantity(update["quantity"], item.quantity, process_type)
        if update.get("size") is not None:
            size = str(update["size"]).replace("Shield-", "Private-")
            matches = [s for s in DYNO_SIZES if s.lower() == size.lower()]
            if not matches:
                raise Invalid(f"Unknown dyno size {size}. Use one of: {', '.join(DYNO_SIZES)}.", field="size")
            item.size = matches[0]
        item.save()
        after[process_type] = f"{item.quantity}:{item.size}"
    audit.record(
        actor=actor, action=AuditAction.FORMATION_SCALE, origin=origin, app=app, before=before, after=after
    )
    return sorted(formation.values(), key=lambda f: f.type)


def _dynos(app: App, process_type: str | None, dyno: str | None) -> tuple[list[Formation], int]:
    """The process types a dyno action reaches (all, one type, or the type of one dyno ``web.1``) and how many
    dynos that is. An unknown type or dyno is a ``NotFound`` naming it."""
    items = list(app.formation.all())
    if dyno is not None:
        kind, _, number = dyno.partition(".")
        item = next((f for f in items if f.type == kind), None)
        if item is None or not number.isdigit() or not 1 <= int(number) <= item.quantity:
            raise NotFound(f"Couldn't find the dyno {dyno} on {app.name}.", field="dyno")
        return [item], 1
    if process_type is not None:
        items = [f for f in items if f.type == process_type]
        if not items:
            raise NotFound(f"No such process type {process_type} on {app.name}.", field="type")
    return items, sum(f.quantity for f in items)


def _cycle(
    actor: Any, app: App, origin: Origin, action: AuditAction, process_type: str | None, dyno: str | None
) -> int:
    require(actor, p.RESTART_APP, app)
    app = lock_app_row(app)
    items, count = _dynos(app, process_type, dyno)
    now = timezone.now()
    for item in items:
        item.restarted_at = now
        item.save(update_fields=["restarted_at", "updated_at"])
    kind = dyno.partition(".")[0] if dyno else process_type
    audit.record(
        actor=actor, action=action, origin=origin, app=app, after={"dyno": dyno, "type": kind, "count": count}
    )
    return count


@transaction.atomic
def app_restart(
    *, actor: Any, app: App, origin: Origin, process_type: str | None = None, dyno: str | None = None
) -> int:
    """Restart all dynos, those of one process type, or one dyno (``web.1``). Returns how many restarted."""
    return _cycle(actor, app, origin, AuditAction.DYNOS_RESTART, process_type, dyno)


@transaction.atomic
def app_dynos_stop(
    *, actor: Any, app: App, origin: Origin, process_type: str | None = None, dyno: str | None = None
) -> int:
    """Stop the dynos of one process type or one dyno (``heroku ps:stop``), as restarting needs (operate).

    As on Heroku, the formation is not changed: its dynos are started again at once, so a stop is recorded
    (``dynos.stop``) and the dynos' start time moves; scale to 0 to keep a process type down.
    """
    return _cycle(actor, app, origin, AuditAction.DYNOS_STOP, process_type, dyno)


@transaction.atomic
def app_maintenance_set(*, actor: Any, app: App, enabled: bool, origin: Origin) -> App:
    """Switch maintenance mode on or off."""
    require(actor, p.MAINTENANCE_APP, app)
    app = lock_app_row(app)
    if app.maintenance != enabled:
        app.maintenance = enabled
        app.save(update_fields=["maintenance", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.APP_MAINTENANCE,
            origin=origin,
            app=app,
            before={"maintenance": not enabled},
            after={"maintenance": enabled},
        )
    return app
