"""Access review pages: list and start, one review with its items, decisions, bulk keep, close, evidence."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accessctl.access import policy as p
from accessctl.web.changes import change, done
from accessctl.web.keyset import keyset_page
from accessctl.web.lookups import get_team
from reviews import closing, services
from reviews.evidence import evidence_csv_response
from reviews.forms import DecisionForm, ReviewStartForm
from reviews.models import AccessReview, ReviewItem
from reviews.selectors import item_rows, review_items, reviewers_of, reviews_of
from teams.models import Team

ITEM_KEYS = ("kind", "app_name", "email", "id")  # ReviewItem's own order, so the pages read as the report


def _review(request: HttpRequest, team: str, review_id: int, perm: str = p.VIEW_MATRIX_TEAM) -> AccessReview:
    found = get_team(request, team, perm=perm)
    review = AccessReview.objects.filter(team=found, pk=review_id).select_related("team").first()
    if review is None:
        raise Http404("Couldn't find that review.")
    return review


def _detail_url(review: AccessReview) -> str:
    return reverse("reviews:detail", kwargs={"team": review.team.name, "review_id": review.pk})


def _list_page(
    request: HttpRequest, team: Team, form: ReviewStartForm | None = None, status: int = 200
) -> HttpResponse:
    page = keyset_page(request, reviews_of(team), keys=("-created_at", "-id"), size=settings.PAGE_SIZE)
    context = {"team": team, "page": page, "form": form or ReviewStartForm(team=team)}
    return render(request, "reviews/review_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def review_list(request: HttpRequest, team: str) -> HttpResponse:
    """The team's reviews; admins start one here (POST)."""
    if request.method == "GET":
        return _list_page(request, get_team(request, team, perm=p.VIEW_MATRIX_TEAM))
    found = get_team(request, team, perm=p.MANAGE_REVIEWS_TEAM)
    form = ReviewStartForm(request.POST, team=found)
    outcome = change(request, services.review_start, form, team=found)
    if outcome:
        return done(
            request,
            outcome,
            f"Review started with {outcome.result.items.count()} items.",
            _detail_url(outcome.result),
        )
    return _list_page(request, found, form, status=422)


def _detail_page(
    request: HttpRequest, review: AccessReview, bound: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    page = keyset_page(request, review_items(review), keys=ITEM_KEYS, size=settings.PAGE_SIZE)
    rows = item_rows(review, request.user, list(page))
    forms = {}
    for row in rows:
        if row.can_decide:
            initial: dict[str, Any] = {
                "decision": row.item.decision,
                "role": row.item.new_role,
                "note": row.item.note,
            }
            initial["permissions"] = row.item.new_permissions or row.item.permissions
            forms[row.item.pk] = DecisionForm(prefix=f"item-{row.item.pk}", initial=initial)
    if bound is not None:
        forms[int(bound.prefix.removeprefix("item-"))] = bound  # type: ignore[union-attr]
    context: dict[str, Any] = {
        "team": review.team,
        "review": review,
        "page": page,
        "rows": [(row, forms.get(row.item.pk)) for row in rows],
        "reviewers": reviewers_of(review) if review.is_open else [],
        "undecided": review_items(review).filter(decision="").count(),
    }
    return render(request, "reviews/review_detail.html", context, status=status)


def review_detail(request: HttpRequest, team: str, review_id: int) -> HttpResponse:
    """The review's items with usage, decision forms for the items the user may decide, and the close button."""
    return _detail_page(request, _review(request, team, review_id))


@require_POST
def item_decide(request: HttpRequest, team: str, review_id: int, item_id: int) -> HttpResponse:
    """Record a decision on one item."""
    review = _review(request, team, review_id)
    item = ReviewItem.objects.filter(review=review, pk=item_id).first()
    if item is None:
        raise Http404("Couldn't find that review item.")
    form = DecisionForm(request.POST, prefix=f"item-{item.pk}")
    outcome = change(request, services.review_item_decide, form, item=item)
    if outcome:
        return done(request, outcome, f"{item.email}: {outcome.result.decision_label}.", _detail_url(review))
    return _detail_page(request, review, bound=form, status=422)


@require_POST
def keep_unflagged(request: HttpRequest, team: str, review_id: int) -> HttpResponse:
    """Keep every unflagged item the user may decide."""
    review = _review(request, team, review_id)
    outcome = change(request, services.review_keep_unflagged, review=review)
    count = len(outcome.result) if outcome else 0
    return done(request, outcome, f"Kept {count} unflagged item(s).", _detail_url(review))


@require_POST
def review_close(request: HttpRequest, team: str, review_id: int) -> HttpResponse:
    """Close the review and apply its reductions and revocations."""
    review = _review(request, team, review_id, perm=p.MANAGE_REVIEWS_TEAM)
    outcome = change(request, closing.review_close, review=review)
    return done(request, outcome, "Review closed; its decisions were applied.", _detail_url(review))


def review_report(request: HttpRequest, team: str, review_id: int) -> HttpResponse | StreamingHttpResponse:
    """The printable evidence report; ``?format=csv`` streams the same as CSV."""
    review = _review(request, team, review_id)
    if request.GET.get("format") == "csv":
        return evidence_csv_response(review)
    context = {"team": review.team, "review": review, "items": review_items(review)}
    return render(request, "reviews/review_report.html", context)
