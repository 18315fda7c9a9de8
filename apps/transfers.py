"""Moving apps between owners (SPEC 9): one service per step of a transfer.

- ``app_transfer_create``: a personal app offered to another person waits, ``pending``, for their answer;
  any other move (a personal app into a team, a team app to another team or to a person) is done at once and
  recorded ``accepted``, as Heroku does.
- ``app_transfer_accept`` / ``app_transfer_decline``: the recipient's answer; accepting makes the move.
- ``app_transfer_cancel``: the sender withdraws a pending offer (the row goes; the audit log keeps it).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Conflict
from accessctl.access.facts import forget_access
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User
from apps.models import App, AppTransfer, Grant, TransferState
from apps.services import lock_app_row
from teams.models import Team

SAME_OWNER = "{app} already belongs to {owner}."
ALREADY_PENDING = "{app} is already offered to {email}: cancel that transfer before starting another."
NOT_PENDING = "This transfer of {app} is already {state}: there is nothing left to answer or cancel."
OWNER_CHANGED = "{app} no longer belongs to {email}, so this transfer cannot be accepted."

log = logging.getLogger("accessctl.transfers")


def _owner_label(app: App) -> str:
    return f"team:{app.team.name}" if app.team else app.owner.email  # type: ignore[union-attr]


def _transfer_row(transfer: AppTransfer) -> AppTransfer:
    """Re-read a transfer with a row lock (after its app's), for the rest of the transaction."""
    return (
        AppTransfer.objects.select_for_update(of=("self",))
        .select_related("app", "sender", "recipient", "recipient_team", "previous_team")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def app_transfer_create(*, actor: Any, app: App, recipient: Team | User, origin: Origin) -> AppTransfer:
    """Transfer an app to a team or a person. Who may move it is the rules' ``TRANSFER_APP`` (for a team app
    its team's admins, for a personal app its owner). A personal app offered to a person is a pending
    transfer (``transfer.create``); every other move happens now (``app.transfer``):

    - personal app to a team: the owner, who may create apps there; they keep a grant with all permissions;
    - team app to another team: an admin of both teams; grants stay;
    - team app to a person: the person becomes owner, every grant is removed and the lock goes.
    """
    require(actor, p.VIEW_APP, app)
    app = lock_app_row(app)
    require(actor, p.TRANSFER_APP, app)
    to_user = recipient if isinstance(recipient, User) else None
    to_team = recipient if isinstance(recipient, Team) else None
    transfer = AppTransfer(
        app=app, sender=actor, previous_team=app.team, recipient=to_user, recipient_team=to_team
    )
    if to_user is not None and app.team_id is None:
        if app.owner_id == to_user.pk:
            raise Conflict(SAME_OWNER.format(app=app.name, owner=to_user.email), field="recipient")
        pending = app.transfers.filter(state=TransferState.PENDING).select_related("recipient").first()
        if pending is not None:
            email = pending.recipient.email  # type: ignore[union-attr]
            raise Conflict(ALREADY_PENDING.format(app=app.name, email=email), field="app")
        transfer.save()
        audit.record(
            actor=actor,
            action=AuditAction.TRANSFER_CREATE,
            origin=origin,
            app=app,
            target_user=to_user,
            after={"recipient": to_user.email, "state": transfer.state},
        )
        _tell_recipient(transfer)
        return transfer
    before = _owner_label(app)
    if isinstance(recipient, Team):
        _to_team(actor, app, recipient)
    else:
        _to_user(app, recipient)
    app.save()
    transfer.state = TransferState.ACCEPTED
    transfer.save()
    _record_move(actor, app, before, origin)
    return transfer


def _tell_recipient(transfer: AppTransfer) -> None:
    """E-mail the person an app is offered to, once the offer commits (the CLI says "email sent")."""
    home = f"{settings.SITE_URL.rstrip('/')}/"
    body = render_to_string("apps/transfer_email.txt", {"transfer": transfer, "home": home})
    subject = f"{transfer.sender.email} offers you the app {transfer.app.name}"
    recipient = transfer.recipient.email  # type: ignore[union-attr]

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        except Exception:  # the offer stands and shows on the recipient's home page
            log.exception("transfer e-mail to %s could not be sent", recipient)

    transaction.on_commit(send)


def _record_move(actor: Any, app: App, before: str, origin: Origin) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.APP_TRANSFER,
        origin=origin,
        app=app,
        before={"owner": before},
        after={"owner": _owner_label(app)},
    )


@transaction.atomic
def app_transfer_accept(*, actor: Any, transfer: AppTransfer, origin: Origin) -> AppTransfer:
    """The recipient takes the app: they become its owner and the sender stays on as a collaborator
    (``app.transfer``). The sender must still own the app and still be allowed to transfer it."""
    require(actor, p.ANSWER_TRANSFER, transfer)
    app = lock_app_row(transfer.app)
    transfer = _open(_transfer_row(transfer))
    if app.owner_id != transfer.sender_id or not transfer.sender.has_perm(p.TRANSFER_APP, app):
        raise Conflict(OWNER_CHANGED.format(app=app.name, email=transfer.sender.email), field="state")
    before = _owner_label(app)
    _to_user(app, actor)
    app.save()
    transfer.state = TransferState.ACCEPTED
    transfer.save(update_fields=["state", "updated_at"])
    _record_move(actor, app, before, origin)
    return transfer


@transaction.atomic
def app_transfer_decline(*, actor: Any, transfer: AppTransfer, origin: Origin) -> AppTransfer:
    """The recipient turns the app down; nothing about the app changes (``transfer.decline``)."""
    require(actor, p.ANSWER_TRANSFER, transfer)
    app = lock_app_row(transfer.app)
    transfer = _open(_transfer_row(transfer))
    transfer.state = TransferState.DECLINED
    transfer.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.TRANSFER_DECLINE,
        origin=origin,
        app=app,
        target_user=transfer.sender,
        before={"state": TransferState.PENDING},
        after={"state": transfer.state},
    )
    return transfer


