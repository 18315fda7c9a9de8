"""Turning audit events into webhook events and deliveries, inside the transaction of the change.

``audit.log.record`` calls :func:`publish` for every audit event. The event and its deliveries are rows of the
same transaction, and the delivery tasks are queued only once it commits: a rolled-back change sends nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q

from accessctl.audit.models import AuditEvent
from accessctl.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from accessctl.webhooks.payloads import audit_payload, classify, ping_payload
from accessctl.webhooks.tasks import deliver_webhook


def receivers(event: AuditEvent, include: str) -> list[Webhook]:
    """The enabled webhooks an audit event goes to: the app's that include its type, and all of its team's."""
    scope = Q()
    if event.app_id is not None:
        scope |= Q(app_id=event.app_id)
    if event.team_id is not None:
        scope |= Q(team_id=event.team_id)
    if not scope:
        return []
    hooks = Webhook.objects.filter(scope, disabled_at__isnull=True)
    return [hook for hook in hooks if hook.team_id is not None or include in hook.include]


def publish(event: AuditEvent, *, actor: Any, app: Any, team: Any, target_user: Any) -> WebhookEvent | None:
    """Write the webhook event of one audit event and a delivery for each receiver (none: nothing written)."""
    include = classify(event.action)[0]
    hooks = receivers(event, include)
    if not hooks:
        return None
    event_id = uuid.uuid4()
    payload = audit_payload(
        event, event_id=event_id, actor=actor, app=app, team=team, target_user=target_user
    )
    webhook_event = WebhookEvent.objects.create(
        id=event_id,
        audit_event=event,
        app_id=event.app_id,
        team_id=event.team_id,
        include=include,
        payload=payload,
    )
    _deliver(webhook_event, hooks)
    return webhook_event


def publish_ping(*, webhook: Webhook, actor: Any) -> WebhookDelivery:
    """A test event for one webhook ("send a ping"), delivered like any other."""
    event_id = uuid.uuid4()
    webhook_event = WebhookEvent.objects.create(
        id=event_id,
        app_id=webhook.app_id,
        team_id=webhook.team_id,
        include="ping",
        payload=ping_payload(event_id=event_id, webhook=webhook, actor=actor),
    )
    return _deliver(webhook_event, [webhook])[0]


def _deliver(webhook_event: WebhookEvent, hooks: list[Webhook]) -> list[WebhookDelivery]:
    deliveries = [WebhookDelivery.objects.create(webhook=hook, event=webhook_event) for hook in hooks]
    ids = [str(delivery.public_id) for delivery in deliveries]
    # robust: the change has committed by then; a queue failure is logged, never turned into an error answer
    transaction.on_commit(lambda: [deliver_webhook.enqueue(delivery_id) for delivery_id in ids], robust=True)
    return deliveries
