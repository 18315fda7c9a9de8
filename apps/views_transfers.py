"""Pages: answering an app transfer (SPEC 9). Its recipient accepts or declines it; its sender cancels it.

The pending transfers show on the home page of both; only those two people can reach a transfer (404 for
anyone else), and the services check which of them may take which step.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from accessctl.web.changes import change, done
from apps import transfers
from apps.models import AppTransfer
from apps.selectors import transfers_of


def _transfer(request: HttpRequest, transfer: str) -> AppTransfer:
    found = transfers_of(request.user).filter(public_id=transfer).first()
    if found is None:
        raise Http404("No such app transfer.")
    return found


@require_POST
def transfer_accept(request: HttpRequest, transfer: str) -> HttpResponse:
    found = _transfer(request, transfer)
    outcome = change(request, transfers.app_transfer_accept, transfer=found)
    return done(request, outcome, f"{found.app.name} is yours now.", reverse("home"))


@require_POST
def transfer_decline(request: HttpRequest, transfer: str) -> HttpResponse:
    found = _transfer(request, transfer)
    outcome = change(request, transfers.app_transfer_decline, transfer=found)
    message = f"Declined {found.app.name}; it stays with {found.sender.email}."
    return done(request, outcome, message, reverse("home"))


@require_POST
def transfer_cancel(request: HttpRequest, transfer: str) -> HttpResponse:
    found = _transfer(request, transfer)
    outcome = change(request, transfers.app_transfer_cancel, transfer=found)
    return done(request, outcome, f"Withdrew the transfer of {found.app.name}.", reverse("home"))
