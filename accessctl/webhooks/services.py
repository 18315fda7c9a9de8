"""Adding, changing, testing and removing webhooks. One transaction and one audit event each.

An app's webhooks are managed by its team's admins and its ``manage`` holders; a team's by its admins. The
secret is generated when none is given; the caller shows it once (the API's ``Heroku-Webhook-Secret``
header, the page after adding) and it is never shown again. Audit events name the URL, never the secret or
the authorization value.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Invalid
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.webhooks import targets
from accessctl.webhooks.models import EVENT_TYPES, Level, Webhook, WebhookDelivery
from accessctl.webhooks.outbox import publish_ping
from apps.models import App
from teams.models import Team

UNKNOWN_TYPE = "Unknown event type {name} in include. Use any of: " + ", ".join(EVENT_TYPES) + "."
NO_TYPES = "include needs at least one event type: " + ", ".join(EVENT_TYPES) + "."
BAD_LEVEL = "level must be notify or sync."
BAD_SECRET = "The secret must be 1 to 200 characters."
BAD_AUTHORIZATION = "The authorization value must be at most 1000 characters, on one line."
TEAM_INCLUDE = "Team webhooks receive every event of the team; leave include out."


def _include(value: Iterable[str] | None) -> list[str]:
    names = list(dict.fromkeys(str(name).strip() for name in (value or [])))
    if not names or names == [""]:
        raise Invalid(NO_TYPES, field="include")
    for name in names:
        if name not in EVENT_TYPES:
            raise Invalid(UNKNOWN_TYPE.format(name=name or "''"), field="include")
    return sorted(names)


def _level(value: str | None) -> str:
    if value not in Level.values:
        raise Invalid(BAD_LEVEL, field="level")
    return value


def _secret(value: str | None) -> str:
    if value is None or value == "":
        return secrets.token_hex(32)
    if len(value) > 200:
        raise Invalid(BAD_SECRET, field="secret")
    return value


def _authorization(value: str | None) -> str:
    value = value or ""
    if len(value) > 1000 or "\n" in value or "\r" in value:
        raise Invalid(BAD_AUTHORIZATION, field="authorization")
    return value


def _require_manage(actor: Any, hook_owner: App | Team) -> None:
    perm = p.MANAGE_WEBHOOKS_APP if isinstance(hook_owner, App) else p.MANAGE_WEBHOOKS_TEAM
    require(actor, perm, hook_owner)


def _owner(hook: Webhook) -> App | Team:
    return hook.app if hook.app_id else hook.team  # type: ignore[return-value]


def _snapshot(hook: Webhook) -> dict[str, Any]:
    return {"url": hook.url, "include": hook.include, "level": hook.level}


def _audit(actor: Any, action: AuditAction, origin: Origin, hook: Webhook, **change: Any) -> None:
    owner = _owner(hook)
    where: dict[str, App | Team] = {"app": owner} if isinstance(owner, App) else {"team": owner}
    audit.record(actor=actor, action=action, origin=origin, **where, **change)


@transaction.atomic
def webhook_add(
    *,
    actor: Any,
    url: str,
    level: str,
    origin: Origin,
    app: App | None = None,
    team: Team | None = None,
    include: Iterable[str] | None = None,
    secret: str | None = None,
    authorization: str | None = None,
) -> Webhook:
    """Add a webhook to an app (``include`` picks the event types) or a team (every team event)."""
    owner: App | Team = app if app is not None else team  # type: ignore[assignment]
    _require_manage(actor, owner)
    if team is not None and include:
        raise Invalid(TEAM_INCLUDE, field="include")
    targets.check(url)
    hook = Webhook(
        app=app,
        team=team if app is None else None,
        include=_include(include) if app is not None else [],
        level=_level(level),
        url=url,
        secret=_secret(secret),
        authorization=_authorization(authorization),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    hook.save()
    _audit(actor, AuditAction.WEBHOOK_ADD, origin, hook, after=_snapshot(hook))
    return hook


@transaction.atomic
def webhook_update(
    *,
    actor: Any,
    webhook: Webhook,
    origin: Origin,
    url: str | None = None,
    include: Iterable[str] | None = None,
    level: str | None = None,
    secret: str | None = None,
    authorization: str | None = None,
) -> Webhook:
    """Change what is given (``None``: unchanged). Saving turns a disabled webhook back on."""
    hook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    _require_manage(actor, _owner(hook))
    before = _snapshot(hook)
    if url is not None:
        targets.check(url)
        hook.url = url
    if include is not None:
        if hook.team_id is not None:
            raise Invalid(TEAM_INCLUDE, field="include")
        hook.include = _include(include)
    if level is not None:
        hook.level = _level(level)
    if secret:
        hook.secret = _secret(secret)
    if authorization is not None:
        hook.authorization = _authorization(authorization)
    hook.disabled_at, hook.disabled_reason, hook.failing_since = None, "", None
    hook.save()
    _audit(actor, AuditAction.WEBHOOK_UPDATE, origin, hook, before=before, after=_snapshot(hook))
    return hook


@transaction.atomic
def webhook_remove(*, actor: Any, webhook: Webhook, origin: Origin) -> Webhook:
    """Remove the webhook with its deliveries."""
    hook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    _require_manage(actor, _owner(hook))
    _audit(actor, AuditAction.WEBHOOK_REMOVE, origin, hook, before=_snapshot(hook))
    hook.delete()
    return webhook


@transaction.atomic
def webhook_ping(*, actor: Any, webhook: Webhook, origin: Origin) -> WebhookDelivery:
    """Send the webhook a test event ("send a ping"); its delivery shows whether the receiver answers."""
    _require_manage(actor, _owner(webhook))
    _audit(actor, AuditAction.WEBHOOK_PING, origin, webhook, after={"url": webhook.url})
    return publish_ping(webhook=webhook, actor=actor)
