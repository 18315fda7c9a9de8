"""Platform API: webhooks, their deliveries and events (SPEC 19), for apps and (this product's extension) teams.

Everything here needs the right to manage the owner's webhooks: an app's admins and ``manage`` holders, a
team's admins. The secret is answered once, in the ``Heroku-Webhook-Secret`` header of the creation.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from accessctl.access import policy as p
from accessctl.api import bodies_webhooks as b
from accessctl.api.bodies import parse_body
from accessctl.api.http import ApiError, api_view, json_response, origin, ranged
from accessctl.web.lookups import get_app, get_team
from accessctl.webhooks import selectors, services
from accessctl.webhooks.models import DeliveryStatus, Webhook
from accessctl.webhooks.payloads import iso

WEBHOOK_NOT_FOUND = "Couldn't find that webhook."
BAD_STATUS = "Unknown delivery status {status}. Use one of: " + ", ".join(DeliveryStatus.values) + "."


def webhook_json(hook: Webhook) -> dict:
    owner = {"app": {"id": str(hook.app.public_id), "name": hook.app.name}} if hook.app_id else {}  # type: ignore[union-attr]
    if hook.team_id:
        owner = {"team": {"id": str(hook.team.public_id), "name": hook.team.name}}  # type: ignore[union-attr]
    return {
        "id": str(hook.id),
        **owner,
        "created_at": iso(hook.created_at),
        "updated_at": iso(hook.updated_at),
        "include": hook.include if hook.app_id else ["*"],
        "level": hook.level,
        "url": hook.url,
        "enabled": hook.disabled_at is None,
    }


def attempt_json(attempt) -> dict | None:
    if attempt is None:
        return None
    return {
        "id": str(attempt.id),
        "code": attempt.code,
        "error_class": attempt.error_class or None,
        "status": "succeeded" if attempt.succeeded else "failed",
        "created_at": iso(attempt.created_at),
        "updated_at": iso(attempt.created_at),
    }


def delivery_json(delivery) -> dict:
    return {
        "id": str(delivery.public_id),
        "created_at": iso(delivery.created_at),
        "updated_at": iso(delivery.updated_at),
        "event": {"id": str(delivery.event_id), "include": delivery.event.include},
        "webhook": {"id": str(delivery.webhook_id), "level": delivery.webhook.level},
        "status": delivery.status,
        "num_attempts": delivery.num_attempts,
        "next_attempt_at": iso(delivery.next_attempt_at),
        "last_attempt": attempt_json(delivery.last_attempt),
    }


def event_json(event) -> dict:
    return {
        "id": str(event.id),
        "created_at": iso(event.created_at),
        "updated_at": iso(event.created_at),
        "include": event.include,
        "payload": event.payload,
    }


def _uuid(value: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404(message) from None


def _app(request, app):
    return get_app(
        request, app, perm=p.MANAGE_WEBHOOKS_APP, refusal="Managing webhooks needs the manage permission."
    )


def _team(request, team):
    return get_team(request, team, perm=p.MANAGE_WEBHOOKS_TEAM, page_facts=False)


def _hook(owner, hook_id: str) -> Webhook:
    hook = (
        selectors.webhooks_of(owner)
        .select_related("app", "team")
        .filter(pk=_uuid(hook_id, WEBHOOK_NOT_FOUND))
        .first()
    )
    if hook is None:
        raise Http404(WEBHOOK_NOT_FOUND)
    return hook


def _list_or_create(request, owner, body, **where):
    if request.method == "GET":
        hooks = selectors.webhooks_of(owner).select_related("app", "team")
        return json_response([webhook_json(hook) for hook in hooks])
    data = parse_body(request, body)
    hook = services.webhook_add(
        actor=request.user, origin=origin(request), **where, **data.model_dump(exclude_none=True)
    )
    return json_response(webhook_json(hook), status=201, headers={"Heroku-Webhook-Secret": hook.secret})


def _one(request, owner, hook_id):
    hook = _hook(owner, hook_id)
    if request.method == "GET":
        return json_response(webhook_json(hook))
    if request.method == "DELETE":
        answer = webhook_json(hook)
        services.webhook_remove(actor=request.user, webhook=hook, origin=origin(request))
        return json_response(answer)
    data = parse_body(request, b.WebhookUpdate)
    hook = services.webhook_update(
        actor=request.user, webhook=hook, origin=origin(request), **data.model_dump(exclude_none=True)
    )
    return json_response(webhook_json(_hook(owner, str(hook.id))))


def _deliveries(request, owner, delivery_id=None):
    deliveries = selectors.deliveries_of(owner)
    if delivery_id is not None:
        delivery = deliveries.filter(public_id=_uuid(delivery_id, "Couldn't find that delivery.")).first()
        if delivery is None:
            raise Http404("Couldn't find that delivery.")
        return json_response(delivery_json(delivery))
    status = request.GET.get("eq[status]")
    if status is not None:
        if status not in DeliveryStatus.values:
            raise ApiError(422, "invalid_params", BAD_STATUS.format(status=status))
        deliveries = deliveries.filter(status=status)
    return ranged(request, deliveries, allowed=("seq",), serialize=delivery_json)


def _events(request, owner, event_id=None):
    events = selectors.events_of(owner)
    if event_id is not None:
        event = events.filter(pk=_uuid(event_id, "Couldn't find that event.")).first()
        if event is None:
            raise Http404("Couldn't find that event.")
        return json_response(event_json(event))
    return json_response([event_json(event) for event in events])


@api_view("GET", "POST")
def app_webhooks(request, app):
    found = _app(request, app)
    return _list_or_create(request, found, b.WebhookCreate, app=found)


@api_view("GET", "PATCH", "DELETE")
def app_webhook(request, app, hook):
    return _one(request, _app(request, app), hook)


@api_view("GET")
def app_deliveries(request, app, delivery=None):
    return _deliveries(request, _app(request, app), delivery)


@api_view("GET")
def app_events(request, app, event=None):
    return _events(request, _app(request, app), event)


@api_view("GET", "POST")
def team_webhooks(request, team):
    found = _team(request, team)
    return _list_or_create(request, found, b.TeamWebhookCreate, team=found)


@api_view("GET", "PATCH", "DELETE")
def team_webhook(request, team, hook):
    return _one(request, _team(request, team), hook)


@api_view("GET")
def team_deliveries(request, team, delivery=None):
    return _deliveries(request, _team(request, team), delivery)


@api_view("GET")
def team_events(request, team, event=None):
    return _events(request, _team(request, team), event)
