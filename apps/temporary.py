"""Temporary grants given directly by the team's admins and the app's ``manage`` holders: give, extend, end.

A user holds at most one temporary grant per app, beside their permanent one. The rules stop counting it at
``expires_at``; ``apps.expiry`` deletes it afterwards. Approved access requests reach the same rows through
:func:`put_temporary`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Conflict, Invalid, NotFound
from accessctl.access.facts import forget_access
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User
from apps.models import AccessRequest, App, Grant
from apps.services import ADMIN_GRANT, PERSONAL_PERMISSIONS, app_grant_add, app_grant_update, lock_app_row
from teams.models import Membership

IN_THE_PAST = "The end of temporary access must be in the future. Pick a later time."
NEED_REASON = "Say why this access is needed: a reason is required."
NOT_TEMPORARY = "{email} has no temporary access to {app}."
NOT_LATER = "To extend access, pick a time after its current end ({until})."
END_REFUSED = "Only the holder, a team admin or someone with manage on {app} can end this access."


def check_until(expires_at: datetime | None, now: datetime, field: str = "expires_at") -> datetime:
    if expires_at is None or expires_at <= now:
        raise Invalid(IN_THE_PAST, field=field)
    return expires_at


def check_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid(NEED_REASON, field="reason")
    return text


def temporary_of(app: App, user: Any) -> Grant | None:
    """The user's temporary grant row on the app, live or expired (call with the app row locked)."""
    return Grant.objects.temporary().filter(app=app, user=user).select_related("user").first()


def _snapshot(grant: Grant) -> dict[str, Any]:
    assert grant.expires_at is not None
    return {"permissions": p.sorted_perms(grant.permissions), "expires_at": grant.expires_at.isoformat()}


def put_temporary(
    *,
    app: App,
    user: User,
    perms: frozenset[p.AppPerm],
    expires_at: datetime | None,
    granted_by: Any,
    reason: str,
    request: AccessRequest | None = None,
    merge: bool = False,
) -> tuple[Grant, dict[str, Any] | None]:
    """Create or change the user's grant on the locked app; return it and what it gave before (if live).

    ``expires_at`` empty: the permanent grant. ``merge`` (approvals) adds to what a live grant gives and
    keeps the later end; otherwise (the pencil) the grant becomes exactly ``perms`` until ``expires_at``.
    """
    now = timezone.now()
    giver = granted_by if getattr(granted_by, "pk", None) else None
    if expires_at is None:
        grant = Grant.objects.permanent().filter(app=app, user=user).first()
        before = {"permissions": p.sorted_perms(grant.permissions)} if grant else None
        if grant is None:
            grant = Grant(app=app, user=user, permissions=perms)
        grant.permissions = (grant.permissions | perms) if merge else perms
        grant.granted_by, grant.reason, grant.request = giver, reason, request
        grant.save()
        return grant, before
    existing = temporary_of(app, user)
    live = existing is not None and existing.expires_at is not None and existing.expires_at > now
    before = _snapshot(existing) if existing is not None and live else None
    if existing is not None and not live:
        existing.delete()  # expired, not yet swept: it gives nothing, so start afresh
        existing = None
    if existing is None:
        existing = Grant(app=app, user=user, permissions=perms, expires_at=expires_at)
    elif merge:
        assert existing.expires_at is not None
        perms, expires_at = existing.permissions | perms, max(existing.expires_at, expires_at)
    existing.permissions, existing.expires_at = perms, expires_at
    existing.granted_by, existing.reason, existing.request = giver, reason, request
    existing.save()
    return existing, before


