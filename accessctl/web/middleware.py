"""Page middleware: a new session key on every authentication step; a team member whose sign-in falls short
of the team's policy gets a page saying what to do."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.http import HttpRequest, HttpResponse

from accessctl.identity.signin import SignInRequired
from accessctl.identity.views import sign_in_required


class SignInRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SignInRequired) and not getattr(request, "is_api", False):
            return sign_in_required(request, exception)
        return None


class RotateSessionOnAuthenticationMiddleware:
    """A new session key whenever the session records one more authentication (allauth's records: a sign-in,
    a re-authentication by password or MFA, each MFA step) and the key has not already changed in this
    request (Django's ``login`` cycles it). A fixed session key cannot be carried across a privilege step.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "is_api", False):  # the API signs in by token, never by the session
            return self.get_response(request)
        session = request.session
        key, before = session.session_key, len(session.get(AUTHENTICATION_METHODS_SESSION_KEY) or [])
        response = self.get_response(request)
        session = request.session
        after = len(session.get(AUTHENTICATION_METHODS_SESSION_KEY) or [])
        if after > before and key is not None and session.session_key == key:
            session.cycle_key()
        return response
