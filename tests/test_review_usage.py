"""Usage on review items, derived from the audit log and the accounts; the reviewers' e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accessctl.access.policy import APP_ACTIONS_BY_CODENAME, TEAM_ACTIONS_BY_CODENAME
from accessctl.audit.models import AuditAction
from accessctl.identity.models import ApiToken
from accessctl.models import AuditEvent
from reviews.selectors import item_rows
from reviews.services import review_item_decide, review_start
from reviews.tasks import REMIND_BEFORE, notify_reviewers, remind_reviewers
from reviews.usage import AUDIT_NEEDS, perms_needed
from tests.processes import run_worker_batch
from tests.reviewing import WEB, item_of

pytestmark = pytest.mark.django_db


def event(action, actor, team, app=None, days_ago=0):
    return AuditEvent.objects.create(
        action=action, source="web", actor=actor, actor_label=actor.email, team=team, app=app,
        created_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


def uses(review, viewer, item):
    [row] = item_rows(review, viewer, [item])
    return row.usage, {use.name: (use.last_used, use.unused) for use in row.usage.uses}


def test_the_table_maps_audit_actions_to_catalog_actions():
    assert set(AUDIT_NEEDS) <= set(AuditAction.values)
    assert all(c in APP_ACTIONS_BY_CODENAME or c in TEAM_ACTIONS_BY_CODENAME for c in AUDIT_NEEDS.values())
    assert perms_needed("config.update") == {"deploy", "manage"}
    assert perms_needed("formation.scale") == {"operate", "manage"}
    assert perms_needed("release.rollback") == {"deploy", "operate"}
    assert perms_needed("dynos.restart") == {"operate"}
    assert perms_needed("app.lock") == perms_needed("grant.add") == perms_needed("app.rename") == {"manage"}


def test_each_permission_shows_the_last_action_that_needed_it(review, team, team_admin, manager, app):
    old = event("release.create", manager, team, app, days_ago=200)
    config = event("config.update", manager, team, app, days_ago=3)
    event("dynos.restart", team_admin, team, app)  # someone else's use counts for nobody else
    usage, per_perm = uses(review, team_admin, item_of(review, manager, app))
    assert per_perm["deploy"] == (config.created_at, False)  # config.update needs deploy or manage
    assert per_perm["manage"] == (config.created_at, False)
    assert old.created_at < config.created_at
    assert usage.flagged is False


def test_a_permission_unused_for_90_days_is_flagged(review, team, team_admin, manager, app):
    event("config.update", manager, team, app, days_ago=91)
    usage, per_perm = uses(review, team_admin, item_of(review, manager, app))
    assert per_perm["deploy"][1] is True and per_perm["manage"][1] is True
    assert usage.flagged is True


def test_manage_is_unused_when_only_deploy_actions_were_taken(review, team, team_admin, manager, app):
    event("release.create", manager, team, app, days_ago=1)
    _, per_perm = uses(review, team_admin, item_of(review, manager, app))
    assert per_perm["deploy"][1] is False and per_perm["manage"] == (None, True)


def test_sign_in_and_api_token_use_are_shown(review, team_admin, collaborator, app):
    signed_in = timezone.now() - timedelta(days=5)
    collaborator.last_login = signed_in
    collaborator.save()
    token_use = timezone.now() - timedelta(days=2)
    ApiToken.objects.create(user=collaborator, name="ci", prefix="x", digest="d" * 64, last_used_at=token_use)
    ApiToken.objects.create(user=collaborator, name="old", prefix="y", digest="e" * 64)
    usage, per_perm = uses(review, team_admin, item_of(review, collaborator, app))
    assert (usage.last_sign_in, usage.last_api_use) == (signed_in, token_use)
    assert per_perm == {"view": (token_use, False)} and usage.flagged is False


def test_an_admin_role_is_used_by_admin_only_actions(review, team, team_admin, second_admin):
    event("member.add", second_admin, team, days_ago=10)
    usage, per_action = uses(review, team_admin, item_of(review, second_admin))
    assert per_action["manage members"][1] is False and per_action["manage settings"] == (None, True)
    assert usage.flagged is False
    idle, _ = uses(review, second_admin, item_of(review, team_admin))
    assert idle.flagged is True


def test_reviewers_get_an_email_when_assigned(django_capture_on_commit_callbacks, team, team_admin, second_admin,
                                              manager, collaborator):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        review = review_start(
            actor=team_admin, team=team, due_date=timezone.localdate() + timedelta(days=7), origin=WEB
        )
    assert len(mail.outbox) == 0  # queued for the worker, not sent in the request
    [notify, remind] = DBTaskResult.objects.order_by("enqueued_at")
    assert notify.task_path == notify_reviewers.module_path and notify.status == TaskResultStatus.READY
    assert remind.task_path == remind_reviewers.module_path
    due = timezone.localdate() + timedelta(days=7)
    assert remind.run_after.date() == due - REMIND_BEFORE
    assert notify_reviewers.call(review.pk) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin2@acme.test",
        "admin@acme.test",
        "manager@acme.test",
    ]
    assert f"/teams/acme/reviews/{review.pk}/" in mail.outbox[0].body


def test_the_reminder_goes_only_to_reviewers_with_undecided_items(review, team_admin, second_admin, manager,
                                                                   collaborator, app):  # fmt: skip
    review_item_decide(actor=team_admin, item=item_of(review, collaborator, app), decision="keep", origin=WEB)
    for item in review.items.filter(kind="role").exclude(user=team_admin):
        review_item_decide(actor=team_admin, item=item, decision="keep", origin=WEB)
    review_item_decide(actor=second_admin, item=item_of(review, manager, app), decision="keep", origin=WEB)
    mail.outbox.clear()
    assert remind_reviewers.call(review.pk) == 1
    assert mail.outbox[0].to == ["admin2@acme.test"] and "Reminder" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_sends_the_assignment_mail_and_keeps_the_reminder_for_later(
    team, team_admin, second_admin
):
    review_start(actor=team_admin, team=team, due_date=timezone.localdate() + timedelta(days=10), origin=WEB)
    run_worker_batch()
    notify = DBTaskResult.objects.get(task_path=notify_reviewers.module_path)
    assert notify.status == TaskResultStatus.SUCCESSFUL, notify.exception_class_path
    assert notify.return_value == 2  # both admins review the other's role
    remind = DBTaskResult.objects.get(task_path=remind_reviewers.module_path)
    assert remind.status == TaskResultStatus.READY
