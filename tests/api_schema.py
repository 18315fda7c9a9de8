"""Every Platform API exchange the tests make, checked against the project's schema (accessctl/api/schema/).

``SchemaCheckMiddleware`` (installed first in tests/settings.py) sees each API request and its final response,
for the Django test client and for the live server the real Heroku CLI talks to alike. It finds the schema
link of the resolved route and method and records a violation when:

- a 2xx answer comes from a route and method that has no link (a new route must be schematized), or with a
  status the link does not list, or with a body its ``targetSchema`` refuses;
- an error answer (4xx, 5xx) is not the Heroku error shape;
- a request body the link's ``schema`` refuses was accepted (2xx).

The autouse fixture in conftest fails the test on any recorded violation. Compiled validators are cached per
link. ``ACCESSCTL_API_SCHEMA_CHECK=0`` switches the check off (to measure its cost).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.urls import Resolver404, resolve
from jsonschema import Draft4Validator, FormatChecker

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "accessctl" / "api" / "schema" / "platform-api.json"
API_URLCONF = "accessctl.api.urls"
API_MEDIA_TYPE = "application/vnd.heroku+json"
ENABLED = os.environ.get("ACCESSCTL_API_SCHEMA_CHECK", "1") != "0"
FORMATS = FormatChecker(["uuid", "email", "date-time", "date"])


@dataclass
class Record:
    violations: list[str] = field(default_factory=list)
    exchanges: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


RECORD = Record()


def normalize(template: str) -> str:
    """``/apps/{(...)}/releases`` and ``apps/<str:app>/releases`` both read ``apps/{}/releases``."""
    return re.sub(r"<[^>]+>", "{}", re.sub(r"\{[^}]*\}", "{}", template)).strip("/")


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


@cache
def links() -> dict[tuple[str, str], list[dict]]:
    """Every link of the schema by (normalized href, method)."""
    index: dict[tuple[str, str], list[dict]] = {}
    for definition in schema()["definitions"].values():
        for item in definition.get("links", []):
            index.setdefault((normalize(item["href"]), item["method"]), []).append(item)
    return index


@cache
def _validator(pointer: str) -> Draft4Validator:
    """A compiled validator for the subschema at ``pointer`` (a JSON text), refs resolved in the whole schema."""
    wrapped = {"definitions": schema()["definitions"], "allOf": [json.loads(pointer)]}
    return Draft4Validator(wrapped, format_checker=FORMATS)


def errors_of(subschema: dict, value) -> list[str]:
    """The schema's complaints about ``value`` (empty when it is valid)."""
    validator = _validator(json.dumps(subschema, sort_keys=True))
    return [_describe(error) for error in validator.iter_errors(value)]


def _describe(error) -> str:
    where = "".join(f"[{part!r}]" for part in error.absolute_path) or "body"
    # anyOf/oneOf: the innermost reason is the useful one.
    best = (
        min(error.context, key=lambda e: len(list(e.absolute_path)), default=None) if error.context else None
    )
    reason = (
        f"{error.message} ({best.message} at {''.join(f'[{p!r}]' for p in best.absolute_path)})"
        if best
        else error.message
    )
    return f"{where}: {reason}"


def route_of(path: str) -> str | None:
    """The API route pattern that serves ``path`` (``apps/{}/formation``), ``None`` for no route."""
    try:
        match = resolve(path, urlconf=API_URLCONF)
    except Resolver404:
        return None
    return normalize(match.route) if match.url_name != "not-found" else None


def _json(raw: bytes):
    try:
        return True, json.loads(raw)
    except ValueError:
        return False, None


def check(
    method: str, path: str, body: bytes | None, status: int, content_type: str, content: bytes
) -> list[str]:
    """The violations of one exchange (see the module docstring)."""
    route = route_of(path)
    found = links().get((route, method), []) if route is not None else []
    problems: list[str] = []
    if status == 304 or (status == 204 and not content):
        return problems
    ok, data = _json(content)
    if not ok:
        return [f"the answer ({status}) is not JSON: {content[:80]!r}"]
    if not content_type.startswith(API_MEDIA_TYPE):
        problems.append(f"Content-Type is {content_type!r}, not {API_MEDIA_TYPE}")
    if status >= 400:
        problems += [f"error answer: {text}" for text in errors_of({"$ref": "#/definitions/error"}, data)]
        return problems
    if not found:
        return [f"{status} from a route with no schema link (route {route!r}): add one to {SCHEMA_PATH.name}"]
    if status not in {code for item in found for code in item["statuses"]}:
        problems.append(
            f"status {status} is not one the schema lists: {sorted({c for i in found for c in i['statuses']})}"
        )
    complaints = [errors_of(item["targetSchema"], data) for item in found]
    if all(complaints):
        problems += [f"response {text}" for text in min(complaints, key=len)]
    bodies = [item["schema"] for item in found if "schema" in item]
    if body and bodies:
        sent_ok, sent = _json(body)
        refusals = [errors_of(item, sent) for item in bodies] if sent_ok else [["not JSON"]]
        if all(refusals):
            problems += [f"accepted a request {text}" for text in min(refusals, key=len)]
    return problems


def record(method: str, path: str, problems: list[str]) -> None:
    with RECORD.lock:
        RECORD.violations += [f"{method} {path}: {problem}" for problem in problems]


def take_violations() -> list[str]:
    with RECORD.lock:
        found, RECORD.violations[:] = list(RECORD.violations), []
    return found


class SchemaCheckMiddleware:
    """Test-only: checks every API exchange against the schema (tests/settings.py puts it first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not ENABLED or API_MEDIA_TYPE not in request.headers.get("Accept", ""):
            return response
        start = time.perf_counter()
        try:
            body = request.body if request.method in ("POST", "PUT", "PATCH") else None
        except Exception:  # too large, or read as a stream: the request side cannot be checked
            body = None
        try:
            content = b"" if response.streaming else response.content
            problems = check(
                request.method,
                request.path_info,
                body,
                response.status_code,
                response.get("Content-Type", ""),
                content,
            )
        except Exception as error:  # the checker itself must never hide a test's own failure
            problems = [f"the schema check failed: {type(error).__name__}: {str(error)[:300]}"]
        record(request.method, request.path_info, problems)
        with RECORD.lock:
            RECORD.exchanges += 1
            RECORD.seconds += time.perf_counter() - start
        return response
