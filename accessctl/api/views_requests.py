"""Platform API extension: access requests and temporary collaborators (SPEC 17)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accessctl.access import policy as p
from accessctl.access.errors import Invalid
from accessctl.api import bodies as b
from accessctl.api import serializers as s
from accessctl.api.bodies import parse_body
from accessctl.api.http import ApiError, api_view, json_response, origin
from accessctl.web.lookups import get_app, get_team
from apps.access_requests import (
    access_request_approve,
    access_request_cancel,
    access_request_create,
    access_request_deny,
)
from apps.models import AccessRequest
from apps.selectors_requests import team_requests

BAD_STATUS = "The field 'status' must be approved, denied or cancelled."
BAD_FILTER = "The status filter must be one of: pending, approved, denied, cancelled, lapsed."
BAD_EXPIRY = "The field 'expires_at' must be an ISO 8601 time with a zone, such as 2030-01-31T18:00:00Z."
NO_REQUEST = "Couldn't find that access request."


def duration_of(text: str | None, field: str = "duration"):
    try:
        return p.parse_duration(text or "")
    except ValueError as error:
        raise Invalid(f"The field '{field}' is not a duration. {error}", field=field) from None


def expiry_of(text: str):
    value = parse_datetime(text)
    if value is None or value.tzinfo is None:
        raise ApiError(422, "invalid_params", BAD_EXPIRY)
    return value


def _visible(user, items):
    """The requests the caller may decide, and their own."""
    return [
        item for item in items if item.requester_id == user.pk or user.has_perm(p.DECIDE_ACCESS_REQUEST, item)
    ]


@api_view("GET", "POST")
def app_access_requests(request, app):
    """List the app's requests (approvers: all; others: their own), or ask for access."""
    app = get_app(request, app)
    now = timezone.now()
    if request.method == "GET":
        items = AccessRequest.objects.filter(app=app).select_related("app__team", "requester", "decided_by")
        return json_response([s.access_request(item, now=now) for item in _visible(request.user, items)])
    data = parse_body(request, b.AccessRequestCreate)
    created = access_request_create(
        actor=request.user,
        app=app,
        permissions=data.permissions,
        duration=duration_of(data.duration),
        reason=data.reason,
        origin=origin(request),
    )
    return json_response(s.access_request(created, now=now), status=201)


@api_view("PATCH")
def app_access_request(request, app, request_id):
    """Approve (``duration`` may shorten), deny (``note`` required) or cancel (the requester) a request."""
    app = get_app(request, app)
    found = AccessRequest.objects.filter(pk=request_id, app=app).first() if request_id.isdigit() else None
    if found is None or not _visible(request.user, [found]):
        raise Http404(NO_REQUEST)
    data = parse_body(request, b.AccessRequestPatch)
    common = {"actor": request.user, "access_request": found, "origin": origin(request)}
    if data.status == p.RequestStatus.APPROVED:
        shorter = duration_of(data.duration) if data.duration is not None else None
        decided = access_request_approve(**common, duration=shorter, note=data.note or "")
    elif data.status == p.RequestStatus.DENIED:
        decided = access_request_deny(**common, note=data.note or "")
    elif data.status == p.RequestStatus.CANCELLED:
        decided = access_request_cancel(**common)
    else:
        raise ApiError(422, "invalid_params", BAD_STATUS)
    return json_response(s.access_request(decided, now=timezone.now()))


@api_view("GET")
def team_access_requests(request, team):
    """The team's requests the caller may decide or made, filtered by ``?status=`` (as people see it)."""
    team = get_team(request, team, perm=p.VIEW_REQUESTS_TEAM, page_facts=False)
    status = request.GET.get("status") or None
    if status is not None and status not in p.RequestStatus.values:
        raise ApiError(422, "invalid_params", BAD_FILTER)
    now = timezone.now()
    items = _visible(request.user, team_requests(team, status=status, now=now))
    return json_response([s.access_request(item, now=now) for item in items])
