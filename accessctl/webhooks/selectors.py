"""Reading webhooks, their deliveries and events for the API and the settings pages."""

from __future__ import annotations

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from accessctl.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from apps.models import App
from teams.models import Team

RECENT = 5


def webhooks_of(owner: App | Team) -> QuerySet[Webhook]:
    """The webhooks of an app or of a team, oldest first."""
    scope: dict[str, App | Team] = {"app": owner} if isinstance(owner, App) else {"team": owner}
    return Webhook.objects.filter(**scope).order_by("created_at", "id")


def deliveries_of(owner: App | Team) -> QuerySet[WebhookDelivery]:
    """Every delivery to the webhooks of an app or a team, with what the API and the pages show of it."""
    scope: dict[str, App | Team] = (
        {"webhook__app": owner} if isinstance(owner, App) else {"webhook__team": owner}
    )
    return WebhookDelivery.objects.filter(**scope).select_related("webhook", "event", "last_attempt")


def events_of(owner: App | Team) -> QuerySet[WebhookEvent]:
    """The events delivered to the webhooks of an app or a team."""
    key = "deliveries__webhook__app" if isinstance(owner, App) else "deliveries__webhook__team"
    scope: dict[str, App | Team] = {key: owner}
    return WebhookEvent.objects.filter(**scope).distinct().order_by("created_at", "id")


def with_recent_deliveries(hooks: QuerySet[Webhook], count: int = RECENT) -> list[Webhook]:
    """The hooks, each with ``recent``: its last ``count`` deliveries, newest first.

    Two queries whatever the number of hooks: the hooks, then every hook's last ``count`` deliveries at once
    (numbered per hook by a window function, kept while the number is at most ``count``).
    """
    listed = list(hooks)
    recent: dict[object, list[WebhookDelivery]] = {hook.pk: [] for hook in listed}
    if listed:
        rank = Window(RowNumber(), partition_by=[F("webhook_id")], order_by=F("seq").desc())
        rows = (
            WebhookDelivery.objects.filter(webhook_id__in=list(recent))
            .select_related("event", "last_attempt")
            .annotate(rank=rank)
            .filter(rank__lte=count)
            .order_by("webhook_id", "-seq")
        )
        for delivery in rows:
            recent[delivery.webhook_id].append(delivery)
    for hook in listed:
        hook.recent = recent[hook.pk]  # type: ignore[attr-defined]
    return listed
