"""Background housekeeping: the command starts one hourly chain, and the real worker runs it."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accessctl.tasks import HOUSEKEEPING_INTERVAL, clear_expired_sessions
from tests.processes import run_worker_batch


def queued() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=clear_expired_sessions.module_path, status=TaskResultStatus.READY
        )
    )


@pytest.mark.django_db
def test_housekeeping_command_queues_one_run_however_often_it_runs():
    call_command("housekeeping")
    call_command("housekeeping")

    assert len(queued()) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_removes_expired_sessions_and_schedules_the_next_run():
    now = timezone.now()
    Session.objects.create(
        session_key="expired-session", session_data="", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(session_key="fresh-session", session_data="", expire_date=now + timedelta(days=1))
    call_command("housekeeping")
    [first] = queued()

    run_worker_batch()
    first.refresh_from_db()
    assert first.status == TaskResultStatus.SUCCESSFUL, first.exception_class_path
    assert first.return_value == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["fresh-session"]
    [following] = queued()
    assert following.run_after - first.finished_at == pytest.approx(
        HOUSEKEEPING_INTERVAL, abs=timedelta(minutes=1)
    )
