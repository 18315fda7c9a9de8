"""Page middleware: a team member whose sign-in falls short of the team's policy gets a page saying what to do."""

from __future__ import annotations

from collections.abc import Callable

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
