"""Sending one delivery: sign the exact body, POST it once, record the attempt, decide what comes next.

Each attempt is claimed first (``claim``): one conditional update that only succeeds for the attempt the task
read, when it is due and no other worker holds it, so a delivery queued twice (the sweep of stranded
deliveries racing a task that was only late) is still sent once.

``notify`` hooks get one attempt. ``sync`` hooks are retried with exponential backoff and jitter until 24 hours
after the event. A hook whose deliveries have all failed for 24 hours is disabled and the admins who can fix it
(the team's admins, or a personal app's owner) are e-mailed. The request is made outside any transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accessctl.access.roles import TeamRole
from accessctl.webhooks import targets
from accessctl.webhooks.models import DeliveryStatus, Level, Webhook, WebhookAttempt, WebhookDelivery
from teams.models import Membership

RETRY_WINDOW = timedelta(hours=24)
DISABLE_AFTER = timedelta(hours=24)
MAX_DELAY = timedelta(hours=1)
SIGNATURE_HEADER = "Heroku-Webhook-Hmac-SHA256"
DISABLED = "Every delivery failed for 24 hours. Fix the receiver, then save the webhook to turn it back on."
USER_AGENT = "accessctl-webhooks/1"
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# How long a claim holds: well over one attempt (connect and read timeouts), well under the stranded margin.
CLAIM_LEASE = timedelta(minutes=5)
# A retry task may run a little before its time by another machine's clock.
CLOCK_SLACK = timedelta(seconds=5)


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_at: datetime | None = None


def sign(secret: str, body: bytes) -> str:
    """``Heroku-Webhook-Hmac-SHA256``: base64 of the HMAC-SHA256 of the exact body, keyed with the secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def retry_delay(
    attempts: int, *, base: float | None = None, rand: Callable[[], float] = random.random
) -> timedelta:
    """How long to wait after the ``attempts``-th failure: ``base * 2^(attempts-1)``, capped at an hour, of
    which a random half is dropped (jitter), so receivers coming back up are not hit by every sender at once."""
    base = settings.WEBHOOKS_RETRY_BASE_SECONDS if base is None else base
    ceiling = min(MAX_DELAY.total_seconds(), base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=ceiling / 2 + rand() * ceiling / 2)


def body_of(delivery: WebhookDelivery, attempt_id: uuid.UUID) -> bytes:
    """The exact bytes sent: the event's payload plus where this copy belongs (Heroku's ``webhook_metadata``)."""
    event = delivery.event
    metadata = {
        "attempt": {"id": str(attempt_id)},
        "delivery": {"id": str(delivery.public_id)},
        "event": {"id": str(event.id), "include": event.include},
        "webhook": {"id": str(delivery.webhook_id)},
    }
    return json.dumps({**event.payload, "webhook_metadata": metadata}, separators=(",", ":")).encode()


def headers_for(hook: Webhook, delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(hook.secret, body),
        "Heroku-Webhook-Id": str(delivery.public_id),
    }
    if hook.authorization:
        headers["Authorization"] = hook.authorization
    return headers


def attempt(delivery_id: str) -> Outcome:
    """Make the next attempt of a delivery and record it; the outcome says when to try again, if ever."""
    delivery = (
        WebhookDelivery.objects.select_related("webhook", "event").filter(public_id=delivery_id).first()
    )
    if delivery is None:
        return Outcome("gone")
    if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
        return Outcome(delivery.status)
    hook = delivery.webhook
    if hook.disabled_at is not None:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None
        )
        return Outcome(DeliveryStatus.FAILED)
    if not claim(delivery):
        return Outcome("skipped")
    attempt_id = uuid.uuid4()
    body = body_of(delivery, attempt_id)
    answer = targets.post(
        hook.url, body, headers_for(hook, delivery, body), timeout=settings.WEBHOOKS_TIMEOUT_SECONDS
    )
    return _record(delivery.pk, attempt_id, answer)


def claim(delivery: WebhookDelivery) -> bool:
    """Take the delivery's next attempt for this worker: only if nothing was recorded since it was read, it is
    due, and no other worker holds an unexpired claim. One conditional update, so of two racers one wins."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + CLOCK_SLACK)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    taken = (
        WebhookDelivery.objects.filter(due, free, pk=delivery.pk, status__in=OPEN)
        .filter(num_attempts=delivery.num_attempts)
        .update(claimed_until=now + CLAIM_LEASE)
    )
    return taken == 1


@transaction.atomic
def _record(delivery_pk: int, attempt_id: uuid.UUID, answer: targets.Answer) -> Outcome:
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_pk).first()
    hook = Webhook.objects.select_for_update().filter(pk=delivery.webhook_id).first() if delivery else None
    if delivery is None or hook is None:  # removed while the request was out
        return Outcome("gone")
    now = timezone.now()
    number = delivery.num_attempts + 1
    delivery.last_attempt = WebhookAttempt.objects.create(
        id=attempt_id,
        delivery=delivery,
        number=number,
        succeeded=answer.succeeded,
        code=answer.code,
        error_class=answer.error_class,
        error=answer.error,
        duration_ms=answer.duration_ms,
        created_at=now,
    )
    delivery.num_attempts = number
    retry_at = None
    if answer.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        Webhook.objects.filter(pk=hook.pk).update(failing_since=None)
    else:
        failing_since = hook.failing_since or now
        retry_at = now + retry_delay(number)
        if hook.level != Level.SYNC or retry_at >= delivery.created_at + RETRY_WINDOW:
            retry_at = None
        if now - failing_since >= DISABLE_AFTER:
            retry_at = None
            _disable(hook, now)
        Webhook.objects.filter(pk=hook.pk).update(failing_since=failing_since)
        delivery.status = DeliveryStatus.RETRYING if retry_at else DeliveryStatus.FAILED
    delivery.next_attempt_at, delivery.claimed_until = retry_at, None
    fields = ["last_attempt", "num_attempts", "status", "next_attempt_at", "claimed_until", "updated_at"]
    delivery.save(update_fields=fields)
    return Outcome(delivery.status, retry_at)


def _disable(hook: Webhook, now: datetime) -> None:
    Webhook.objects.filter(pk=hook.pk).update(disabled_at=now, disabled_reason=DISABLED)
    recipients = admins_to_tell(hook)
    subject = f"Webhook disabled: {hook.url}"
    where = f"app {hook.app.name}" if hook.app else f"team {hook.team.name}"  # type: ignore[union-attr]
    message = (
        f"The webhook {hook.id} of the {where} sends to {hook.url}.\n\n{DISABLED}\n\n"
        "Its deliveries and their errors are listed on the settings page."
    )
    transaction.on_commit(lambda: send_mail(subject, message, None, recipients, fail_silently=True))


def admins_to_tell(hook: Webhook) -> list[str]:
    """Who can fix a disabled hook: the team's active admins, or the owner of a personal app."""
    team_id = hook.team_id or (hook.app.team_id if hook.app else None)
    if team_id is None:
        owner = hook.app.owner if hook.app else None
        return [owner.email] if owner is not None and owner.is_active else []
    admins = Membership.objects.filter(team_id=team_id, role=TeamRole.ADMIN, user__is_active=True)
    return sorted(admins.values_list("user__email", flat=True))
