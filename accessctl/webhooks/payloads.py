"""Audit events in Heroku's webhook payload shape, and which event type each one is.

App webhooks subscribe to Heroku's types (``api:collaborator`` for grants, ``api:app`` for lock, unlock,
rename, transfer, ``api:release``, ``api:formation``); any other audit event of a team goes to the team's
webhooks only, typed ``accessctl:<subject>`` (``accessctl:member``, ``accessctl:webhook``...).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from accessctl.audit.models import AuditAction, AuditEvent

VERSION = "application/vnd.heroku+json; version=3"

# The subject of an audit action (its part before the dot) -> (event type, Heroku resource).
SUBJECTS = {
    "grant": ("api:collaborator", "collaborator"),
    "app": ("api:app", "app"),
    "release": ("api:release", "release"),
    "config": ("api:release", "release"),  # a config change makes a release, as on Heroku
    "formation": ("api:formation", "formation"),
}
# Joining and leaving an app add and remove a collaborator.
COLLABORATOR_ACTIONS = {AuditAction.APP_JOIN: "create", AuditAction.APP_LEAVE: "destroy"}
CREATE_VERBS = {"add", "create", "join"}
DESTROY_VERBS = {"remove", "delete", "revoke", "leave", "expire", "expired"}


def iso(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def classify(action: str) -> tuple[str, str, str]:
    """(event type, resource, action) of an audit action: ``grant.add`` -> api:collaborator, collaborator, create."""
    subject, _, verb = action.partition(".")
    if action in COLLABORATOR_ACTIONS:
        return "api:collaborator", "collaborator", COLLABORATOR_ACTIONS[AuditAction(action)]
    include, resource = SUBJECTS.get(subject, (f"accessctl:{subject}", subject))
    if verb in CREATE_VERBS or include == "api:release":  # a rollback or a config change is a new release
        return include, resource, "create"
    return include, resource, "destroy" if verb in DESTROY_VERBS else "update"


def _ref(obj: Any, name: str, key: str = "name") -> dict[str, str] | None:
    if not name:
        return None
    public_id = getattr(obj, "public_id", None)
    return {"id": str(public_id) if public_id else None, key: name}  # type: ignore[dict-item]


def audit_payload(
    event: AuditEvent, *, event_id: uuid.UUID, actor: Any, app: Any, team: Any, target_user: Any
) -> dict[str, Any]:
    """The payload of one audit event: ``id, created_at, published_at, resource, action, actor,
    previous_data, data, version`` (Heroku's shape), with the audit event itself under ``data.audit``."""
    _, resource, kind = classify(event.action)
    data: dict[str, Any] = {}
    for key, obj, name, field in (
        ("app", app, event.app_name, "name"),
        ("team", team, event.team_name, "name"),
        ("user", target_user, event.target_email, "email"),
    ):
        ref = _ref(obj, name, field)
        if ref is not None:
            data[key] = ref
    if isinstance(event.after, dict):
        data.update(event.after)
    elif event.after is not None:
        data["value"] = event.after
    data["audit"] = {
        "id": event.pk,
        "action": event.action,
        "label": AuditAction(event.action).label if event.action in AuditAction.values else event.action,
        "source": event.source,
    }
    previous = (
        event.before
        if isinstance(event.before, dict)
        else ({} if event.before is None else {"value": event.before})
    )
    return {
        "id": str(event_id),
        "created_at": iso(event.created_at),
        "published_at": iso(timezone.now()),
        "resource": resource,
        "action": kind,
        "actor": {
            "id": str(actor.public_id) if getattr(actor, "public_id", None) else None,
            "email": event.actor_label,
        },
        "previous_data": previous,
        "data": data,
        "version": VERSION,
    }


def ping_payload(*, event_id: uuid.UUID, webhook: Any, actor: Any) -> dict[str, Any]:
    """The payload of "send a ping": a test event for one webhook, signed like every other."""
    now = iso(timezone.now())
    return {
        "id": str(event_id),
        "created_at": now,
        "published_at": now,
        "resource": "ping",
        "action": "create",
        "actor": {
            "id": str(actor.public_id) if getattr(actor, "public_id", None) else None,
            "email": str(getattr(actor, "email", actor)),
        },
        "previous_data": {},
        "data": {"webhook": {"id": str(webhook.id)}, "message": "A test event from accessctl."},
        "version": VERSION,
    }
