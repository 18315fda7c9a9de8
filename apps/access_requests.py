"""Access requests (SPEC 17): ask for permissions on a team app for a while, approve, deny, cancel.

Each use case is one transaction with one audit event. Deciding locks the request row, so of two approvers
acting at once exactly one decides; approval creates or extends exactly the requested grant in the same
transaction. Approvers are e-mailed about a new request and the requester about the decision, after commit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Conflict, Invalid
from accessctl.access.facts import access_for, forget_access
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from apps.models import AccessRequest, App
from apps.selectors_requests import approvers_of, open_requests_of
from apps.services import lock_app_row
from apps.temporary import check_reason, put_temporary

TEAM_APPS_ONLY = "Access requests are for team apps. {app} is a personal app: ask its owner."
LOCKED_CLOSED = "{team} takes no access requests for locked apps. Ask a team admin to add you to {app}."
NOTHING_ASKED = "Pick at least one permission to request: deploy, operate or manage."
ALREADY_HELD = "You already hold {perms} on {app}. Request only what you lack."
ALREADY_OPEN = "You already asked for {perms} on {app}. Wait for an answer, or cancel that request first."
SELF_DECISION = "You cannot decide your own request. Another admin or manage holder of {app} must."
NOT_APPROVER = "Only team admins and people with manage on {app} decide its access requests."
NOT_REQUESTER = "Only the person who asked can cancel a request."
NOT_PENDING = "This request was already {status}{by}. Nothing was changed."
LAPSED = "This request lapsed: nobody answered it within 24 hours. Ask for access again."
NOTE_REQUIRED = "Say why you deny the request: a note is required."
NO_LONGER = "You may shorten the access but not lengthen it: {asked} was asked for."
REQUESTER_GONE = "{email} can no longer see {app}, so the request cannot be approved."


def _named(perms: Iterable[p.AppPerm]) -> str:
    return ", ".join(p.sorted_perms(perms))


def _check_duration(duration: timedelta | None, app: App, field: str = "duration") -> None:
    team = app.team
    assert team is not None
    problem = p.duration_problem(
        duration, longest=team.request_max_duration, permanent_allowed=team.request_permanent_allowed
    )
    if problem:
        raise Invalid(problem, field=field)


@transaction.atomic
def access_request_create(
    *,
    actor: Any,
    app: App,
    permissions: Iterable[str],
    duration: timedelta | None,
    reason: str,
    origin: Origin,
) -> AccessRequest:
    """Ask for ``permissions`` on a team app for ``duration`` (``None``: permanent, where the team allows)."""
    if app.team is None:
        raise Invalid(TEAM_APPS_ONLY.format(app=app.name), field="app")
    if not app.accepts_requests and actor.has_perm(p.VIEW_APP, app):
        raise Conflict(LOCKED_CLOSED.format(team=app.team.name, app=app.name))
    require(actor, p.REQUEST_ACCESS_APP, app)
    try:
        wanted = p.normalize_perms(permissions) - {p.AppPerm.VIEW}
    except ValueError as error:
        raise Invalid(str(error), field="permissions") from None
    if not wanted:
        raise Invalid(NOTHING_ASKED, field="permissions")
    reason = check_reason(reason)
    _check_duration(duration, app)
    app = lock_app_row(app)  # two identical requests at once: the second sees the first
    forget_access(actor)
    lasting = dataclasses.replace(access_for(actor), temporary={})  # temporary access may be renewed
    held = wanted & p.app_perms(lasting, app)
    if held:
        raise Conflict(ALREADY_HELD.format(perms=_named(held), app=app.name), field="permissions")
    for other in open_requests_of(actor, app):
        if set(other.perm_list) & wanted:
            raise Conflict(ALREADY_OPEN.format(perms=_named(other.perm_list), app=app.name))
    request = AccessRequest.objects.create(
        app=app,
        requester=actor,
        permissions=wanted,
        duration=duration,
        reason=reason,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.REQUEST_CREATE,
        origin=origin,
        app=app,
        target_user=actor,
        after={"permissions": request.perm_list, "duration": p.format_duration(duration), "reason": reason},
    )
    transaction.on_commit(lambda: _mail_approvers(request))
    return request


def _lock_open(actor: Any, access_request: AccessRequest, *, deciding: bool) -> AccessRequest:
    """Re-read the request under a row lock and check that ``actor`` may still decide (or cancel) it now."""
    # No joins in the locking read: PostgreSQL re-reads only the locked row after waiting, so joined columns
    # would show the state from before the other decision. The related rows load afresh below.
    request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    forget_access(actor)  # a right lost since the request was made counts
    if deciding:
        if getattr(actor, "pk", None) == request.requester_id:
            raise PermissionDenied(SELF_DECISION.format(app=request.app.name))
        if not actor.has_perm(p.DECIDE_ACCESS_REQUEST, request):
            raise PermissionDenied(NOT_APPROVER.format(app=request.app.name))
    elif not actor.has_perm(p.CANCEL_ACCESS_REQUEST, request):
        raise PermissionDenied(NOT_REQUESTER)
    status = request.status_now()
    if status == p.RequestStatus.LAPSED:
        raise Conflict(LAPSED, field="status")
    if status != p.RequestStatus.PENDING:
        by = f" by {request.decided_by.email}" if request.decided_by else ""
        raise Conflict(NOT_PENDING.format(status=status.label, by=by), field="status")
    return request


def _decided(request: AccessRequest, actor: Any, status: p.RequestStatus, note: str) -> None:
    request.status = status
    request.decided_by = actor if getattr(actor, "pk", None) else None
    request.decided_at = timezone.now()
    request.note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "note", "granted_until"])


@transaction.atomic
def access_request_approve(
    *,
    actor: Any,
    access_request: AccessRequest,
    origin: Origin,
    duration: timedelta | None = None,
    note: str = "",
) -> AccessRequest:
    """Approve, giving exactly what was asked (``duration`` may shorten it) as a new or extended grant."""
    request = _lock_open(actor, access_request, deciding=True)
    app = lock_app_row(request.app)
    given = duration if duration is not None else request.duration
    if request.duration is not None and (given is None or given > request.duration):
        raise Invalid(NO_LONGER.format(asked=p.format_duration(request.duration)), field="duration")
    _check_duration(given, app)
    requester = request.requester
    forget_access(requester)
    if not requester.has_perm(p.VIEW_APP, app):
        raise Conflict(REQUESTER_GONE.format(email=requester.email, app=app.name))
    until = timezone.now() + given if given is not None else None
    grant, _ = put_temporary(
        app=app,
        user=requester,
        perms=request.permissions,
        expires_at=until,
        granted_by=actor,
        reason=request.reason,
        request=request,
        merge=True,
    )
    request.granted_until = grant.expires_at
    _decided(request, actor, p.RequestStatus.APPROVED, (note or "").strip())
    audit.record(
        actor=actor,
        action=AuditAction.REQUEST_APPROVE,
        origin=origin,
        app=app,
        target_user=requester,
        before={"status": p.RequestStatus.PENDING},
        after={
            "status": p.RequestStatus.APPROVED,
            "permissions": request.perm_list,
            "expires_at": grant.expires_at.isoformat() if grant.expires_at else "permanent",
            "note": request.note,
        },
    )
    forget_access(requester)
    transaction.on_commit(lambda: _mail_requester(request))
    return request


@transaction.atomic
def access_request_deny(
    *, actor: Any, access_request: AccessRequest, note: str, origin: Origin
) -> AccessRequest:
    """Deny a pending request, saying why."""
    request = _lock_open(actor, access_request, deciding=True)
    note = (note or "").strip()
    if not note:
        raise Invalid(NOTE_REQUIRED, field="note")
    _decided(request, actor, p.RequestStatus.DENIED, note)
    audit.record(
        actor=actor,
        action=AuditAction.REQUEST_DENY,
        origin=origin,
        app=request.app,
        target_user=request.requester,
        before={"status": p.RequestStatus.PENDING},
        after={"status": p.RequestStatus.DENIED, "note": note},
    )
    transaction.on_commit(lambda: _mail_requester(request))
    return request


@transaction.atomic
def access_request_cancel(*, actor: Any, access_request: AccessRequest, origin: Origin) -> AccessRequest:
    """The requester withdraws a pending request."""
    request = _lock_open(actor, access_request, deciding=False)
    _decided(request, actor, p.RequestStatus.CANCELLED, "")
    audit.record(
        actor=actor,
        action=AuditAction.REQUEST_CANCEL,
        origin=origin,
        app=request.app,
        target_user=request.requester,
        before={"status": p.RequestStatus.PENDING},
        after={"status": p.RequestStatus.CANCELLED},
    )
    return request


# --- e-mail (after commit) ----------------------------------------------------------------------------------


def _mail_approvers(request: AccessRequest) -> None:
    recipients = [u.email for u in approvers_of(request.app) if u.pk != request.requester_id]
    if not recipients:
        return
    app = request.app.name
    send_mail(
        f"[accessctl] {request.requester.email} asks for {_named(request.perm_list)} on {app}",
        f"{request.requester.email} asks for {_named(request.perm_list)} on {app} "
        f"({p.format_duration(request.duration)}).\n\nReason: {request.reason}\n\n"
        f"Approve or deny it on the app's Access page: /apps/{app}/access/\n"
        f"Unanswered requests lapse after 24 hours.\n",
        None,
        recipients,
    )


def _mail_requester(request: AccessRequest) -> None:
    app, status = request.app.name, request.status
    decider = request.decided_by.email if request.decided_by else "an approver"
    if status == p.RequestStatus.APPROVED:
        until = (
            timezone.localtime(request.granted_until).strftime("%Y-%m-%d %H:%M %Z")
            if request.granted_until
            else "no end (permanent)"
        )
        body = f"{decider} approved your request for {_named(request.perm_list)} on {app}, until {until}.\n"
    else:
        body = f"{decider} denied your request for {_named(request.perm_list)} on {app}.\n"
    if request.note:
        body += f"\nNote: {request.note}\n"
    send_mail(f"[accessctl] Your access request on {app} was {status}", body, None, [request.requester.email])
