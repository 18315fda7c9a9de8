"""Closing an access review: every reduce and revoke applied through the team and app services.

Each runs with audit source ``review``, in one atomic block per item together with the item's record of the
change, after refusing a review with undecided items or one whose decisions would leave the team without an
admin (naming the item).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access import reviews as review_rules
from accessctl.access.backend import require
from accessctl.access.errors import Conflict, DomainError, NotFound
from accessctl.access.policy import TeamRole
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction, AuditSource
from apps.services import app_grant_remove, app_grant_update
from reviews.models import AccessReview, Decision, ItemKind, ReviewItem, ReviewStatus
from reviews.selectors import review_items
from reviews.services import REVIEW_CLOSED
from teams.models import Membership
from teams.services import team_member_remove, team_member_set_role

UNDECIDED = "{count} item(s) are still undecided. Decide every item before closing the review."
LAST_ADMIN_ITEM = (
    "Closing would leave {team} without an admin: the decision on {email} ({subject}). Change it to keep."
)


def _review_origin(origin: Origin) -> Origin:
    return Origin(source=AuditSource.REVIEW, ip=origin.ip)


def _apply(actor: Any, item: ReviewItem, origin: Origin) -> str:
    """Carry out one reduce or revoke through the normal services; say what changed."""
    team, user = item.review.team, item.user
    if user is None:
        return "No change: the account was deleted."
    if item.kind == ItemKind.ROLE:
        if item.decision == Decision.REVOKE:
            team_member_remove(actor=actor, team=team, user=user, origin=origin)
            return f"Removed from {team.name} (was {item.role})."
        team_member_set_role(actor=actor, team=team, user=user, role=item.new_role, origin=origin)
        return f"Role changed to {item.new_role}."
    if item.app is None:
        return "No change: the app was deleted."
    if item.decision == Decision.REVOKE:
        app_grant_remove(actor=actor, app=item.app, user=user, origin=origin)
        return f"Access to {item.app.name} revoked."
    app_grant_update(
        actor=actor, app=item.app, user=user, permissions=item.new_permissions or (), origin=origin
    )
    return f"Permissions on {item.app.name} set to {', '.join(item.new_perm_list)}."


def _refuse_if_no_admin_left(review: AccessReview, pending: list[ReviewItem]) -> None:
    admins = Membership.objects.filter(team=review.team, role=TeamRole.ADMIN).values_list(
        "user_id", flat=True
    )
    changes = [
        (item, item.user_id or 0, None if item.decision == Decision.REVOKE else item.new_role)
        for item in pending
        if item.kind == ItemKind.ROLE
    ]
    blocking = review_rules.first_change_leaving_no_admin(admins, changes)
    if blocking is not None:
        raise Conflict(
            LAST_ADMIN_ITEM.format(team=review.team.name, email=blocking.email, subject=blocking.subject)
        )


def review_close(*, actor: Any, review: AccessReview, origin: Origin) -> AccessReview:
    """Close a fully decided review, applying every reduce and revoke (one atomic block per item)."""
    require(actor, p.MANAGE_REVIEWS_TEAM, review.team)
    with transaction.atomic():
        review = AccessReview.objects.select_for_update().select_related("team").get(pk=review.pk)
        if not review.is_open:
            raise Conflict(REVIEW_CLOSED)
        items = list(review_items(review).select_related("review__team"))
        undecided = sum(1 for item in items if not item.decision)
        if undecided:
            raise Conflict(UNDECIDED.format(count=undecided))
        pending = [item for item in items if item.decision != Decision.KEEP and not item.is_applied]
        pending.sort(key=lambda item: item.user_id == actor.pk)  # the closer's own access changes last
        _refuse_if_no_admin_left(review, pending)
    for item in pending:
        with transaction.atomic():
            try:
                item.change_applied = _apply(actor, item, _review_origin(origin))
            except NotFound:
                item.change_applied = "No change: this access had already ended."
            except DomainError as error:
                raise Conflict(f"{item.email} ({item.subject}): {error.message}") from None
            item.applied_at = timezone.now()
            item.save(update_fields=["change_applied", "applied_at"])
    with transaction.atomic():
        now = timezone.now()
        ReviewItem.objects.filter(review=review, decision=Decision.KEEP).update(
            change_applied="No change (kept).", applied_at=now
        )
        review.status, review.closed_at = ReviewStatus.CLOSED, now
        review.closed_by, review.closed_by_email = (
            (actor if actor.pk else None),
            str(getattr(actor, "email", actor)),
        )
        review.save(update_fields=["status", "closed_at", "closed_by", "closed_by_email"])
        applied = [item.pk for item in pending]
        audit.record(
            actor=actor,
            action=AuditAction.REVIEW_CLOSE,
            origin=origin,
            team=review.team,
            after={"review": review.pk, "items": len(items), "changes_applied": applied},
        )
    return review
