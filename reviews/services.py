"""Every change to access reviews: start, decide an item, keep all unflagged, close. One audit event each.

Closing applies the decisions through the team and app services (each with its own audit event, source
``review``), one atomic block per item, after refusing a review with undecided items or one whose decisions
would leave the team without an admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Conflict, DomainError, Invalid, NotFound
from accessctl.access.facts import access_for
from accessctl.access.policy import TeamRole
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction, AuditSource
from apps.models import App, Grant
from apps.services import app_grant_remove, app_grant_update
from reviews.models import AccessReview, Decision, ItemKind, ReviewItem, ReviewStatus
from reviews.selectors import may_review, review_items
from reviews.tasks import schedule_review_mail
from reviews.usage import usage_for
from teams.models import Membership, Team
from teams.services import team_member_remove, team_member_set_role

DUE_IN_PAST = "The due date must be today or later."
FOREIGN_APP = "{app} is not an app of {team}."
REVIEW_CLOSED = "This review is closed. Start a new review to change decisions."
SELF_REVIEW = "You cannot review your own access. Another reviewer must decide this item."
NOT_REVIEWER = "Only team admins review roles; only team admins and the app's manage holders review grants."
UNKNOWN_DECISION = "Unknown decision '{decision}'. Use keep, reduce or revoke."
REDUCE_ROLE = "Pick a role below {role} to reduce to (member or viewer), or choose revoke."
REDUCE_PERMS = "Pick fewer permissions than {perms} (view always stays), or choose revoke."
UNDECIDED = "{count} item(s) are still undecided. Decide every item before closing the review."
LAST_ADMIN_ITEM = (
    "Closing would leave {team} without an admin: the decision on {email} ({subject}). Change it to keep."
)


def _review_origin(origin: Origin) -> Origin:
    return Origin(source=AuditSource.REVIEW, ip=origin.ip)


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
        if role is None or not p.reduces_role(item.role, role):
            raise Invalid(REDUCE_ROLE.format(role=item.role), field="role")
        item.new_role = role
    elif decision == Decision.REDUCE:
        try:
            perms = p.normalize_perms(permissions or ())
        except ValueError as error:
            raise Invalid(str(error), field="permissions") from None
        if permissions is None or not p.reduces_perms(item.permissions or frozenset(), perms):
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
    blocking = p.first_change_leaving_no_admin(admins, changes)
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
