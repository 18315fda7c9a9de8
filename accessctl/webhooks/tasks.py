"""The worker's webhook tasks: one attempt at one delivery, re-queued with backoff while a sync hook fails,
and the sweep that re-queues deliveries whose task was lost.

A delivery's task can be lost: the worker killed mid-attempt, the task row deleted, the queue write failed
after the change committed (``outbox`` logs it and moves on). Such a delivery would stay pending forever.
The hourly housekeeping runs :func:`sweep_stranded_deliveries`, which re-queues every open delivery that is
``STRANDED_AFTER`` past its due time. Each is taken by one conditional update (the due time moves to now), so
two sweeps racing re-queue it once; and a task that was only late, not lost, loses the attempt's claim to
the re-queued one (``delivery.claim``), so the receiver still gets one request.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from accessctl.webhooks.delivery import OPEN, attempt
from accessctl.webhooks.models import WebhookDelivery

logger = logging.getLogger(__name__)

# Three times the claim lease: an attempt still running (or a worker merely slow) is never taken as lost.
STRANDED_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 500


@task()
def deliver_webhook(delivery_id: str) -> str:
    """Send the delivery once; when it should be tried again, queue the next attempt at its time."""
    outcome = attempt(delivery_id)
    if outcome.retry_at is not None:
        deliver_webhook.using(run_after=outcome.retry_at).enqueue(delivery_id)
    logger.info("task=deliver_webhook delivery=%s status=%s", delivery_id, outcome.status)
    return outcome.status


def stranded(now: datetime) -> Q:
    """Open deliveries whose first attempt (at creation) or next retry was due more than ``STRANDED_AFTER``
    ago, and that no worker holds."""
    cutoff = now - STRANDED_AFTER
    overdue = Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lt=cutoff)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Q(status__in=OPEN) & overdue & free


def requeue_stranded(now: datetime | None = None) -> list[str]:
    """Re-queue each stranded delivery exactly once; return the public ids of those re-queued."""
    now = now or timezone.now()
    candidates = (
        WebhookDelivery.objects.filter(stranded(now))
        .order_by("seq")
        .values_list("pk", "public_id")[:SWEEP_BATCH]
    )
    requeued = []
    for pk, public_id in candidates:
        with transaction.atomic():
            # Taken only while still stranded: of two racing sweeps, the second finds it due now and skips it.
            taken = WebhookDelivery.objects.filter(stranded(now), pk=pk).update(next_attempt_at=now)
            if taken:  # the task row is written in the same transaction: re-queued and marked, or neither
                deliver_webhook.enqueue(str(public_id))
                requeued.append(str(public_id))
    return requeued


@task()
def sweep_stranded_deliveries() -> int:
    """Re-queue the deliveries whose task was lost (run by the hourly housekeeping); return how many."""
    requeued = requeue_stranded()
    logger.info("task=sweep_stranded_deliveries requeued=%d", len(requeued))
    return len(requeued)
