"""Stranded deliveries: a delivery whose task was lost (the worker killed mid-attempt, the task row gone) is
re-queued by the hourly housekeeping exactly once, and two tasks for one delivery still send it once."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accessctl.audit.log import COMMAND
from accessctl.models import WebhookDelivery
from accessctl.tasks import clear_expired_sessions
from accessctl.webhooks import delivery as sending
from accessctl.webhooks import services
from accessctl.webhooks.tasks import (
    STRANDED_AFTER,
    deliver_webhook,
    requeue_stranded,
    sweep_stranded_deliveries,
)
from tests.processes import run_worker_batch
from tests.webhooks import Receiver, Worker

URL = "http://127.0.0.1:9/hooks"
LONG_AGO = STRANDED_AFTER + timedelta(minutes=5)


def queued_deliveries() -> list[str]:
    """The delivery ids of the queued ``deliver_webhook`` tasks."""
    rows = DBTaskResult.objects.filter(task_path=deliver_webhook.module_path, status=TaskResultStatus.READY)
    return sorted(row.args_kwargs["args"][0] for row in rows)


def pings(team_admin, app, count, url=URL, secret=None, level="notify"):
    hook = services.webhook_add(actor=team_admin, app=app, origin=COMMAND, url=url, include=["api:app"],
                                level=level, secret=secret)  # fmt: skip
    return [services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND) for _ in range(count)]


def age(delivery, by=LONG_AGO, **fields):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - by, **fields)


@pytest.mark.django_db
def test_sweep_requeues_only_overdue_open_unclaimed_deliveries_and_each_once(team_admin, app):
    now = timezone.now()
    # No task rows: the test's transaction never commits. ``fresh`` is within its margin (its task may be late).
    lost, _fresh, overdue_retry, later_retry, claimed, done = pings(team_admin, app, 6)
    age(lost)
    age(overdue_retry, status="retrying", num_attempts=1, next_attempt_at=now - LONG_AGO)
    age(later_retry, status="retrying", num_attempts=1, next_attempt_at=now + timedelta(minutes=30))
    age(claimed, claimed_until=now + timedelta(minutes=2))  # a worker is making its attempt right now
    age(done, status="succeeded", num_attempts=1)

    requeued = requeue_stranded()

    assert sorted(requeued) == sorted([str(lost.public_id), str(overdue_retry.public_id)])
    assert queued_deliveries() == sorted(requeued)
    assert requeue_stranded() == [], "a re-queued delivery is due now, not stranded"
    assert len(queued_deliveries()) == 2
    assert WebhookDelivery.objects.get(pk=lost.pk).next_attempt_at >= now


@pytest.mark.django_db
def test_housekeeping_queues_the_sweep():
    call_command("housekeeping")
    clear_expired_sessions.call()

    assert DBTaskResult.objects.filter(task_path=sweep_stranded_deliveries.module_path).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_requeue_each_delivery_once(team_admin, app):
    deliveries = pings(team_admin, app, 12)
    for delivery in deliveries:
        age(delivery)
    DBTaskResult.objects.all().delete()  # the tasks the pings queued are lost
    barrier = threading.Barrier(2)
    results: list[list[str]] = []

    def sweep():
        try:
            barrier.wait()
            results.append(requeue_stranded())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results[0] + results[1]) == sorted(str(d.public_id) for d in deliveries)
    assert queued_deliveries() == sorted(str(d.public_id) for d in deliveries), "one task per delivery"


@pytest.mark.django_db
def test_a_second_task_for_a_delivery_already_tried_sends_nothing(team_admin, app, tmp_path, settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 600  # the retry is due in minutes, not now
    receiver = Receiver(tmp_path, "s3cret", "--fail", "1")
    try:
        [ping] = pings(team_admin, app, 1, url=receiver.url, secret="s3cret", level="sync")
        first = sending.attempt(str(ping.public_id))
        late_copy = sending.attempt(str(ping.public_id))
    finally:
        receiver.stop()

    assert (first.status, late_copy.status) == ("retrying", "skipped")
    assert [request["answered"] for request in receiver.requests()] == [500]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tasks_racing_for_one_delivery_send_it_once(team_admin, app, tmp_path):
    receiver = Receiver(tmp_path, "s3cret", "--delay", "0.5")
    try:
        [ping] = pings(team_admin, app, 1, url=receiver.url, secret="s3cret")
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def deliver():
            try:
                barrier.wait()
                outcomes.append(sending.attempt(str(ping.public_id)).status)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        receiver.stop()

    assert sorted(outcomes) == ["skipped", "succeeded"]
    assert len(receiver.requests()) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_delivery_then_housekeeping_delivers_it(team_admin, app, tmp_path):
    receiver = Receiver(tmp_path, "s3cret", "--delay", "3")
    worker = Worker()
    try:
        [ping] = pings(team_admin, app, 1, url=receiver.url, secret="s3cret")
        deadline = time.monotonic() + 20
        while not WebhookDelivery.objects.filter(pk=ping.pk, claimed_until__isnull=False).exists():
            assert time.monotonic() < deadline, "the worker never started the attempt"
            time.sleep(0.05)
        worker.kill()  # mid-attempt: the receiver is still answering
        receiver.wait_for(1)
        lost = WebhookDelivery.objects.get(pk=ping.pk)
        assert (lost.status, lost.num_attempts) == ("pending", 0), "nothing recorded: it would wait forever"
        assert not queued_deliveries()
        # Time passes: the claim expires and the delivery is past its margin.
        age(lost, claimed_until=timezone.now() - timedelta(minutes=1))
        call_command("housekeeping")

        run_worker_batch()
    finally:
        worker.stop()
        receiver.stop()

    delivered = WebhookDelivery.objects.get(pk=ping.pk)
    assert (delivered.status, delivered.num_attempts) == ("succeeded", 1)
    got = receiver.requests()
    assert len(got) == 2 and all(request["verified"] for request in got), (
        "the killed attempt and the re-sent one"
    )
    [sweep] = DBTaskResult.objects.filter(task_path=sweep_stranded_deliveries.module_path)
    assert sweep.return_value == 1
