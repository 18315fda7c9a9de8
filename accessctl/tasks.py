"""Background work, run by the database worker (`manage.py db_worker`).

Housekeeping is one self-renewing chain: each run schedules the next an hour later unless a run is already
queued. Two chains started at once (two releases racing) merge back into one at their next run, because the
one that runs first sees the other queued and does not renew itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from accessctl.webhooks.tasks import sweep_stranded_deliveries
from apps.expiry import expire_temporary_access

logger = logging.getLogger(__name__)

HOUSEKEEPING_INTERVAL = timedelta(hours=1)


@task()
def clear_expired_sessions() -> int:
    """Delete the sessions whose expiry date has passed, log how many, queue the sweep of expired temporary
    access (``apps.expiry``) and of stranded webhook deliveries, and keep the hourly chain going.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expired = None
    if hasattr(store, "get_model_class"):  # database-backed engines; the cache expires sessions by itself
        expired = store.get_model_class().objects.filter(expire_date__lt=timezone.now())
    before = expired.count() if expired is not None else 0
    store.clear_expired()
    removed = before - (expired.count() if expired is not None else 0)
    logger.info("task=clear_expired_sessions removed=%d", removed)
    expire_temporary_access.enqueue()
    sweep_stranded_deliveries.enqueue()
    schedule_housekeeping(delay=HOUSEKEEPING_INTERVAL)
    return removed


def housekeeping_queued() -> bool:
    """Whether a housekeeping run is waiting in the queue (now or later)."""
    return DBTaskResult.objects.filter(
        task_path=clear_expired_sessions.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_housekeeping(*, delay: timedelta = timedelta(0)) -> bool:
    """Queue the next housekeeping run after ``delay`` unless one is queued; return whether it queued one."""
    if housekeeping_queued():
        return False
    clear_expired_sessions.using(run_after=timezone.now() + delay).enqueue()
    return True
