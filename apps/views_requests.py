"""Pages of temporary access and access requests: ask, decide in one click, cancel; extend or end temporary
access; the team's Requests page. Each change is one service through ``change`` / ``done``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accessctl.access import policy as p
from accessctl.access.facts import access_for
from accessctl.identity.models import User
from accessctl.web.changes import change, done
from accessctl.web.keyset import keyset_page
from accessctl.web.lookups import get_app, get_team
from apps import access_requests as services
from apps.forms_requests import ApproveForm, DenyForm, ExtendForm, RequestAccessForm
from apps.models import AccessRequest, App
from apps.selectors_requests import open_requests_of, open_requests_on, requests_seen_by, team_requests_of
from apps.temporary import temporary_grant_end, temporary_grant_extend, temporary_of

NOTHING_TO_REQUEST = (
    "You cannot request access to this app: you already hold every permission, it is a personal app, or its "
    "team takes no requests for locked apps."
)
QUEUE_SHOWN = 10  # the app's Access page shows the oldest; the team's Requests page pages through them all
STATUSES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("denied", "Denied"),
    ("cancelled", "Cancelled"),
]


def _access_url(app: App) -> str:
    return reverse("apps:access", kwargs={"app": app.name})


def _back(request: HttpRequest, app: App) -> str:
    """Where a decision returns: the team's Requests page when it was taken there, else the Access page."""
    if request.POST.get("back") == "team" and app.team is not None:
        return reverse("teams:requests", kwargs={"team": app.team.name})
    return _access_url(app)


def access_page_context(request: HttpRequest, app: App) -> dict:
    """What the app's Access page shows of requests: the oldest of the queue the user may decide (the rest on
    the team's Requests page, ``queue_more``), and their own (a few: open requests may not overlap)."""
    user = request.user
    manages = user.has_perm(p.MANAGE_ACCESS_APP, app)
    if manages:
        found = open_requests_on(app, first_of=user, limit=QUEUE_SHOWN + 1)
    else:
        found = list(open_requests_of(user, app).order_by("created_at"))
    shown = found[:QUEUE_SHOWN] if manages else found
    queue = [
        (item, ApproveForm(access_request=item))
        for item in shown
        if manages and user.has_perm(p.DECIDE_ACCESS_REQUEST, item)
    ]
    mine = [item for item in shown if item.requester_id == user.pk]
    more = len(found) > len(shown)
    # a collaborator holding manage decides here but may not open the team's pages (404): no link there
    listed = more and user.has_perm(p.VIEW_REQUESTS_TEAM, app.team)
    return {"queue": queue, "queue_more": more, "queue_listed": listed, "my_requests": mine}


@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest, app: str) -> HttpResponse:
    """Ask for permissions on the app, for a duration the team allows, with a reason."""
    found = get_app(request, app, perm=p.REQUEST_ACCESS_APP, refusal=NOTHING_TO_REQUEST)
    team = found.team
    if request.method == "GET":
        wanted = [perm for perm in request.GET.getlist("permissions") if perm in p.AppPerm.values]
        form = RequestAccessForm(team=team, initial={"permissions": wanted})
        return render(request, "apps/request_access.html", {"app": found, "form": form})
    form = RequestAccessForm(request.POST, team=team)
    outcome = change(request, services.access_request_create, form, app=found)
    if outcome:
        message = f"Asked for {', '.join(outcome.result.perm_list)} on {found.name}. Approvers were e-mailed."
        return done(request, outcome, message, _access_url(found))
    return render(request, "apps/request_access.html", {"app": found, "form": form}, status=422)


def _request_of(app: App, request_id: int) -> AccessRequest:
    return get_object_or_404(
        AccessRequest.objects.select_related("app__team", "requester"), pk=request_id, app=app
    )


@require_POST
def request_approve(request: HttpRequest, app: str, request_id: int) -> HttpResponse:
    found = get_app(request, app)
    item = _request_of(found, request_id)
    form = ApproveForm(request.POST, access_request=item)
    outcome = change(request, services.access_request_approve, form, access_request=item)
    message = f"Approved: {item.requester.email} has {', '.join(item.perm_list)} on {found.name}."
    return done(request, outcome, message, _back(request, found))


@require_POST
def request_deny(request: HttpRequest, app: str, request_id: int) -> HttpResponse:
    found = get_app(request, app)
    item = _request_of(found, request_id)
    outcome = change(request, services.access_request_deny, DenyForm(request.POST), access_request=item)
    message = f"Denied the request of {item.requester.email}."
    return done(request, outcome, message, _back(request, found))


@require_POST
def request_cancel(request: HttpRequest, app: str, request_id: int) -> HttpResponse:
    found = get_app(request, app)
    item = _request_of(found, request_id)
    outcome = change(request, services.access_request_cancel, access_request=item)
    return done(request, outcome, "Cancelled your request.", _access_url(found))


@require_POST
def temporary_extend(request: HttpRequest, app: str, user_id: int) -> HttpResponse:
    found = get_app(request, app, perm=p.MANAGE_ACCESS_APP)
    user = get_object_or_404(User, pk=user_id)
    grant = temporary_of(found, user)
    form = ExtendForm(request.POST, until=grant.expires_at if grant else timezone.now())
    outcome = change(request, temporary_grant_extend, form, app=found, user=user)
    return done(request, outcome, f"Extended the temporary access of {user.email}.", _access_url(found))


@require_POST
def temporary_end(request: HttpRequest, app: str, user_id: int) -> HttpResponse:
    found = get_app(request, app)
    user = get_object_or_404(User, pk=user_id)
    outcome = change(request, temporary_grant_end, app=found, user=user)
    own = user.pk == request.user.pk
    message = "Your temporary access ended." if own else f"Ended the temporary access of {user.email}."
    return done(request, outcome, message, reverse("home") if own else _access_url(found))


def team_requests_page(request: HttpRequest, team: str) -> HttpResponse:
    """The team's access requests: those I may decide (with Approve and Deny) and my own, by status and
    optionally on one app (``?app=``), a keyset page at a time (newest first)."""
    found = get_team(request, team, perm=p.VIEW_REQUESTS_TEAM)
    status = request.GET.get("status", "pending")
    if status not in dict(STATUSES) and status != "lapsed":
        raise Http404("Unknown status.")
    app_name = request.GET.get("app") or None
    user = request.user
    requests = team_requests_of(found, status=status, app_name=app_name)
    seen = requests.filter(requests_seen_by(access_for(user), found))
    page = keyset_page(request, seen, keys=("-created_at", "-id"), size=settings.PAGE_SIZE)
    rows = []
    for item in page:
        decide = user.has_perm(p.DECIDE_ACCESS_REQUEST, item)
        form = ApproveForm(access_request=item) if decide and status == "pending" else None
        rows.append((item, form))
    context = {
        "team": found,
        "page": page,
        "rows": rows,
        "status": status,
        "app_name": app_name,
        "statuses": [*STATUSES, ("lapsed", "Lapsed")],
    }
    return render(request, "teams/team_requests.html", context)
