"""The evidence of a review as CSV: the scope, then every item with reviewer, decision, note, time and change."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from accessctl.audit.export import safe_cell
from reviews.models import AccessReview
from reviews.selectors import review_items

COLUMNS = (
    "review", "team", "scope", "started_by", "started_at", "due_date", "status", "closed_by", "closed_at",
    "kind", "person", "app", "access_reviewed", "reviewer", "decision", "note", "decided_at", "change_applied",
    "applied_at",
)  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _time(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ""


def evidence_lines(review: AccessReview) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    head = (
        review.pk, review.team.name, review.scope_label, review.started_by_email, _time(review.created_at),
        _time(review.due_date), review.status, review.closed_by_email, _time(review.closed_at),
    )  # fmt: skip
    for item in review_items(review).iterator(chunk_size=500):
        access = item.role if item.kind == "role" else " ".join(item.perm_list)
        row = (
            *head, item.kind, item.email, item.app_name, access, item.decided_by_email, item.decision_label,
            item.note, _time(item.decided_at), item.change_applied, _time(item.applied_at),
        )  # fmt: skip
        yield writer.writerow([safe_cell(str(value)) for value in row])


def evidence_csv_response(review: AccessReview) -> StreamingHttpResponse:
    response = StreamingHttpResponse(evidence_lines(review), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="{review.team.name}-access-review-{review.pk}.csv"'
    )
    return response
