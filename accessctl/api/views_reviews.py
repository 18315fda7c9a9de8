"""Platform API: the access matrix's reviews (SPEC 18), for compliance tooling."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from accessctl.access import policy as p
from accessctl.api.bodies import parse_body
from accessctl.api.bodies_reviews import ItemDecision, ReviewCreate, ReviewPatch
from accessctl.api.http import api_view, json_response, origin, ranged
from accessctl.api.serializers import iso
from accessctl.web.lookups import get_team
from apps.models import App
from reviews import closing, services
from reviews.models import AccessReview, ReviewItem
from reviews.selectors import ItemRow, item_rows, reviews_of

UNKNOWN_APP = "Couldn't find the app '{name}' in {team}."


def review_json(review: AccessReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "team": {"name": review.team.name},
        "status": review.status,
        "scope": {"apps": review.app_names or None},
        "due_date": review.due_date.isoformat(),
        "started_by": review.started_by_email,
        "created_at": iso(review.created_at),
        "closed_by": review.closed_by_email or None,
        "closed_at": iso(review.closed_at),
        "items": getattr(review, "item_count", None),
        "decided": getattr(review, "decided_count", None),
    }


def item_json(row: ItemRow) -> dict[str, Any]:
    item, usage = row.item, row.usage
    return {
        "id": item.pk,
        "kind": item.kind,
        "user": {"email": item.email},
        "app": {"name": item.app_name} if item.app_name else None,
        "role": item.role or None,
        "permissions": item.perm_list if item.kind == "grant" else None,
        "decision": item.decision or None,
        "reduce_to": (item.new_role or item.new_perm_list) if item.decision == "reduce" else None,
        "note": item.note,
        "decided_by": item.decided_by_email or None,
        "decided_at": iso(item.decided_at),
        "change_applied": item.change_applied or None,
        "applied_at": iso(item.applied_at),
        "can_decide": row.can_decide,
        "usage": {
            "last_sign_in": iso(usage.last_sign_in),
            "last_api_use": iso(usage.last_api_use),
            "permissions": {use.name: iso(use.last_used) for use in usage.uses},
            "unused_90_days": usage.flagged,
            "changes_during_review": list(usage.changes),
        },
    }


def _review(request, team: str, review_id: int, perm: str = p.VIEW_MATRIX_TEAM) -> AccessReview:
    found = get_team(request, team, perm=perm, page_facts=False)
    review = reviews_of(found).filter(pk=review_id).select_related("team").first()
    if review is None:
        raise Http404("Couldn't find that access review.")
    return review


@api_view("GET", "POST")
def access_reviews(request, team):
    """List the team's reviews, or start one (team admins)."""
    if request.method == "GET":
        found = get_team(request, team, perm=p.VIEW_MATRIX_TEAM, page_facts=False)
        return ranged(
            request, reviews_of(found).select_related("team"), allowed=("id",), serialize=review_json
        )
    found = get_team(request, team, perm=p.MANAGE_REVIEWS_TEAM, page_facts=False)
    data = parse_body(request, ReviewCreate)
    apps = []
    for name in data.apps or []:
        app = App.objects.filter(team=found, name=name).first()
        if app is None:
            raise Http404(UNKNOWN_APP.format(name=name, team=found.name))
        apps.append(app)
    review = services.review_start(
        actor=request.user, team=found, due_date=data.due_date, apps=apps, origin=origin(request)
    )
    return json_response(review_json(reviews_of(found).select_related("team").get(pk=review.pk)), status=201)


@api_view("GET", "PATCH")
def access_review(request, team, review_id):
    """One review; PATCH ``{"status": "closed"}`` closes it, applying every reduce and revoke."""
    review = _review(request, team, review_id)
    if request.method == "PATCH":
        parse_body(request, ReviewPatch)
        closing.review_close(actor=request.user, review=review, origin=origin(request))
        review = _review(request, team, review_id)
    return json_response(review_json(review))


@api_view("GET")
def access_review_items(request, team, review_id):
    """The review's items with usage and decisions."""
    review = _review(request, team, review_id)
    rows = item_rows(review, request.user)
    return ranged(request, rows, allowed=("id",), serialize=item_json, key=lambda row, field: row.item.pk)


@api_view("PATCH")
def access_review_item(request, team, review_id, item_id):
    """Decide one item."""
    review = _review(request, team, review_id)
    item = ReviewItem.objects.filter(review=review, pk=item_id).first()
    if item is None:
        raise Http404("Couldn't find that review item.")
    data = parse_body(request, ItemDecision)
    services.review_item_decide(
        actor=request.user,
        item=item,
        decision=data.decision,
        role=data.role,
        permissions=data.permissions,
        note=data.note or "",
        origin=origin(request),
    )
    [row] = item_rows(
        review, request.user, [ReviewItem.objects.select_related("user", "app").get(pk=item.pk)]
    )
    return json_response(item_json(row))
