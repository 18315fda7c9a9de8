"""Every change to access reviews but closing (``reviews.closing``): start, decide one item, keep all
unflagged. One transaction and one audit event each.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access import reviews as review_rules
from accessctl.access.backend import require
from accessctl.access.errors import Conflict, Invalid
from accessctl.access.facts import access_for
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from apps.models import App, Grant
from reviews.matrix import team_people_facts
from reviews.models import AccessReview, Decision, ItemKind, ReviewItem
from reviews.selectors import may_review, review_items
from reviews.tasks import schedule_review_mail
from reviews.usage import usage_for
from teams.models import Membership, Team

DUE_IN_PAST = "The due date must be today or later."
FOREIGN_APP = "{app} is not an app of {team}."
REVIEW_CLOSED = "This review is closed. Start a new review to change decisions."
SELF_REVIEW = "You cannot review your own access. Another reviewer must decide this item."
NOT_REVIEWER = "Only team admins review roles; only team admins and the app's manage holders review grants."
UNKNOWN_DECISION = "Unknown decision '{decision}'. Use keep, reduce or revoke."
REDUCE_ROLE = "Pick a role below {role} to reduce to (member or viewer), or choose revoke."
REDUCE_PERMS = "Pick fewer permissions than {perms} (view always stays), or choose revoke."
NO_OTHER_REVIEWER = (
    "Kept when the review started: nobody but the holder may review it (the team's only admin)."
)


@transaction.atomic
def review_start(
    *, actor: Any, team: Team, due_date: date, origin: Origin, apps: Iterable[App] = ()
) -> AccessReview:
    """Open a review of every team role and grant (no ``apps``) or of the grants on ``apps``, as they are now."""
    require(actor, p.MANAGE_REVIEWS_TEAM, team)
    chosen = sorted(apps, key=lambda app: app.name)
    if due_date < timezone.localdate():
        raise Invalid(DUE_IN_PAST, field="due_date")
    for app in chosen:
        if app.team_id != team.pk:
            raise Invalid(FOREIGN_APP.format(app=app.name, team=team.name), field="apps")
    team = Team.objects.select_for_update().get(pk=team.pk)  # roles and grants stand still while we copy them
    review = AccessReview.objects.create(
        team=team,
        due_date=due_date,
        app_names=[app.name for app in chosen],
        started_by=actor if actor.pk else None,
        started_by_email=str(getattr(actor, "email", actor)),
    )
    review.apps.set(chosen)
    items = []
    if not chosen:
        for membership in Membership.objects.filter(team=team).select_related("user"):
            items.append(
                ReviewItem(
                    review=review,
                    kind=ItemKind.ROLE,
                    user=membership.user,
                    email=membership.user.email,
                    role=membership.role,
                )
            )
    grants = Grant.objects.filter(app__in=chosen) if chosen else Grant.objects.filter(app__team=team)
    for grant in grants.select_related("user", "app"):
        items.append(
            ReviewItem(
                review=review,
                kind=ItemKind.GRANT,
                user=grant.user,
                email=grant.user.email,
                app=grant.app,
                app_name=grant.app.name,
                permissions=grant.permissions,
            )
        )
    _keep_unreviewable(team, items)
    ReviewItem.objects.bulk_create(items)
    audit.record(
        actor=actor,
        action=AuditAction.REVIEW_START,
        origin=origin,
        team=team,
        after={"review": review.pk, "items": len(items), "apps": review.app_names, "due_date": str(due_date)},
    )
    schedule_review_mail(review)
    return review


def _keep_unreviewable(team: Team, items: list[ReviewItem]) -> None:
    """Keep the items nobody may decide (the only admin's own role), so the review can close.

    Nobody reviews their own access; such an item could only be kept anyway, as the last-admin rule
    refuses anything else.
    """
    people = [person for person in team_people_facts(team) if person.is_active]
    now = timezone.now()
    for item in items:
        if not any(may_review(person.facts, team, item) for person in people):
            item.decision, item.note, item.decided_at = Decision.KEEP, NO_OTHER_REVIEWER, now


def _lock_item(item: ReviewItem) -> ReviewItem:
    return (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("review__team", "app", "user")
        .get(pk=item.pk)
    )


def _check_reviewer(actor: Any, item: ReviewItem) -> None:
    if item.user_id is not None and item.user_id == actor.pk:
        raise PermissionDenied(SELF_REVIEW)
    if not may_review(access_for(actor), item.review.team, item):
        raise PermissionDenied(NOT_REVIEWER)


@transaction.atomic
def review_item_decide(
    *,
    actor: Any,
    item: ReviewItem,
    decision: str,
    origin: Origin,
    role: str | None = None,
    permissions: Iterable[str] | None = None,
    note: str = "",
) -> ReviewItem:
    """Decide one item: keep, reduce (to ``role`` for a role item, to ``permissions`` for a grant) or revoke."""
    item = _lock_item(item)
    if not item.review.is_open:
        raise Conflict(REVIEW_CLOSED)
    _check_reviewer(actor, item)
    if decision not in Decision.values:
        raise Invalid(UNKNOWN_DECISION.format(decision=decision), field="decision")
    item.new_role, item.new_permissions = "", None  # type: ignore[assignment]  # a nullable field
    if decision == Decision.REDUCE and item.kind == ItemKind.ROLE:
        if role is None or not review_rules.reduces_role(item.role, role):
            raise Invalid(REDUCE_ROLE.format(role=item.role), field="role")
        item.new_role = role
    elif decision == Decision.REDUCE:
        try:
            perms = p.normalize_perms(permissions or ())
        except ValueError as error:
            raise Invalid(str(error), field="permissions") from None
        if permissions is None or not review_rules.reduces_perms(item.permissions or frozenset(), perms):
            raise Invalid(REDUCE_PERMS.format(perms=", ".join(item.perm_list)), field="permissions")
        item.new_permissions = perms
    item.decision, item.note = decision, note.strip()
    item.decided_by, item.decided_by_email, item.decided_at = actor, actor.email, timezone.now()
    item.save()
    audit.record(
        actor=actor,
        action=AuditAction.REVIEW_DECIDE,
        origin=origin,
        team=item.review.team,
        app=item.app,
        target_user=item.user,
        after={"review": item.review_id, "item": item.pk, "decision": item.decision_label, "note": item.note},
    )
    return item


@transaction.atomic
def review_keep_unflagged(*, actor: Any, review: AccessReview, origin: Origin) -> list[ReviewItem]:
    """Keep every undecided, unflagged item the actor may decide (never their own). One audit event."""
    review = AccessReview.objects.select_for_update().select_related("team").get(pk=review.pk)
    if not review.is_open:
        raise Conflict(REVIEW_CLOSED)
    access = access_for(actor)
    undecided = [
        item
        for item in review_items(review).filter(decision="")
        if item.user_id != actor.pk and may_review(access, review.team, item)
    ]
    usage = usage_for(review, undecided)
    kept = [item for item in undecided if not usage[item.pk].flagged]
    now = timezone.now()
    for item in kept:
        item.decision, item.decided_by, item.decided_by_email, item.decided_at = (
            Decision.KEEP,
            actor,
            actor.email,
            now,
        )
    ReviewItem.objects.bulk_update(kept, ["decision", "decided_by", "decided_by_email", "decided_at"])
    audit.record(
        actor=actor,
        action=AuditAction.REVIEW_DECIDE,
        origin=origin,
        team=review.team,
        after={"review": review.pk, "decision": "keep", "items": [item.pk for item in kept]},
    )
    return kept
