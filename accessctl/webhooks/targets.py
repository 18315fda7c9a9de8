"""Where a webhook may send, and the one HTTP POST it makes.

A target is an https URL whose host resolves only to public addresses; loopback, private, link-local and other
non-global addresses are refused, so a webhook cannot reach the server's own network (SSRF). The check runs
when a hook is saved and again before every attempt, and the request goes to the address that was checked, so
a name that re-resolves elsewhere in between (DNS rebinding) cannot slip through. Redirects are not followed.
``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` (development and tests) lifts both rules: plain http and local receivers.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from accessctl.access.errors import Invalid

BAD_URL = "The url must be a full URL such as https://example.com/hooks."
NOT_HTTPS = "The url must start with https://."
CREDENTIALS = "The url must not hold a user name or password; use the authorization value instead."
PRIVATE = (
    "The url's host {host} is a loopback, private or link-local address. Use a receiver reachable on the "
    "public internet."
)
UNRESOLVED = "The url's host {host} does not resolve. Check the name."
MAX_URL = 2000


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    """What one POST got: the status code, or the error that stopped it, and how long it took."""

    code: int | None
    error_class: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def _parse(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or len(url) > MAX_URL or any(ch.isspace() for ch in url):
        raise Invalid(BAD_URL, field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid(BAD_URL, field="url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid(BAD_URL, field="url")
    if parts.scheme != "https" and not private_allowed():
        raise Invalid(NOT_HTTPS, field="url")
    if parts.username is not None or parts.password is not None:
        raise Invalid(CREDENTIALS, field="url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check(url: str) -> Target:
    """The target of ``url``, resolved and checked; ``Invalid`` (naming the field ``url``) when refused."""
    scheme, host, port, path = _parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid(UNRESOLVED.format(host=host), field="url") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not private_allowed() and not all(is_public(address) for address in addresses):
        raise Invalid(PRIVATE.format(host=host), field="url")
    return Target(scheme, host, port, path, addresses[0])


class _Pinned(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, verifying the certificate of the URL's host name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedPlain(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST ``body`` once: no redirects followed, ``timeout`` seconds to connect and for each read."""
    started = time.monotonic()

    def answer(code: int | None, error_class: str = "", error: str = "") -> Answer:
        return Answer(code, error_class, error[:500], int((time.monotonic() - started) * 1000))

    try:
        target = check(url)
    except Invalid as refused:
        return answer(None, "TargetRefused", refused.message)
    connection = (_Pinned if target.scheme == "https" else _PinnedPlain)(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
    except TimeoutError:
        return answer(None, "Timeout", f"No answer within {timeout:g} seconds.")
    except (OSError, http.client.HTTPException) as error:
        return answer(None, type(error).__name__, str(error) or type(error).__name__)
    finally:
        connection.close()
    if 300 <= response.status < 400:
        return answer(
            response.status, "Redirect", "Redirects are not followed; point the webhook at the final URL."
        )
    if not 200 <= response.status < 300:
        return answer(response.status, "HTTPError", f"The receiver answered {response.status}.")
    return answer(response.status)
