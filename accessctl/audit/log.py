"""Writing audit events. Only services call :func:`record`, inside the transaction of the change.

Each event is also published to the webhooks that receive it (``webhooks.outbox``), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from accessctl.audit.models import AuditAction, AuditEvent, AuditSource
from accessctl.webhooks.outbox import publish


@dataclass(frozen=True)
class Origin:
    """Where a change came from: the audit ``source`` and the request's IP address."""

    source: str
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest, source: str = AuditSource.WEB) -> Origin:
        return cls(source=source, ip=request.META.get("REMOTE_ADDR") or None)


COMMAND = Origin(AuditSource.COMMAND)
TASK = Origin(AuditSource.TASK)


class SystemActor:
    """The actor of management commands and the demo loader: may do everything, is named in the log."""

    pk = None
    id = None
    is_active = True
    is_authenticated = True
    is_superuser = False

    def __init__(self, label: str = "system") -> None:
        self.email = label

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return True

    def __str__(self) -> str:
        return self.email


SYSTEM = SystemActor()


def record(
    *,
    actor: Any,
    action: AuditAction,
    origin: Origin,
    team: Any = None,
    app: Any = None,
    target_user: Any = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one audit event. ``before``/``after`` are JSON-able snapshots of what changed.

    An app event is filed under the app's team too, so the team's audit log shows it. The webhooks that receive
    the event get it once the change commits.
    """
    if team is None and app is not None and app.team_id is not None:
        team = app.team
    event = AuditEvent.objects.create(
        action=action,
        source=origin.source,
        ip=origin.ip,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(getattr(actor, "email", actor)),
        team=team if team is not None and team.pk else None,
        team_name=team.name if team is not None else "",
        app=app if app is not None and app.pk else None,
        app_name=app.name if app is not None else "",
        target_user=target_user,
        target_email=target_user.email if target_user is not None else "",
        before=before,
        after=after,
    )
    publish(event, actor=actor, app=app, team=team, target_user=target_user)
    return event
