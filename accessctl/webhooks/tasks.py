"""The worker's webhook task: one attempt at one delivery, re-queued with backoff while a sync hook fails."""

from __future__ import annotations

import logging

from django_tasks import task

from accessctl.webhooks.delivery import attempt

logger = logging.getLogger(__name__)


@task()
def deliver_webhook(delivery_id: str) -> str:
    """Send the delivery once; when it should be tried again, queue the next attempt at its time."""
    outcome = attempt(delivery_id)
    if outcome.retry_at is not None:
        deliver_webhook.using(run_after=outcome.retry_at).enqueue(delivery_id)
    logger.info("task=deliver_webhook delivery=%s status=%s", delivery_id, outcome.status)
    return outcome.status
