"""Read-side questions about access reviews, each in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from accessctl.access import policy as p
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
    """The people of the team who may decide some undecided item of the review. Four queries.

    The items are counted by what the rules read of them (a role, or the app of a grant), less the person's
    own, so the work grows with the items and the people's grants, not with people x items: the rules are
    asked once a person about the apps they hold no grant on (``AppRef`` 0 stands for those) and once about
    each app of the review they hold a grant on.
    """
    team = review.team
    totals: Counter[int | None] = Counter()  # app id (None: the team roles) -> undecided items
    own: dict[int, Counter[int | None]] = defaultdict(Counter)  # person -> app id -> their own items
    apps: dict[int, Any] = {}
    for item in review_items(review).filter(decision=""):
        if item.user_id is None or (item.kind != ItemKind.ROLE and item.app is None):
            continue  # nobody may decide it (``may_review``)
        key = None if item.kind == ItemKind.ROLE else item.app_id
        totals[key] += 1
        own[item.user_id][key] += 1
        if key is not None:
            apps[key] = item.app
    grant_total = totals.total() - totals[None]
    found = []
    for person in team_people_facts(team):
        facts, mine = person.facts, own.get(person.user_id, Counter())
        held = {key for key in facts.held() if key in apps}
        count = totals[None] - mine[None] if review_rules.reviews_roles(facts, team) else 0
        if review_rules.reviews_grants_on(facts, p.AppRef(id=0, team_id=team.pk)):
            mine_unheld = sum(n for key, n in mine.items() if key is not None and key not in held)
            count += grant_total - sum(totals[key] for key in held) - mine_unheld
        count += sum(
            totals[key] - mine[key] for key in held if review_rules.reviews_grants_on(facts, apps[key])
        )
        if count and person.is_active:
            found.append(Reviewer(person.user_id, person.email, count))
    return found
