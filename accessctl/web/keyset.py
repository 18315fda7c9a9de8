"""Keyset (seek) pagination for the pages' lists: a page costs one bounded query, whatever the page.

A page is found by the key of the row next to it (``?after=`` the last row of the previous page, ``?before=`` the
first row of the next one), never by OFFSET, and nothing is counted: the page asks for ``size + 1`` rows to
know whether another page follows. ``?last=1`` is the last page (the first page read backwards). The keys
must order the rows completely (end with a unique column) and run in one direction, e.g. ``("email",)`` or
``("-created_at", "-id")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

PARAMS = ("after", "before", "last", "page")
SEPARATOR = "|"
UTC_MIN = datetime(1, 1, 2, tzinfo=UTC)
UTC_MAX = datetime(9999, 12, 30, tzinfo=UTC)
"""Times a day inside what Python and the databases hold, so converting one to any zone cannot overflow."""


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows and the query strings (URL-encoded, filters kept) of its neighbours."""

    object_list: list[Any]
    query: str
    next_cursor: str | None
    previous_cursor: str | None
    at_start: bool
    at_end: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def _link(self, **params: str) -> str:
        return "?" + "&".join(part for part in (self.query, urlencode(params)) if part)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_url(self) -> str:
        return self._link(after=self.next_cursor or "")

    @property
    def previous_url(self) -> str:
        return self._link(before=self.previous_cursor or "")

    @property
    def first_url(self) -> str:
        return self._link()

    @property
    def last_url(self) -> str:
        return self._link(last="1")


def _fields(keys: Sequence[str]) -> tuple[list[str], bool]:
    descending = keys[0].startswith("-")
    if any(key.startswith("-") != descending for key in keys):
        raise ValueError("Keyset keys must all run in the same direction.")
    return [key.lstrip("-") for key in keys], descending


def _cursor(row: Any, fields: list[str]) -> str:
    values = [getattr(row, name) for name in fields]
    return SEPARATOR.join(
        value.isoformat() if hasattr(value, "isoformat") else str(value) for value in values
    )


def _decode(model: type[Any], fields: list[str], cursor: str) -> list[Any] | None:
    parts = cursor.split(SEPARATOR, len(fields) - 1)
    if len(parts) != len(fields):
        return None
    try:
        values = [model._meta.get_field(f).to_python(v) for f, v in zip(fields, parts, strict=True)]
    except ValidationError:
        return None
    return values if all(_storable(value) for value in values) else None


def _storable(value: Any) -> bool:
    """Can the database compare with ``value``? A cursor is typed by hand too: a time without its offset (ours
    always carry one), or one that overflows in UTC, a NUL in a string (PostgreSQL refuses it) or an integer
    past 64 bits fails in the query, a server error instead of the first page."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return False
        try:
            value.astimezone(UTC)
        except OverflowError:
            return False
        return UTC_MIN <= value <= UTC_MAX
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return True


def _beyond(fields: list[str], values: list[Any], op: str) -> Q:
    """Rows strictly beyond the cursor in the direction ``op`` (``gt`` or ``lt``), tuple comparison."""
    condition = Q(**{f"{fields[-1]}__{op}": values[-1]})
    for name, value in zip(reversed(fields[:-1]), reversed(values[:-1]), strict=True):
        condition = Q(**{f"{name}__{op}": value}) | (Q(**{name: value}) & condition)
    return condition


@dataclass(frozen=True)
class PreparedRows:
    """A page's rows read without building the queryset (a prepared query, see ``accessctl.access.prepared``).

    ``fetch(backwards, cursor, limit)`` returns the first ``limit`` rows in the keys' order (reversed when
    ``backwards``) strictly beyond the cursor's key values (``None``: from the start), or ``None`` to decline;
    the page then runs ``queryset()``, which must list the same rows.
    """

    model: type[Model]
    fetch: Callable[[bool, list[Any] | None, int], list[Any] | None]
    queryset: Callable[[], QuerySet[Any]]


def keyset_page(
    request: HttpRequest, queryset: QuerySet[Any] | PreparedRows, *, keys: Sequence[str], size: int
) -> KeysetPage:
    """The page of ``queryset`` that the request's ``after`` / ``before`` / ``last`` parameters name."""
    fields, descending = _fields(keys)
    forward_op, backward_op = ("lt", "gt") if descending else ("gt", "lt")
    reverse_keys = [key[1:] if key.startswith("-") else f"-{key}" for key in keys]
    query = request.GET.copy()
    for name in PARAMS:
        query.pop(name, None)
    after, before = request.GET.get("after"), request.GET.get("before")
    after_values = _decode(queryset.model, fields, after) if after else None
    before_values = _decode(queryset.model, fields, before) if before else None
    backwards = before_values is not None or (after_values is None and request.GET.get("last") == "1")
    cursor = before_values if backwards else after_values
    found = queryset.fetch(backwards, cursor, size + 1) if isinstance(queryset, PreparedRows) else None
    if found is None:
        rows = queryset.queryset() if isinstance(queryset, PreparedRows) else queryset
        rows = rows.order_by(*(reverse_keys if backwards else keys))
        if cursor is not None:
            rows = rows.filter(_beyond(fields, cursor, backward_op if backwards else forward_op))
        found = list(rows[: size + 1])
    more = len(found) > size
    if backwards:
        found = found[:size][::-1]
        at_start, at_end = not more, before_values is None
    else:
        found = found[:size]
        at_start, at_end = after_values is None, not more
    return KeysetPage(
        object_list=found,
        query=query.urlencode(),
        next_cursor=_cursor(found[-1], fields) if found and not at_end else None,
        previous_cursor=_cursor(found[0], fields) if found and not at_start else None,
        at_start=at_start,
        at_end=at_end,
    )
