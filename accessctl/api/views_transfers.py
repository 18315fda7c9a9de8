"""Platform API: app transfers (``/account/app-transfers``) with Heroku's states, and the CLI's team transfer.

A personal app offered to another person is ``pending`` until that person accepts or declines it (``PATCH``
with ``state``); its sender may withdraw it (``DELETE``). Moves into or out of a team are done at once and
answer ``accepted``. Only the sender and the recipient see a transfer; anyone else gets 404.
"""

from accessctl.api import bodies as b
from accessctl.api import serializers as s
from accessctl.api.bodies import parse_body
from accessctl.api.bodies_runtime import TransferAnswer
from accessctl.api.http import ApiError, api_view, json_response, origin, ranged
from accessctl.identity.people import recipient_for
from accessctl.web.lookups import get_app
from apps import transfers
from apps.models import AppTransfer, TransferState
from apps.selectors import transfers_of

NOT_FOUND = "Couldn't find that app transfer."
ANSWERS = {
    TransferState.ACCEPTED.value: transfers.app_transfer_accept,
    TransferState.DECLINED.value: transfers.app_transfer_decline,
}


def _party(team) -> dict:
    return {"id": str(team.public_id), "email": f"{team.name}@{s.TEAM_EMAIL_DOMAIN}"}


def transfer_json(transfer: AppTransfer) -> dict:
    """An app transfer as Heroku's schema has it: ``owner`` is who the app belonged to when it was offered."""
    app = transfer.app
    return {
        "id": str(transfer.public_id),
        "app": {"id": str(app.public_id), "name": app.name},
        "owner": _party(transfer.previous_team) if transfer.previous_team else s.user_ref(transfer.sender),
        "recipient": s.user_ref(transfer.recipient)
        if transfer.recipient
        else _party(transfer.recipient_team),
        "state": transfer.state,
        "created_at": s.iso(transfer.created_at),
        "updated_at": s.iso(transfer.updated_at),
    }


@api_view("GET", "POST")
def app_transfers(request):
    """List the transfers one sent or was offered; E27 start one (``{"app": ..., "recipient": ...}``)."""
    if request.method == "GET":
        return ranged(
            request,
            transfers_of(request.user),
            allowed=("id", "created_at", "updated_at"),
            fields={"id": "public_id"},
            serialize=transfer_json,
        )
    data = parse_body(request, b.TransferCreate)
    app = get_app(request, data.app)
    recipient = recipient_for(data.recipient)
    transfer = transfers.app_transfer_create(
        actor=request.user, app=app, recipient=recipient, origin=origin(request)
    )
    return json_response(transfer_json(transfer), status=201)


def _find(request, ident: str) -> AppTransfer:
    """A transfer of the caller's by id, or by app name (its pending transfer, else the latest)."""
    theirs = transfers_of(request.user)
    try:
        found = theirs.filter(public_id=ident).first()
    except Exception:  # not a UUID: an app name
        found = theirs.filter(app__name=ident.lower()).order_by("-created_at", "-id").first()
        pending = theirs.filter(app__name=ident.lower(), state=TransferState.PENDING).first()
        found = pending or found
    if found is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return found


@api_view("GET", "PATCH", "DELETE")
def app_transfer(request, transfer):
    """Read a transfer; its recipient answers it (``{"state": "accepted" | "declined"}``); its sender
    withdraws it (``DELETE``, answering the transfer as it was)."""
    found = _find(request, transfer)
    if request.method == "GET":
        return json_response(transfer_json(found))
    if request.method == "DELETE":
        cancelled = transfers.app_transfer_cancel(actor=request.user, transfer=found, origin=origin(request))
        return json_response(transfer_json(cancelled))
    data = parse_body(request, TransferAnswer)
    answered = ANSWERS[data.state](actor=request.user, transfer=found, origin=origin(request))
    return json_response(transfer_json(answered))
