"""Webhooks end to end: the real Heroku CLI adds a hook on a live server, ``heroku access:add`` changes a grant,
the real worker (``manage.py db_worker``) delivers the signed event to a receiver process within seconds, and
``heroku webhooks:deliveries`` shows it. Also: retries against a receiver that fails twice, and a rolled-back
change that sends nothing while the worker runs."""

import io
import json
import time

import pytest
from django.core.management import call_command
from django.db import transaction

from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from accessctl.models import AuditEvent, User, Webhook, WebhookDelivery
from accessctl.webhooks import services
from apps.models import App
from apps.services import app_grant_add
from tests.factories import UserFactory
from tests.heroku_cli import run_heroku, table
from tests.webhooks import Receiver, Worker

pytestmark = pytest.mark.django_db(transaction=True)
DELIVERED_WITHIN = 10.0  # seconds; the issue asks for "within seconds"


@pytest.fixture
def running(tmp_path):
    """``running(secret, *receiver_args)`` starts a receiver; the worker starts with the first call."""
    started: list = []

    def start(secret, *args):
        receiver = Receiver(tmp_path, secret, *args)
        started.append(receiver)
        if not any(isinstance(process, Worker) for process in started):
            started.append(Worker())
        return receiver

    yield start
    for process in started:
        process.stop()


def wait_until(predicate, timeout=DELIVERED_WITHIN * 2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.cli
def test_cli_hook_gets_a_signed_access_add_within_seconds(live_server, tmp_path, running):
    call_command("demo", stdout=io.StringIO())
    admin = User.objects.get(email="admin@acme.test")
    token = api_token_create(actor=admin, name="cli test", origin=COMMAND)[1]

    def heroku(*args):
        return run_heroku(list(args), home=tmp_path, url=live_server.url, token=token)

    receiver = running("cli-secret")
    added = heroku("webhooks:add", "-a", "website-staging", "-i", "api:collaborator,api:app", "-l", "sync",
                   "-u", receiver.url, "-s", "cli-secret", "-t", "Bearer siem-token")  # fmt: skip
    assert added.code == 0, added.err
    assert "=== Webhooks Signing Secret" in added.out and "cli-secret" in added.out
    hook = Webhook.objects.get(app__name="website-staging")
    listed = heroku("webhooks", "-a", "website-staging")
    assert table(listed.out)[1] == [str(hook.id), receiver.url, "api:app,api:collaborator", "sync"]

    granted = heroku("access:add", "newhire@acme.test", "-a", "website-staging", "-p", "deploy")
    assert granted.code == 0, granted.err
    [got] = receiver.wait_for(1, timeout=DELIVERED_WITHIN)
    changed_at = AuditEvent.objects.get(action="grant.add", target_email="newhire@acme.test").created_at
    latency = got["at"] - changed_at.timestamp()
    print(f"delivery latency from the grant change to the receiver: {latency:.2f}s")
    assert latency < DELIVERED_WITHIN
    assert got["verified"] and got["headers"]["Authorization"] == "Bearer siem-token"
    event = json.loads(got["body"])
    assert (event["resource"], event["action"], event["data"]["user"]["email"]) == (
        "collaborator",
        "create",
        "newhire@acme.test",
    )
    assert wait_until(lambda: WebhookDelivery.objects.filter(status="succeeded").exists())

    deliveries = heroku("webhooks:deliveries", "-a", "website-staging")
    assert deliveries.code == 0, deliveries.err
    [header, row] = table(deliveries.out)
    assert header[:4] == ["Delivery ID", "Created", "Status", "Include"]
    delivery = WebhookDelivery.objects.get()
    assert row[0] == str(delivery.public_id) and row[2:7] == [
        "succeeded",
        "api:collaborator",
        "sync",
        "1",
        "200",
    ]
    info = heroku("webhooks:deliveries:info", str(delivery.public_id), "-a", "website-staging")
    assert info.code == 0 and "newhire@acme.test" in info.out and "succeeded" in info.out
    events = heroku("webhooks:events", "-a", "website-staging")
    assert events.code == 0 and "collaborator" in events.out
    shown = heroku("webhooks:info", str(hook.id), "-a", "website-staging")
    assert shown.code == 0 and receiver.url in shown.out and "cli-secret" not in shown.out

    updated = heroku("webhooks:update", str(hook.id), "-a", "website-staging", "-i", "api:app", "-l", "notify",
                     "-u", receiver.url)  # fmt: skip
    assert updated.code == 0, updated.err
    hook.refresh_from_db()
    assert (hook.include, hook.level, hook.secret) == (["api:app"], "notify", "cli-secret")
    removed = heroku("webhooks:remove", str(hook.id), "-a", "website-staging")
    assert removed.code == 0 and not Webhook.objects.exists()


def test_sync_hook_is_retried_until_the_receiver_answers(team, team_admin, running):
    app = App.objects.create(team=team, name="retried")
    receiver = running("r3try", "--fail", "2")
    services.webhook_add(actor=team_admin, app=app, origin=COMMAND, url=receiver.url, include=["api:collaborator"],
                         level="sync", secret="r3try")  # fmt: skip

    app_grant_add(actor=team_admin, app=app, user=UserFactory(email="joe@x.test"), origin=COMMAND)

    assert wait_until(lambda: WebhookDelivery.objects.filter(status="succeeded").exists())
    got = receiver.requests()
    assert [request["answered"] for request in got] == [500, 500, 200]
    assert all(request["verified"] for request in got)
    delivery = WebhookDelivery.objects.get()
    assert delivery.num_attempts == 3
    assert [a.code for a in delivery.attempts.order_by("number")] == [500, 500, 200]
    assert delivery.attempts.get(number=1).error_class == "HTTPError"


def test_a_rolled_back_change_delivers_nothing(team, team_admin, running):
    app = App.objects.create(team=team, name="rolledback")
    receiver = running("s3cret")
    services.webhook_add(actor=team_admin, app=app, origin=COMMAND, url=receiver.url, include=["api:collaborator"],
                         level="notify", secret="s3cret")  # fmt: skip

    with pytest.raises(RuntimeError), transaction.atomic():
        app_grant_add(actor=team_admin, app=app, user=UserFactory(email="joe@x.test"), origin=COMMAND)
        raise RuntimeError("refused after the audit event was written")
    app_grant_add(actor=team_admin, app=app, user=UserFactory(email="ann@x.test"), origin=COMMAND)

    [got] = receiver.wait_for(1)
    time.sleep(1.0)  # time enough for a wrongly queued second delivery to arrive
    assert [json.loads(r["body"])["data"]["user"]["email"] for r in receiver.requests()] == ["ann@x.test"]
    assert got["verified"]
