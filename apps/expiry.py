"""Sweeping up after the clock: delete expired temporary grants and mark lapsed access requests.

Correctness never waits for this: the rules already treat an expired grant as absent and a stale request as
lapsed. The sweep only tidies the tables and writes the ``grant.expire`` / ``request.lapse`` events, one per
row, each in its own transaction. The database worker runs it (``expire_temporary_access``), queued by the
hourly housekeeping and by ``manage.py housekeeping``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from accessctl.access import policy as p
from accessctl.access.facts import forget_access
from accessctl.audit import log as audit
from accessctl.audit.log import SYSTEM, TASK
from accessctl.audit.models import AuditAction
from apps.models import AccessRequest, Grant
from apps.services import lock_app_row

logger = logging.getLogger(__name__)


def expire_grants(now: datetime | None = None) -> int:
    """Delete every temporary grant whose end has passed, with a ``grant.expire`` event each."""
    now = now or timezone.now()
    removed = 0
    for pk in Grant.objects.expired(now).values_list("pk", flat=True):
        with transaction.atomic():
            grant = Grant.objects.filter(pk=pk).select_related("app", "user").first()
            if grant is None:
                continue
            app = lock_app_row(grant.app)
            grant = Grant.objects.expired(now).filter(pk=pk).select_related("user").first()
            if grant is None:  # extended or ended meanwhile
                continue
            assert grant.expires_at is not None
            grant.delete()
            audit.record(
                actor=SYSTEM,
                action=AuditAction.GRANT_EXPIRE,
                origin=TASK,
                app=app,
                target_user=grant.user,
                before={
                    "permissions": p.sorted_perms(grant.permissions),
                    "expires_at": grant.expires_at.isoformat(),
                },
            )
            forget_access(grant.user)
            removed += 1
    return removed


def lapse_requests(now: datetime | None = None) -> int:
    """Mark every pending request older than ``REQUEST_TTL`` as lapsed, with a ``request.lapse`` event each."""
    now = now or timezone.now()
    stale = AccessRequest.objects.filter(status=p.RequestStatus.PENDING, created_at__lte=now - p.REQUEST_TTL)
    lapsed = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            request = (
                stale.select_for_update(of=("self",))
                .filter(pk=pk)
                .select_related("app__team", "requester")
                .first()
            )
            if request is None:  # decided meanwhile
                continue
            request.status = p.RequestStatus.LAPSED
            request.decided_at = now
            request.save(update_fields=["status", "decided_at"])
            audit.record(
                actor=SYSTEM,
                action=AuditAction.REQUEST_LAPSE,
                origin=TASK,
                app=request.app,
                target_user=request.requester,
                before={"status": p.RequestStatus.PENDING},
                after={"status": p.RequestStatus.LAPSED},
            )
            lapsed += 1
    return lapsed


@task()
def expire_temporary_access() -> dict[str, int]:
    """The worker's sweep: expired grants and lapsed requests. Returns how many of each."""
    result = {"grants": expire_grants(), "requests": lapse_requests()}
    logger.info("task=expire_temporary_access grants=%d requests=%d", result["grants"], result["requests"])
    return result
