"""Domain errors raised by services. Pages and the API turn them into messages and status codes.

Permission failures use Django's ``PermissionDenied`` (403). Every message says what was wrong and what to do.
"""


class DomainError(Exception):
    """A refused change. ``status`` and ``error_id`` drive the API answer; ``field`` names the bad input."""

    status = 422
    error_id = "invalid_params"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """Bad input: a malformed name, an unknown role or permission, a missing value."""


class NotFound(DomainError):
    status = 404
    error_id = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state forbids it (last admin, already locked, name taken)."""

    status = 409
    error_id = "conflict"