@transaction.atomic
def temporary_grant_give(
    *,
    actor: Any,
    app: App,
    user: User,
    permissions: Iterable[str],
    expires_at: datetime | None,
    reason: str,
    origin: Origin,
) -> Grant:
    """Give someone exactly ``permissions`` on a team app until ``expires_at``, beside any permanent grant."""
    require(actor, p.MANAGE_ACCESS_APP, app)
    if not app.team_id:
        raise Invalid(PERSONAL_PERMISSIONS.format(app=app.name), field="permissions")
    try:
        perms = p.normalize_perms(permissions)
    except ValueError as error:
        raise Invalid(str(error), field="permissions") from None
    expires_at = check_until(expires_at, timezone.now())
    reason = check_reason(reason)
    app = lock_app_row(app)
    if Membership.objects.filter(team=app.team, user=user, role=p.TeamRole.ADMIN).exists():
        assert app.team is not None
        raise Conflict(ADMIN_GRANT.format(email=user.email, team=app.team.name), field="user")
    grant, before = put_temporary(
        app=app, user=user, perms=perms, expires_at=expires_at, granted_by=actor, reason=reason
    )
    audit.record(
        actor=actor,
        action=AuditAction.GRANT_ADD if before is None else AuditAction.GRANT_UPDATE,
        origin=origin,
        app=app,
        target_user=user,
        before=before,
        after={**_snapshot(grant), "reason": reason},
    )
    forget_access(user)
    return grant


def _live_temporary(app: App, user: User) -> Grant:
    grant = temporary_of(app, user)
    if grant is None or grant.expires_at is None or grant.expires_at <= timezone.now():
        raise NotFound(NOT_TEMPORARY.format(email=user.email, app=app.name), field="user")
    return grant


@transaction.atomic
def temporary_grant_extend(
    *, actor: Any, app: App, user: User, expires_at: datetime, origin: Origin
) -> Grant:
    """Move the end of someone's live temporary access later (admins and manage holders)."""
    require(actor, p.MANAGE_ACCESS_APP, app)
    app = lock_app_row(app)
    grant = _live_temporary(app, user)
    assert grant.expires_at is not None
    if expires_at is None or expires_at <= grant.expires_at:
        until = timezone.localtime(grant.expires_at).strftime("%Y-%m-%d %H:%M")
        raise Invalid(NOT_LATER.format(until=until), field="expires_at")
    before = _snapshot(grant)
    grant.expires_at = expires_at
    grant.save(update_fields=["expires_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.GRANT_EXTEND,
        origin=origin,
        app=app,
        target_user=user,
        before=before,
        after=_snapshot(grant),
    )
    forget_access(user)
    return grant


@transaction.atomic
def temporary_grant_end(*, actor: Any, app: App, user: User, origin: Origin) -> Grant:
    """End someone's temporary access now: the holder themself, a team admin or a manage holder."""
    own = getattr(actor, "pk", None) == user.pk
    if not own and not actor.has_perm(p.MANAGE_ACCESS_APP, app):
        raise PermissionDenied(END_REFUSED.format(app=app.name))
    app = lock_app_row(app)
    grant = _live_temporary(app, user)
    before = _snapshot(grant)
    grant.delete()
    audit.record(
        actor=actor, action=AuditAction.GRANT_END, origin=origin, app=app, target_user=user, before=before
    )
    forget_access(user)
    return grant


def app_grant_set(
    *,
    actor: Any,
    app: App,
    user: User,
    permissions: Iterable[str],
    origin: Origin,
    expires_at: datetime | None = None,
    reason: str = "",
) -> Grant:
    """The pencil's save: with ``expires_at``, exactly these permissions until then (beside any permanent
    grant); without, the permanent grant's permissions (made if the user held only temporary access).
    """
    if expires_at is not None:
        return temporary_grant_give(
            actor=actor,
            app=app,
            user=user,
            permissions=permissions,
            expires_at=expires_at,
            reason=reason,
            origin=origin,
        )
    if Grant.objects.permanent().filter(app=app, user=user).exists():
        return app_grant_update(actor=actor, app=app, user=user, permissions=permissions, origin=origin)
    return app_grant_add(actor=actor, app=app, user=user, permissions=permissions, origin=origin)
