"""Webhook events and their delivery: one event per audit event in Heroku's shape, queued only on commit,
signed, retried with backoff (sync) or tried once (notify), redirects and slow receivers refused, and a hook
failing for 24 hours disabled with its admins told. Receivers are real processes on 127.0.0.1."""

import base64
import hashlib
import hmac
import json
import random
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accessctl.audit.log import COMMAND
from accessctl.models import Webhook, WebhookDelivery, WebhookEvent
from accessctl.webhooks import delivery as sending
from accessctl.webhooks import services
from accessctl.webhooks.tasks import deliver_webhook
from apps.services import app_grant_add, app_lock
from teams.services import team_member_add
from tests.factories import UserFactory
from tests.webhooks import Receiver

pytestmark = pytest.mark.django_db
CLOSED = "http://127.0.0.1:9/hooks"  # the discard port: nothing listens, the connection is refused


@pytest.fixture
def receivers(tmp_path):
    started = []

    def start(secret="s3cret", *args):
        started.append(Receiver(tmp_path, secret, *args))
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


def hook_on(app, actor, url=CLOSED, include=("api:collaborator",), level="notify", **extra):
    return services.webhook_add(
        actor=actor, app=app, origin=COMMAND, url=url, include=list(include), level=level, **extra
    )


def test_a_grant_change_is_one_event_in_herokus_payload_shape(
    app, team_admin, django_capture_on_commit_callbacks
):
    hook = hook_on(app, team_admin)
    joe = UserFactory(email="joe@x.test")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        app_grant_add(actor=team_admin, app=app, user=joe, origin=COMMAND, permissions=["view", "deploy"])

    [event] = WebhookEvent.objects.filter(include="api:collaborator")
    payload = event.payload
    assert set(payload) == {
        "id", "created_at", "published_at", "resource", "action", "actor", "previous_data", "data", "version",
    }  # fmt: skip
    assert (payload["resource"], payload["action"], payload["actor"]["email"]) == (
        "collaborator",
        "create",
        "admin@acme.test",
    )
    assert payload["data"]["user"]["email"] == "joe@x.test" and payload["data"]["app"]["name"] == "myapp"
    assert payload["data"]["permissions"] == ["view", "deploy"]
    assert payload["id"] == str(event.id)
    [queued] = WebhookDelivery.objects.filter(event=event, webhook=hook)
    assert len(callbacks) == 1
    assert DBTaskResult.objects.filter(
        task_path=deliver_webhook.module_path, args_kwargs__args=[str(queued.public_id)]
    ).exists()


def test_a_rolled_back_change_writes_and_queues_nothing(app, team_admin, django_capture_on_commit_callbacks):
    hook_on(app, team_admin)
    before = DBTaskResult.objects.count()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        app_grant_add(actor=team_admin, app=app, user=UserFactory(), origin=COMMAND)
        raise RuntimeError("the change fails after its audit event")

    assert callbacks == []
    assert not WebhookEvent.objects.filter(include="api:collaborator").exists()
    assert DBTaskResult.objects.count() == before


def test_app_hooks_get_their_types_and_team_hooks_every_team_event(team, app, team_admin):
    collaborators = hook_on(app, team_admin, include=["api:collaborator"])
    apps = hook_on(app, team_admin, include=["api:app"])
    everything = services.webhook_add(actor=team_admin, team=team, origin=COMMAND, url=CLOSED, level="notify")

    app_lock(actor=team_admin, app=app, origin=COMMAND)
    team_member_add(
        actor=team_admin, team=team, user=UserFactory(email="new@x.test"), role="member", origin=COMMAND
    )

    def got(hook):
        return sorted(
            d.event.payload["data"]["audit"]["action"]
            for d in hook.deliveries.all()
            if d.event.include != "ping"
        )

    assert got(collaborators) == []
    assert got(apps) == ["app.lock"]
    assert got(everything) == [
        "app.lock",
        "member.add",
        "webhook.add",
    ]  # its own creation is a team event too


def test_retry_delays_double_with_jitter_and_stop_growing_at_an_hour():
    low = [sending.retry_delay(n, base=30, rand=lambda: 0.0).total_seconds() for n in (1, 2, 3, 12)]
    high = [sending.retry_delay(n, base=30, rand=lambda: 0.999999).total_seconds() for n in (1, 2, 3, 12)]
    drawn = {sending.retry_delay(3, base=30, rand=random.random) for _ in range(20)}

    assert low == [15, 30, 60, 1800]
    assert high == pytest.approx([30, 60, 120, 3600], abs=0.01)
    assert len(drawn) > 1 and all(timedelta(seconds=60) <= d <= timedelta(seconds=120) for d in drawn)


