"""The API's plumbing: token auth (Bearer, or Basic as the CLI's webhook commands build it), Heroku-shaped
errors, Range pagination (bodies: ``bodies.py``)."""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accessctl.access.errors import DomainError
from accessctl.audit.log import Origin
from accessctl.identity.signin import SignInRequired
from accessctl.identity.tokens import token_for, token_sign_in
from accessctl.models import AuditSource

log = logging.getLogger("accessctl.api")
CONTENT_TYPE = "application/vnd.heroku+json; version=3"


class ApiError(Exception):
    """An error answer: status, Heroku error id and a message for people."""

    def __init__(self, status: int, error_id: str, message: str):
        super().__init__(message)
        self.status, self.error_id, self.message = status, error_id, message


def error_response(status: int, error_id: str, message: str) -> JsonResponse:
    return JsonResponse({"id": error_id, "message": message}, status=status, content_type=CONTENT_TYPE)


def json_response(data, status: int = 200, headers=None) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, content_type=CONTENT_TYPE, headers=headers)


def origin(request) -> Origin:
    return Origin.from_request(request, AuditSource.API)


def token_from_header(header: str) -> str | None:
    """The API token of an ``Authorization`` header: ``Bearer <token>``, or ``Basic base64(":" + token)`` as the
    Heroku CLI's webhook commands build it (the password part is the token; a user name before the colon is
    ignored). An account password is never accepted: the value is only ever looked up as a token."""
    scheme, _, raw = header.partition(" ")
    if scheme.lower() == "bearer":
        return raw.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(raw.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def api_view(*methods: str):
    """Wrap an API view: only ``methods``, token auth (never the session cookie), errors as JSON.

    The view receives ``request.user`` set from the token. A change (any method but GET) runs in one
    transaction, so an account created for an e-mail is gone again when the change is refused. Domain errors,
    refusals and 404s become the ``{"id", "message"}`` answers the Heroku CLI prints.
    """

    def decorate(view):
        @login_not_required  # a bearer token, never the session, signs API calls in
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return error_response(405, "method_not_allowed", f"{request.method} is not allowed here.")
            raw = token_from_header(request.headers.get("Authorization", ""))
            token = token_for(raw, origin(request)) if raw else None
            if token is None:
                return error_response(401, "unauthorized", "Invalid credentials provided.")
            request.user = token.user
            request.api_token = token  # the token this call signed in with (``DELETE /oauth/sessions/~``)
            request.sign_in = token_sign_in(token)
            try:
                with nullcontext() if request.method == "GET" else transaction.atomic():
                    return view(request, *args, **kwargs)
            except ApiError as error:
                return error_response(error.status, error.error_id, error.message)
            except DomainError as error:
                return error_response(error.status, error.error_id, error.message)
            except PermissionDenied as error:
                return error_response(403, "forbidden", str(error) or "You do not have access to do this.")
            except Http404 as error:
                return error_response(404, "not_found", str(error) or "Couldn't find that resource.")
            except SignInRequired as error:
                message = f"{error.message} Then create a new API token on your account page."
                return error_response(403, "forbidden", message)

        wrapper.api_methods = methods  # type: ignore[attr-defined]  # read by the schema coverage test
        return wrapper

    return decorate


# --- Range / Next-Range ----------------------------------------------------------------------------------------

# The start and end may hold dots (e-mails, times): the first ``..`` separates them (an address has none).
RANGE = re.compile(
    r"^\s*(?P<field>\w+)\s*(?P<open>\]?)(?P<start>[^;]*?)\.\.(?P<end>[^;]*?)\s*(?:;(?P<opts>.*))?$"
)
DEFAULT_MAX = 200  # Heroku's default page size


@dataclass(frozen=True)
class Range:
    field: str
    start: str = ""
    exclusive: bool = False
    end: str = ""
    max: int = DEFAULT_MAX
    descending: bool = False


def parse_range(request, allowed: tuple[str, ...], default_max: int = DEFAULT_MAX) -> Range:
    """Read the ``Range`` header (``name ]acme..; max=10, order=desc``). No header: the first field, all."""
    header = request.headers.get("Range", "").strip()
    if not header:
        return Range(field=allowed[0], max=default_max)
    match = RANGE.match(header)
    if not match or match["field"] not in allowed:
        raise ApiError(
            416,
            "requested_range_not_satisfiable",
            f"Invalid Range header. Use for example 'Range: {allowed[0]} ..; max=100'.",
        )
    options = {}
    for part in (match["opts"] or "").split(","):
        key, _, value = part.strip().partition("=")
        if key:
            options[key.strip()] = value.strip()
    try:
        size = int(options.get("max", default_max))
    except ValueError:
        raise ApiError(
            416, "requested_range_not_satisfiable", "max in the Range header must be a number."
        ) from None
    if not 1 <= size <= 1000:
        raise ApiError(416, "requested_range_not_satisfiable", "max in the Range header must be 1 to 1000.")
    order = options.get("order", "asc")
    if order not in ("asc", "desc"):
        raise ApiError(
            416, "requested_range_not_satisfiable", "order in the Range header must be asc or desc."
        )
    return Range(
        match["field"],
        match["start"].strip(),
        bool(match["open"]),
        match["end"].strip(),
        size,
        order == "desc",
    )


def _range_value(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass(frozen=True)
class PreparedRange:
    """A ranged list read without building its queryset (a prepared query, ``accessctl.access.prepared``).

    ``fetch(descending, op, start, limit)`` returns the first ``limit`` items ordered by the range's field
    (descending if asked), those whose field is ``op`` (``gt``, ``gte``, ``lt``, ``lte``) ``start`` when
    ``op`` is given, or ``None`` to decline; ``ranged`` then runs ``queryset()``, which must list the same.
    """

    model: type[Model]
    fetch: Callable[[bool, str | None, Any, int], list[Any] | None]
    queryset: Callable[[], QuerySet[Any]]


def ranged(
    request,
    items,
    *,
    allowed: tuple[str, ...],
    serialize,
    default_max: int = DEFAULT_MAX,
    key=None,
    fields: dict[str, str] | None = None,
):
    """Answer a list honouring ``Range``: at most ``max`` items, with ``Next-Range`` when more remain.

    ``items`` is a queryset (ordered and cut in the database), a :class:`PreparedRange` or a list of objects;
    ``key(obj, field)`` reads the range field of an object (``getattr`` by default). ``fields`` maps a range
    field to the model field that holds it (``{"id": "public_id"}``). A partial answer (206) carries
    ``Content-Range``.
    """
    rng = parse_range(request, allowed, default_max)
    columns: dict[str, str] = fields or {}
    column = columns.get(rng.field, rng.field)

    def attribute(obj, field: str):
        return getattr(obj, columns.get(field) or field)

    key = key or attribute
    if isinstance(items, QuerySet | PreparedRange):
        op, start = None, None
        if rng.start:
            op = ("lt" if rng.exclusive else "lte") if rng.descending else ("gt" if rng.exclusive else "gte")
            start = _coerce(rng.start, items.model, column)
        page = (
            items.fetch(rng.descending, op, start, rng.max + 1) if isinstance(items, PreparedRange) else None
        )
        if page is None:
            queryset = items.queryset() if isinstance(items, PreparedRange) else items
            if op is not None:
                queryset = queryset.filter(**{f"{column}__{op}": start})
            page = list(queryset.order_by(f"-{column}" if rng.descending else column)[: rng.max + 1])
    else:
        rows = sorted(items, key=lambda obj: key(obj, rng.field), reverse=rng.descending)
        if rng.start:
            start = _coerce_like(rng.start, rows, key, rng.field)

            def after(obj):
                value = key(obj, rng.field)
                if rng.descending:
                    return value < start if rng.exclusive else value <= start
                return value > start if rng.exclusive else value >= start

            rows = [obj for obj in rows if after(obj)]
        page = rows[: rng.max + 1]
    headers = {"Accept-Ranges": ", ".join(allowed)}
    status = 200
    if len(page) > rng.max:
        page = page[: rng.max]
        first, last = (_range_value(key(obj, rng.field)) for obj in (page[0], page[-1]))
        order = ", order=desc" if rng.descending else ""
        headers["Next-Range"] = f"{rng.field} ]{last}..; max={rng.max}{order}"
        headers["Content-Range"] = f"{rng.field} {first}..{last}"
        status = 206
    return json_response([serialize(obj) for obj in page], status=status, headers=headers)


def _as_int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiError(
            416, "requested_range_not_satisfiable", f"The {field} range must be a number."
        ) from None


def _coerce(value: str, model: type[Any], field: str):
    internal = model._meta.get_field(field).get_internal_type()
    numeric = internal in ("IntegerField", "PositiveIntegerField", "BigAutoField", "AutoField")
    return _as_int(value, field) if numeric else value


def _coerce_like(value: str, rows, key, field):
    return _as_int(value, field) if rows and isinstance(key(rows[0], field), int) else value
