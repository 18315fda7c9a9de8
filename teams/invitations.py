"""Invitations by e-mail (SPEC 16): send, send again, revoke, accept. Each is one transaction and one audit event.

The link carries a random token; only its SHA-256 digest is stored (as for API tokens), so the database
never holds a usable link. Sending again makes a new token: the old link stops working. The e-mail leaves
after the change commits, so a refused or rolled-back invitation sends nothing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.errors import Conflict, DomainError, Invalid
from accessctl.access.facts import forget_access
from accessctl.access.prepared import PreparedQuery, Slot, instance
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User
from teams.models import Invitation, Membership, Team
from teams.selectors import TEAM_COLUMNS
from teams.services import _lock_team, _refuse_if_last_admin, parse_role

log = logging.getLogger("accessctl.invitations")

TOKEN_PREFIX = "inv_"
VALID_FOR = timedelta(days=7)
INVITATIONS_OFF = "Invitations are off for {team}. An admin can turn them on in the team's settings."
ALREADY_MEMBER = (
    "{email} is already a member of {team} (role {role}). Change their role instead of inviting them."
)
NOT_PENDING = "There is no pending invitation for {email} in {team}."


class InvitationGone(DomainError):
    """The link was used, revoked or has expired: it grants nothing."""

    status = 410
    error_id = "gone"


class WrongInvitee(DomainError):
    """Someone other than the invited address tried to accept."""

    status = 403
    error_id = "forbidden"


USED = "This invitation has already been used. Sign in to reach {team}."
REVOKED = "This invitation was revoked. Ask an admin of {team} to invite you again."
EXPIRED = "This invitation expired on {date}. Ask an admin of {team} to send it again."
UNKNOWN = "This invitation link is not valid. Check that you copied the whole link from the e-mail."
WRONG_USER = (
    "This invitation is for {email}, but you are signed in as {you}. Sign out, then open the link again "
    "and sign in as {email}."
)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_for_token(raw: str) -> Invitation | None:
    """The invitation a link's token belongs to (in any state), or ``None``."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return Invitation.objects.select_related("team", "invited_by").filter(digest=digest(raw)).first()


def pending_invitations_of(team: Team) -> QuerySet[Invitation]:
    """The team's invitations neither accepted nor revoked (expired ones included: they can be sent again),
    by e-mail (unique among a team's pending invitations, so it orders them completely)."""
    return (
        Invitation.objects.filter(team=team, accepted_at=None, revoked_at=None)
        .select_related("invited_by", "team")
        .order_by("email")
    )


_COLUMNS = tuple(field.attname for field in Invitation._meta.concrete_fields)
_RELATED = (
    ("invited_by", User, tuple(field.attname for field in User._meta.concrete_fields)),
    ("team", Team, TEAM_COLUMNS),
)


def _first_pending(limit: int, *, team: Slot) -> QuerySet[Any]:
    related = [f"{name}__{column}" for name, _, columns in _RELATED for column in columns]
    return pending_invitations_of(
        cast(Team, team)
    ).values_list(  # the slot stands for the team
        *_COLUMNS, *related
    )[:limit]


# the team Access page reads its first few on every view, most often none: building and compiling the
# queryset cost more than running it; compiled once a process, the team bound per call
_FIRST_PENDING = PreparedQuery(Invitation, _first_pending, team=Team._meta.pk)


def first_pending_invitations(team: Team, limit: int) -> list[Invitation]:
    """The first ``limit`` of :func:`pending_invitations_of`, with who invited (or ``None``) and the team, as
    its ``select_related`` loads them. One query."""
    found = []
    for row in _FIRST_PENDING.rows((limit,), team=team.pk):
        invitation = instance(Invitation, _COLUMNS, row[: len(_COLUMNS)])
        start = len(_COLUMNS)
        for name, model, columns in _RELATED:
            values = row[start : start + len(columns)]
            start += len(columns)
            # a LEFT JOIN that found no row (the inviter's account is gone) reads NULLs, as select_related
            setattr(invitation, name, None if values[0] is None else instance(model, columns, values))
        found.append(invitation)
    return found


def pending_invitations(team: Team) -> list[Invitation]:
    """Every pending invitation of the team, by e-mail (the API's list; pages use the queryset)."""
    return list(pending_invitations_of(team))


def refusal(invitation: Invitation | None) -> DomainError | None:
    """Why this link grants nothing (used, revoked, expired, unknown), or ``None`` when it can be accepted."""
    if invitation is None:
        return InvitationGone(UNKNOWN, field="token")
    team = invitation.team.name
    if invitation.accepted_at is not None:
        return InvitationGone(USED.format(team=team), field="token")
    if invitation.revoked_at is not None:
        return InvitationGone(REVOKED.format(team=team), field="token")
    if invitation.expires_at <= timezone.now():
        return InvitationGone(
            EXPIRED.format(team=team, date=f"{invitation.expires_at:%Y-%m-%d}"), field="token"
        )
    return None


