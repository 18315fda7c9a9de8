"""Template context: the request's CSP nonce as ``csp_nonce``, the name django-htmx's ``{% htmx_script %}`` reads."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, Any]:
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
