"""Review e-mails, sent by the background worker: to each reviewer when a review starts (they are assigned
its items), and a reminder before the due date to those who still have items to decide.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from reviews.models import AccessReview
from reviews.selectors import reviewers_of

logger = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(days=2)
"""Reviewers with undecided items are reminded this long before the due date (at midnight UTC)."""


def _mail(review: AccessReview, subject: str, lead: str) -> int:
    url = settings.SITE_URL.rstrip("/") + reverse(
        "reviews:detail", kwargs={"team": review.team.name, "review_id": review.pk}
    )
    sent = 0
    for reviewer in reviewers_of(review):
        body = (
            f"{lead}\n\nTeam: {review.team.name}\nYou can decide {reviewer.items} item(s).\n"
            f"Due: {review.due_date:%Y-%m-%d}\n\nOpen the review: {url}\n"
        )
        sent += send_mail(subject, body, None, [reviewer.email])
    return sent


@task()
def notify_reviewers(review_id: int) -> int:
    """E-mail every reviewer of a new review; returns how many e-mails were sent."""
    review = AccessReview.objects.select_related("team").filter(pk=review_id).first()
    if review is None or not review.is_open:
        return 0
    sent = _mail(
        review, f"Access review of {review.team.name}: you are a reviewer", "An access review started."
    )
    logger.info("task=notify_reviewers review=%d sent=%d", review_id, sent)
    return sent


@task()
def remind_reviewers(review_id: int) -> int:
    """Remind the reviewers who still have undecided items of an open review; returns the e-mails sent."""
    review = AccessReview.objects.select_related("team").filter(pk=review_id).first()
    if review is None or not review.is_open:
        return 0
    sent = _mail(
        review,
        f"Reminder: access review of {review.team.name} is due {review.due_date:%Y-%m-%d}",
        "This access review is due soon and has items waiting for your decision.",
    )
    logger.info("task=remind_reviewers review=%d sent=%d", review_id, sent)
    return sent


def reminder_time(review: AccessReview) -> datetime | None:
    """When to remind: :data:`REMIND_BEFORE` the due date, or never if that moment has passed."""
    due = datetime.combine(review.due_date, time.min, tzinfo=timezone.get_current_timezone())
    when = due - REMIND_BEFORE
    return when if when > timezone.now() else None


def schedule_review_mail(review: AccessReview) -> None:
    """After the starting transaction commits: the reviewers' e-mail now, the reminder before the due date."""
    review_id, when = review.pk, reminder_time(review)

    def enqueue() -> None:
        notify_reviewers.enqueue(review_id)
        if when is not None:
            remind_reviewers.using(run_after=when).enqueue(review_id)

    transaction.on_commit(enqueue)