def _issue(invitation: Invitation, *, base_url: str) -> None:
    """A new token and expiry for ``invitation``; the e-mail with the link leaves once the change commits."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.digest, invitation.sent_at, invitation.expires_at = digest(raw), now, now + VALID_FOR
    invitation.save()
    link = f"{base_url.rstrip('/')}/invitations/{raw}/"
    context = {"invitation": invitation, "link": link, "valid_days": VALID_FOR.days}
    subject = f"Join {invitation.team.name} on accessctl"
    body = render_to_string("teams/invitation_email.txt", context)
    recipient = invitation.email

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        except Exception:  # the invitation stands; the admin can send it again from the Access page
            log.exception("invitation e-mail to %s could not be sent", recipient)

    transaction.on_commit(send)


def _snapshot(invitation: Invitation) -> dict[str, Any]:
    return {
        "email": invitation.email,
        "role": invitation.role,
        "expires_at": f"{invitation.expires_at:%Y-%m-%dT%H:%M:%SZ}",
    }


@transaction.atomic
def invitation_send(
    *, actor: Any, team: Team, email: str, role: str, origin: Origin, base_url: str
) -> Invitation:
    """Invite ``email`` to ``team`` as ``role`` (collaborators too: they are not members yet).

    Inviting an address again refreshes its open invitation (new role, new link, seven more days).
    """
    role = parse_role(role)
    team = _lock_team(actor, p.MANAGE_MEMBERS, team)
    if not team.invite_acceptance:
        raise Conflict(INVITATIONS_OFF.format(team=team.name))
    email = email.strip().lower()
    membership = Membership.objects.filter(team=team, user__email__iexact=email).first()
    if membership is not None:
        raise Conflict(
            ALREADY_MEMBER.format(email=email, team=team.name, role=membership.role), field="email"
        )
    invitation = Invitation.objects.filter(team=team, email=email, accepted_at=None, revoked_at=None).first()
    before = _snapshot(invitation) if invitation is not None else None
    if invitation is None:
        invitation = Invitation(team=team, email=email, expires_at=timezone.now())
    invitation.role, invitation.invited_by = role, actor if isinstance(actor, User) else None
    _issue(invitation, base_url=base_url)
    target = User.objects.filter(email__iexact=email).first()
    audit.record(
        actor=actor,
        action=AuditAction.INVITATION_CREATE,
        origin=origin,
        team=team,
        target_user=target,
        before=before,
        after=_snapshot(invitation),
    )
    return invitation


def _open(team: Team, email: str) -> Invitation:
    invitation = Invitation.objects.filter(
        team=team, email=email.strip().lower(), accepted_at=None, revoked_at=None
    ).first()
    if invitation is None:
        raise Invalid(NOT_PENDING.format(email=email, team=team.name), field="email")
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Any, team: Team, email: str, origin: Origin, base_url: str) -> Invitation:
    """Send a pending (or expired) invitation again with a new link; the old link stops working."""
    team = _lock_team(actor, p.MANAGE_MEMBERS, team)
    invitation = _open(team, email)
    _issue(invitation, base_url=base_url)
    audit.record(
        actor=actor,
        action=AuditAction.INVITATION_RESEND,
        origin=origin,
        team=team,
        after=_snapshot(invitation),
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Any, team: Team, email: str, origin: Origin) -> Invitation:
    """Revoke a pending invitation: its link then grants nothing."""
    team = _lock_team(actor, p.MANAGE_MEMBERS, team)
    invitation = _open(team, email)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=AuditAction.INVITATION_REVOKE,
        origin=origin,
        team=team,
        before=_snapshot(invitation),
    )
    return invitation


@transaction.atomic
def invitation_accept(*, actor: User, invitation: Invitation, origin: Origin) -> Membership:
    """The invited person, signed in with the invited address, becomes a member with the invited role.

    Nobody else can accept it, and a used, revoked or expired link grants nothing.
    """
    invitation = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    Team.objects.select_for_update().filter(pk=invitation.team_id).first()
    problem = refusal(invitation)
    if problem is not None:
        raise problem
    if not actor.is_active or actor.email.lower() != invitation.email:
        raise WrongInvitee(WRONG_USER.format(email=invitation.email, you=actor.email), field="token")
    team = invitation.team
    membership = Membership.objects.filter(team=team, user=actor).first()
    before = None
    if membership is None:
        membership = Membership.objects.create(team=team, user=actor, role=invitation.role)
    elif membership.role != invitation.role:  # they joined meanwhile (by SSO, say): the invitation decides
        _refuse_if_last_admin(team, membership, invitation.role)
        before = {"role": membership.role}
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at, invitation.accepted_by = timezone.now(), actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=actor,
        action=AuditAction.INVITATION_ACCEPT,
        origin=origin,
        team=team,
        target_user=actor,
        before=before,
        after={"role": invitation.role, "invited_by": getattr(invitation.invited_by, "email", None)},
    )
    forget_access(actor)
    return membership
