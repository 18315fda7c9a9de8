"""Send Platform API requests (``Accept: application/vnd.heroku+json…``) to the API's URLconf.

The Heroku CLI allows no path prefix, so the API shares paths like ``/apps/myapp`` with the dashboard; the
Accept header decides which one answers.
"""

import logging

from accessctl.api.http import error_response

API_MEDIA_TYPE = "application/vnd.heroku+json"
log = logging.getLogger("accessctl.api")


def is_api_request(request) -> bool:
    return API_MEDIA_TYPE in request.headers.get("Accept", "")


class ApiRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request):
            request.urlconf = "accessctl.api.urls"
            request.is_api = True
        return self.get_response(request)

    def process_exception(self, request, exception):
        """An unexpected error in an API view answers the Heroku error shape, not an HTML page."""
        if not getattr(request, "is_api", False):
            return None
        log.exception("api_error method=%s path=%s", request.method, request.path)
        return error_response(
            500, "internal_server_error", "Internal server error. The error was logged; try again."
        )
