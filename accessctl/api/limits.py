"""The API's limits (SPEC 20): version, body size, JSON nesting, calls per token and failed sign-ins per address.

Every API response carries ``RateLimit-Remaining``: the calls left to the presented token in the current hour
(Heroku's 4,500). Once spent, calls answer 429 ``rate_limit`` until the hour turns. A client address whose
calls failed to authenticate ``AUTH_FAILURE_LIMIT`` times in an hour gets 429 for the rest of it, so tokens
cannot be guessed at speed. The counters live in the Django cache, which is Redis (``REDIS_URL``) when several
processes or machines serve the API, so they share one budget; ``cache.add`` + ``cache.incr`` are atomic there.
Budgets are keyed by a digest of the presented credential, so counting needs no database.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse

from accessctl.api.http import ApiError, error_response

log = logging.getLogger("accessctl.api")
WINDOW = 60 * 60
# `version=3`, Heroku's variants of it (`3.webhooks`, `3.team-invitations`...) and no version at all.
VERSION = re.compile(r"version\s*=\s*([^;,\s]*)", re.IGNORECASE)
SUPPORTED_VERSION = re.compile(r"3(\.[a-z0-9][a-z0-9-]*)?", re.IGNORECASE)

TOO_LARGE = "The request body is larger than 1 MB. Send less at once."
TOO_DEEP = "The request body is nested too deeply. Bodies are flat objects; see the API reference."
TOO_MANY_FIELDS = "The request has too many fields. Send fewer at once."
RATE_LIMITED = (
    "Your account reached the API rate limit (4,500 calls an hour). Try again after {minutes} minutes."
)
AUTH_LIMITED = "Too many failed sign-in attempts from your address. Try again after {minutes} minutes."


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _window() -> tuple[int, int]:
    """The current hour's number and the minutes left in it."""
    now = int(time.time())
    return now // WINDOW, max(1, (WINDOW - now % WINDOW + 59) // 60)


def _count(key: str, *, spend: bool) -> int:
    """The counter of this hour (atomic increment when ``spend``): several processes share it through the cache.

    Spending increments first: one cache call on every call but the hour's first (each is a Redis round trip).
    """
    if not spend:
        return int(cache.get(key, 0))
    try:
        return cache.incr(key)
    except ValueError:  # the first call of the hour
        pass
    if cache.add(key, 1, timeout=WINDOW + 60):
        return 1
    try:
        return cache.incr(key)  # another process counted the first call meanwhile
    except ValueError:  # and it expired since
        cache.add(key, 1, timeout=WINDOW + 60)
        return 1


def _credential(request: HttpRequest) -> str | None:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return None
    return hashlib.sha256(raw.encode()).hexdigest()


def calls_remaining(request: HttpRequest) -> int:
    """The calls the request's token has left this hour (this call already counted), without spending one."""
    credential = _credential(request)
    if credential is None:
        return settings.API_RATE_LIMIT
    hour, _ = _window()
    return max(0, settings.API_RATE_LIMIT - _count(f"ratelimit:token:{credential}:{hour}", spend=False))


def unsupported_version(request: HttpRequest) -> str | None:
    """The requested API version when it is one we do not serve (406), else ``None``."""
    match = VERSION.search(request.headers.get("Accept", ""))
    if match is None or SUPPORTED_VERSION.fullmatch(match[1]):
        return None
    return match[1] or "(empty)"


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def check_depth(raw: bytes) -> None:
    """400 ``bad_request`` for a body nested deeper than ``API_MAX_JSON_DEPTH`` (before the JSON parser recurses)."""
    if json_depth(raw) > settings.API_MAX_JSON_DEPTH:
        raise ApiError(400, "bad_request", TOO_DEEP)


class ApiLimitsMiddleware:
    """After ``ApiRoutingMiddleware``: refuse what the API does not serve before any view or query runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(request, "is_api", False):
            return self.get_response(request)
        version = unsupported_version(request)
        if version is not None:
            return error_response(
                406,
                "not_acceptable",
                f"API version {version} is not supported. Send 'Accept: application/vnd.heroku+json; version=3'.",
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return error_response(413, "request_entity_too_large", TOO_LARGE)

        hour, minutes = _window()
        address = client_address(request)
        failures_key = f"ratelimit:auth:{address}:{hour}"
        if _count(failures_key, spend=False) >= settings.AUTH_FAILURE_LIMIT:
            log.warning("api_auth_limited address=%s", address)
            return self._remaining(error_response(429, "rate_limit", AUTH_LIMITED.format(minutes=minutes)), 0)

        credential = _credential(request)
        remaining = settings.API_RATE_LIMIT
        if credential is not None:
            used = _count(f"ratelimit:token:{credential}:{hour}", spend=True)
            remaining = max(0, settings.API_RATE_LIMIT - used)
            if used > settings.API_RATE_LIMIT:
                log.warning("api_rate_limited token=%s", credential[:12])
                return self._remaining(
                    error_response(429, "rate_limit", RATE_LIMITED.format(minutes=minutes)), 0
                )
        response = self.get_response(request)
        if response.status_code == 401:
            failures = _count(failures_key, spend=True)
            log.info("api_auth_failed address=%s failures=%s", address, failures)
        return self._remaining(response, remaining)

    @staticmethod
    def _remaining(response: HttpResponse, remaining: int) -> HttpResponse:
        response["RateLimit-Remaining"] = str(remaining)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Limits Django enforces while reading the body (chunked bodies, too many fields) and deep JSON."""
        if not getattr(request, "is_api", False):
            return None
        if isinstance(exception, RequestDataTooBig):
            return error_response(413, "request_entity_too_large", TOO_LARGE)
        if isinstance(exception, TooManyFieldsSent):
            return error_response(400, "bad_request", TOO_MANY_FIELDS)
        if isinstance(exception, RecursionError):
            return error_response(400, "bad_request", TOO_DEEP)
        return None
