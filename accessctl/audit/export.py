"""The one CSV export of audit events, used by the team's audit page and the support console."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from accessctl.audit.models import AuditAction, AuditEvent

COLUMNS = (
    "time",
    "actor",
    "action",
    "description",
    "team",
    "app",
    "target",
    "before",
    "after",
    "source",
    "ip",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` hands back the line, for streaming ``csv.writer`` output."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    text = "" if value is None else value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def event_row(event: AuditEvent) -> list[str]:
    """One event as CSV cells, in the order of :data:`COLUMNS`."""
    label = AuditAction(event.action).label if event.action in AuditAction.values else event.action
    values = (
        event.created_at.isoformat(),
        event.actor_label,
        event.action,
        label,
        event.team_name,
        event.app_name,
        event.target_email,
        event.before,
        event.after,
        event.source,
        event.ip,
    )
    return [safe_cell(value) for value in values]


def _lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for event in events:
        yield writer.writerow(event_row(event))


def audit_csv_response(events: QuerySet[AuditEvent], filename: str) -> StreamingHttpResponse:
    """Stream ``events`` (newest first) as a CSV download, reading the database in chunks."""
    ordered = events.order_by("-created_at", "-id").iterator(chunk_size=500)
    response = StreamingHttpResponse(_lines(ordered), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
