"""Read-side questions about access reviews, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from accessctl.access import reviews as review_rules
from accessctl.access.facts import access_for
from accessctl.access.policy import Access
from reviews.matrix import team_people_facts
from reviews.models import AccessReview, ItemKind, ReviewItem
from reviews.usage import Usage, usage_for
from teams.models import Team


def reviews_of(team: Team) -> QuerySet[AccessReview]:
    """The team's reviews, newest first, with ``item_count`` and ``decided_count``. One query."""
    return AccessReview.objects.filter(team=team).annotate(
        item_count=Count("items"), decided_count=Count("items", filter=~Q(items__decision=""))
    )


def review_items(review: AccessReview) -> QuerySet[ReviewItem]:
    """The review's items with the person and the app loaded (the reviewer rules read the app)."""
    return ReviewItem.objects.filter(review=review).select_related("user", "app")


def may_review(access: Access, team: Team, item: ReviewItem) -> bool:
    """Is the person with ``access`` a reviewer of ``item``? (``policy``'s reviewer rules.)"""
    if item.user_id is None:
        return False
    if item.kind == ItemKind.ROLE:
        return review_rules.can_review_role(access, team, item.user_id)
    return item.app is not None and review_rules.can_review_grant(access, item.app, item.user_id)


@dataclass(frozen=True)
class ItemRow:
    item: ReviewItem
    usage: Usage
    can_decide: bool


def item_rows(review: AccessReview, viewer: Any, items: list[ReviewItem] | None = None) -> list[ItemRow]:
    """The items (all, or the given page) with their usage and whether ``viewer`` may decide them."""
    items = list(review_items(review)) if items is None else items
    usage = usage_for(review, items)
    access = access_for(viewer)
    return [
        ItemRow(item, usage[item.pk], review.is_open and may_review(access, review.team, item))
        for item in items
    ]


@dataclass(frozen=True)
class Reviewer:
    user_id: int
    email: str
    items: int
    """How many of the review's undecided items they may decide."""


def reviewers_of(review: AccessReview) -> list[Reviewer]:
    """The people of the team who may decide some undecided item of the review. Four queries."""
    items = list(review_items(review).filter(decision=""))
    found = []
    for person in team_people_facts(review.team):
        count = sum(1 for item in items if may_review(person.facts, review.team, item))
        if count and person.is_active:
            found.append(Reviewer(person.user_id, person.email, count))
    return found