def delivery_of(hook):
    return hook.deliveries.order_by("-seq").first()


def test_notify_tries_once_and_records_the_error(app, team_admin):
    hook = hook_on(app, team_admin, level="notify")
    ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)

    outcome = sending.attempt(str(ping.public_id))

    ping.refresh_from_db()
    assert (outcome.status, outcome.retry_at, ping.status, ping.num_attempts) == ("failed", None, "failed", 1)
    assert ping.last_attempt.code is None and ping.last_attempt.error_class == "ConnectionRefusedError"


def test_sync_retries_until_24_hours_after_the_event(app, team_admin):
    hook = hook_on(app, team_admin, level="sync")
    ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)

    first = sending.attempt(str(ping.public_id))
    ping.refresh_from_db()
    assert (first.status, ping.status, ping.next_attempt_at) == ("retrying", "retrying", first.retry_at)
    WebhookDelivery.objects.filter(pk=ping.pk).update(created_at=timezone.now() - timedelta(hours=24))
    last = sending.attempt(str(ping.public_id))

    ping.refresh_from_db()
    assert (last.status, last.retry_at, ping.num_attempts, ping.next_attempt_at) == ("failed", None, 2, None)


def test_a_hook_failing_for_24_hours_is_disabled_and_the_admins_told(team, app, team_admin):
    hook = hook_on(app, team_admin, level="sync")
    Webhook.objects.filter(pk=hook.pk).update(failing_since=timezone.now() - timedelta(hours=24, minutes=1))
    ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
        outcome = sending.attempt(str(ping.public_id))

    hook.refresh_from_db()
    assert outcome.status == "failed" and hook.disabled_at is not None
    assert [message.to for message in mail.outbox] == [["admin@acme.test"]]
    assert CLOSED in mail.outbox[0].subject
    later = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)
    assert sending.attempt(str(later.public_id)).status == "failed"
    assert WebhookDelivery.objects.get(pk=later.pk).num_attempts == 0  # a disabled hook is not called


def test_the_signature_is_the_hmac_of_the_exact_body_and_authorization_is_sent(app, team_admin, receivers):
    receiver = receivers("k3y")
    hook = hook_on(app, team_admin, url=receiver.url, secret="k3y", authorization="Bearer for-the-receiver")
    ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)

    assert sending.attempt(str(ping.public_id)).status == "succeeded"

    [got] = receiver.requests()
    body = got["body"].encode()
    expected = base64.b64encode(hmac.new(b"k3y", body, hashlib.sha256).digest()).decode()
    assert got["verified"] and got["headers"]["Heroku-Webhook-Hmac-SHA256"] == expected
    assert got["headers"]["Authorization"] == "Bearer for-the-receiver"
    sent = json.loads(body)
    assert sent["resource"] == "ping" and sent["webhook_metadata"]["delivery"]["id"] == str(ping.public_id)
    ping.refresh_from_db()
    assert (ping.status, ping.last_attempt.code) == ("succeeded", 200)


def test_redirects_are_not_followed(app, team_admin, receivers):
    receiver = receivers("s3cret", "--redirect")
    hook = hook_on(app, team_admin, url=receiver.url, secret="s3cret")
    ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)

    sending.attempt(str(ping.public_id))

    ping.refresh_from_db()
    assert (ping.status, ping.last_attempt.code, ping.last_attempt.error_class) == ("failed", 302, "Redirect")
    assert len(receiver.requests()) == 1


def test_a_slow_receiver_times_out(app, team_admin, receivers, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    receiver = receivers("s3cret", "--delay", "3")
    hook = hook_on(app, team_admin, url=receiver.url, secret="s3cret")
    ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)

    sending.attempt(str(ping.public_id))

    ping.refresh_from_db()
    assert (ping.status, ping.last_attempt.error_class) == ("failed", "Timeout")
    assert ping.last_attempt.duration_ms < 2500


def test_a_target_that_became_private_is_refused_at_delivery(app, team_admin, settings):
    hook = hook_on(app, team_admin, url="https://127.0.0.1:9/hooks")
    ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    sending.attempt(str(ping.public_id))

    ping.refresh_from_db()
    assert (ping.status, ping.last_attempt.error_class) == ("failed", "TargetRefused")
