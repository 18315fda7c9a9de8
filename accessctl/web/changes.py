"""The one way a page runs a change (``change`` then ``done``), and the pencil-edit finishers built on it.

A view looks its objects up (``lookups``), builds the form, and calls ``change(request, service, form, ...)``.
Then, if the outcome is good, ``done`` (a message and a redirect), else it re-renders the page with the form
(form pages) or calls ``done`` too (buttons, whose refusal becomes a message). See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from accessctl.access.errors import DomainError, Invalid
from accessctl.audit.log import Origin

CHECK_THE_FORM = "Check the form and try again."


@dataclass(frozen=True)
class Outcome:
    """What a change came to: the service's result, or the refusal. True when the change was made."""

    result: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None


def _first_error(form: forms.Form) -> Invalid:
    for field, errors in form.errors.items():
        return Invalid(str(errors[0]), field=None if field == "__all__" else field)
    return Invalid(CHECK_THE_FORM)


def change(
    request: HttpRequest,
    service: Callable[..., Any],
    form: forms.Form | None = None,
    /,
    **kwargs: Any,
) -> Outcome:
    """Run one change as the signed-in user, in one transaction, and say how it went.

    A ``form`` is validated first, inside the transaction (a pending account that one of its fields creates
    goes away with a refused change), and its cleaned data become keyword arguments of ``service`` beside
    ``kwargs``. A refusal (a ``DomainError``, or the form's first error) lands on the form, on the field it
    names, and in ``Outcome.error``. ``PermissionDenied`` is not caught: it becomes the 403 page.
    """
    with transaction.atomic():
        if form is not None:
            if not form.is_valid():
                transaction.set_rollback(True)
                return Outcome(error=_first_error(form))
            kwargs = {**form.cleaned_data, **kwargs}
        try:
            result = service(actor=request.user, origin=Origin.from_request(request), **kwargs)
        except DomainError as error:
            transaction.set_rollback(True)
            if form is not None:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            return Outcome(error=error)
    return Outcome(result=result)


def done(request: HttpRequest, outcome: Outcome, message: str, url: str) -> HttpResponse:
    """Finish a change: ``message`` and a redirect to ``url``, or the refusal as an error message.

    For htmx, a client redirect, or the refusal's status with its text in ``X-Error-Message`` (``base.html``
    shows it in place).
    """
    if outcome.error is not None:
        if request.htmx:  # type: ignore[attr-defined]
            text = outcome.error.message
            return HttpResponse(text, status=outcome.error.status, headers={"X-Error-Message": text})
        messages.error(request, outcome.error.message)
    else:
        messages.success(request, message)
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def pencil_saved(
    request: HttpRequest, *, row: str, context: dict[str, Any], message: str, url: str
) -> HttpResponse:
    """After a pencil save: the updated ``row`` partial with an ``access-changed`` event (htmx), else ``done``.

    The ``change-saved`` event carries ``message``: ``static/js/app.js`` announces it in the page's live region
    and highlights the row.
    """
    if not request.htmx:  # type: ignore[attr-defined]
        return done(request, Outcome(), message, url)
    response = trigger_client_event(render(request, row, context), "access-changed")
    return trigger_client_event(response, "change-saved", {"message": message})


def pencil_form(request: HttpRequest, *, partial: str, page: str, context: dict[str, Any]) -> HttpResponse:
    """The pencil's form in place of the row (htmx; errors with status 200 so htmx swaps them), else a page."""
    return render(request, partial if request.htmx else page, context)  # type: ignore[attr-defined]
