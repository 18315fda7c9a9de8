"""Send Platform API requests (``Accept: application/vnd.heroku+json…``) to the API's URLconf.

The Heroku CLI allows no path prefix, so the API shares paths like ``/apps/myapp`` with the dashboard; the
Accept header decides which one answers. Every API answer carries a ``Request-Id`` (the client's first one
when it sent a uuid, else a new one); a successful GET carries an ``ETag`` of its body, and ``If-None-Match``
with that tag answers 304 without a body.
"""

import hashlib
import logging
import uuid

from django.http import HttpResponseNotModified

from accessctl.api.http import error_response

API_MEDIA_TYPE = "application/vnd.heroku+json"
log = logging.getLogger("accessctl.api")


def is_api_request(request) -> bool:
    return API_MEDIA_TYPE in request.headers.get("Accept", "")


class ApiRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_request(request):
            return self.get_response(request)
        request.urlconf = "accessctl.api.urls"
        request.is_api = True
        response = self.get_response(request)
        if request.method == "GET" and response.status_code in (200, 206) and not response.streaming:
            etag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
            wanted = {
                tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")
            }
            if etag in wanted or "*" in wanted:
                response = HttpResponseNotModified()
            response["ETag"] = etag
        response["Request-Id"] = request_id(request)
        return response

    def process_exception(self, request, exception):
        """An unexpected error in an API view answers the Heroku error shape, not an HTML page."""
        if not getattr(request, "is_api", False):
            return None
        log.exception("api_error method=%s path=%s", request.method, request.path)
        return error_response(
            500, "internal_server_error", "Internal server error. The error was logged; try again."
        )


def request_id(request) -> str:
    """The client's first ``Request-Id`` when it is a uuid (the CLI sends a growing list), else a new one."""
    first = request.headers.get("Request-Id", "").split(",")[0].strip()
    try:
        return str(uuid.UUID(first))
    except ValueError:
        return str(uuid.uuid4())
