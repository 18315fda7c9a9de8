"""The expiry sweep run by the real worker process, and the operator command's temporary grants."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accessctl.models import AuditEvent, User
from apps.expiry import expire_temporary_access
from apps.models import AccessRequest, Grant
from tests.factories import GrantFactory
from tests.processes import run_worker_batch


@pytest.mark.django_db(transaction=True)
def test_worker_deletes_expired_grants_and_marks_lapsed_requests(team_admin, member, viewer, app):
    now = timezone.now()
    GrantFactory(app=app, user=member, permissions="view,deploy", expires_at=now - timedelta(minutes=1))
    GrantFactory(app=app, user=viewer, permissions="view,deploy", expires_at=now + timedelta(hours=1))
    AccessRequest.objects.create(
        app=app,
        requester=viewer,
        permissions="view,operate",
        reason="old",
        created_at=now - timedelta(hours=25),
    )
    expire_temporary_access.enqueue()

    run_worker_batch()
    [result] = DBTaskResult.objects.filter(task_path=expire_temporary_access.module_path)
    assert result.status == TaskResultStatus.SUCCESSFUL, result.exception_class_path
    assert result.return_value == {"grants": 1, "requests": 1}
    assert list(Grant.objects.values_list("user__email", flat=True)) == ["viewer@acme.test"]
    expired = AuditEvent.objects.get(action="grant.expire")
    assert expired.target_user == member and expired.before["permissions"] == ["view", "deploy"]
    assert AccessRequest.objects.get().status == "lapsed"
    assert AuditEvent.objects.filter(action="request.lapse").count() == 1


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_access_add_for_a_while_with_a_reason(clock, app):
    out = run(
        "access",
        "add",
        "oncall@acme.test",
        "--app",
        "myapp",
        "--permissions",
        "deploy",
        "--for",
        "4h",
        "--reason",
        "On call tonight",
    )
    assert "with deploy, view permissions for 4 hours (until" in out
    grant = Grant.objects.get(user__email="oncall@acme.test")
    assert grant.expires_at == clock.now() + timedelta(hours=4) and grant.reason == "On call tonight"
    event = AuditEvent.objects.get(action="grant.add")
    assert event.source == "command" and event.after["reason"] == "On call tonight"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "text"),
    [
        (["--for", "soon"], "--for: Give a duration"),
        (["--for", "4h"], "a reason is required"),
        (["--for", "permanent"], "leave --for out"),
    ],
)
def test_access_add_refuses_bad_temporary_input_and_writes_nothing(app, extra, text):
    with pytest.raises(CommandError, match=text):
        run("access", "add", "oncall@acme.test", "--app", "myapp", *extra)
    assert not User.objects.filter(email="oncall@acme.test").exists()
