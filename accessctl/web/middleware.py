"""Page middleware: limits on what a form may send, a new session key on every authentication step, and the
page for a sign-in that falls short of a team's policy."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

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


TOO_LARGE = "The form you sent is larger than 1 MB. Send less at once."
TOO_MANY_FIELDS = "The form you sent has too many fields. Send fewer at once."


def plain_error(status: int, title: str, message: str) -> HttpResponse:
    """An error page that needs neither the database nor the session (413, 400, 503)."""
    body = render_to_string("plain_error.html", {"title": title, "message": message})
    return HttpResponse(body, status=status, headers={"X-Error-Message": message})


class BodyLimitsMiddleware:
    """Pages: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413, too many form fields 400, before CSRF reads it.

    The API answers these in its own shape (``accessctl.api.limits``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "is_api", False):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return plain_error(413, "Too large", TOO_LARGE)
        if request.method == "POST":
            try:
                request.POST  # noqa: B018  # parse now, where a limit can answer clearly
            except RequestDataTooBig:
                return plain_error(413, "Too large", TOO_LARGE)
            except TooManyFieldsSent:
                return plain_error(400, "Too many fields", TOO_MANY_FIELDS)
        return self.get_response(request)


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