@transaction.atomic
def app_transfer_cancel(*, actor: Any, transfer: AppTransfer, origin: Origin) -> AppTransfer:
    """The sender withdraws a pending offer (``transfer.cancel``). Returns the transfer as it was."""
    require(actor, p.CANCEL_TRANSFER, transfer)
    app = lock_app_row(transfer.app)
    transfer = _open(_transfer_row(transfer))
    recipient = transfer.recipient
    AppTransfer.objects.filter(pk=transfer.pk).delete()
    audit.record(
        actor=actor,
        action=AuditAction.TRANSFER_CANCEL,
        origin=origin,
        app=app,
        target_user=recipient,
        before={"recipient": recipient.email if recipient else None, "state": TransferState.PENDING},
    )
    return transfer


def _open(transfer: AppTransfer) -> AppTransfer:
    if transfer.state != TransferState.PENDING:
        raise Conflict(NOT_PENDING.format(app=transfer.app.name, state=transfer.state), field="state")
    return transfer


def _to_team(actor: Any, app: App, team: Team) -> None:
    if app.team_id == team.pk:
        raise Conflict(SAME_OWNER.format(app=app.name, owner=team.name), field="recipient")
    if app.team_id:
        require(actor, p.TRANSFER_OUT_TEAM, team)
    else:
        require(actor, p.TRANSFER_IN_TEAM, team)
        previous_owner = app.owner
        assert previous_owner is not None  # a personal app always has an owner (a check constraint)
        Grant.objects.update_or_create(
            app=app, user=previous_owner, expires_at=None, defaults={"permissions": p.ALL_PERMS}
        )
        forget_access(previous_owner)
    app.team, app.owner = team, None


def _to_user(app: App, user: User) -> None:
    if app.owner_id == user.pk:
        raise Conflict(SAME_OWNER.format(app=app.name, owner=user.email), field="recipient")
    if app.team_id:
        app.grants.all().delete()
        app.locked, app.locked_by, app.locked_at = False, None, None
    else:
        previous_owner = app.owner
        assert previous_owner is not None  # a personal app always has an owner (a check constraint)
        app.grants.filter(user=user).delete()
        Grant.objects.create(app=app, user=previous_owner, permissions=p.PERSONAL_COLLABORATOR_PERMS)
        forget_access(previous_owner)
    forget_access(user)
    app.team, app.owner = None, user
