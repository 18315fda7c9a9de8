"""Database faults answer 503 with ``Retry-After``, on pages and in the API, never a 500 and never a grant (SPEC 20).

A database that is down, a connection dropped halfway through a request (``pg_terminate_backend``, a restart,
a network cut) or SQLite still locked by another writer after the busy timeout all raise Django's
``OperationalError`` or ``InterfaceError``. Whatever was running was inside a transaction (every change is),
so nothing is half-written; Django discards the broken connection at the end of the request, so the next one
starts afresh. A check that could not be made refuses: the exception stops the request before any answer.

Faults in a view reach ``process_exception``. Faults earlier, in middleware (loading the session or the user),
are turned into a 500 by Django before this middleware sees them; ``got_request_exception`` marks the request
so that 500 becomes the 503 as well. A unique constraint that a race hit (``IntegrityError``) answers 409.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

from accessctl.api.http import error_response
from accessctl.web.middleware import plain_error

log = logging.getLogger("accessctl.faults")
UNAVAILABLE = "The database is unavailable right now. Nothing was changed; try again in a few seconds."
RACED = "Someone else changed this at the same moment. Nothing was changed; reload and try again."
FAULTS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def _answer(request: HttpRequest, exception: BaseException) -> HttpResponse:
    api = getattr(request, "is_api", False)
    if isinstance(exception, IntegrityError):
        log.warning("db_race method=%s path=%s error=%r", request.method, request.path, str(exception)[:200])
        if api:
            return error_response(409, "conflict", RACED)
        return plain_error(409, "Changed at the same time", RACED)
    log.error("db_unavailable method=%s path=%s error=%r", request.method, request.path, str(exception)[:200])
    _discard_broken_connections()
    retry = str(settings.RETRY_AFTER_SECONDS)
    if api:
        response: HttpResponse = error_response(503, "service_unavailable", UNAVAILABLE)
    else:
        response = plain_error(503, "Temporarily unavailable", UNAVAILABLE)
    response["Retry-After"] = retry
    return response


def _discard_broken_connections() -> None:
    """Drop a connection the fault broke now, so the next request on this thread connects afresh."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block and not conn.is_usable():
            conn.close()


def _fault_of(exception: BaseException | None) -> BaseException | None:
    if isinstance(exception, (*FAULTS, IntegrityError)):
        return exception
    return None


def mark_fault(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception`` receiver (connected in ``AccessctlConfig.ready``)."""
    fault = _fault_of(sys.exc_info()[1])
    if request is not None and fault is not None:
        request._database_fault = fault  # type: ignore[attr-defined]


class DatabaseFaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        fault = getattr(request, "_database_fault", None)
        if fault is not None and response.status_code >= 500:
            return _answer(request, fault)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        fault = _fault_of(exception)
        return _answer(request, fault) if fault is not None else None
