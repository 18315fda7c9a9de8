"""Time in the rules: temporary grants, durations and the life of an access request (SPEC 17).

Pure: no ORM, no clock. Every function takes the moment it decides for (``now``) from its caller, so a test
moves the clock by passing another moment and correctness never waits for a background job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models

from accessctl.access.roles import AppPerm

__all__ = [
    "DEFAULT_MAX_DURATION",
    "REQUEST_TTL",
    "RequestStatus",
    "TemporaryGrant",
    "duration_problem",
    "format_duration",
    "format_remaining",
    "parse_duration",
    "request_status_at",
]

REQUEST_TTL = timedelta(hours=24)
"""An unanswered access request lapses this long after it was made."""

DEFAULT_MAX_DURATION = timedelta(hours=8)
"""A team's longest temporary access, unless its admins choose another."""


@dataclass(frozen=True)
class TemporaryGrant:
    """Permissions held on one app until ``expires_at`` (exclusive: at that instant they are gone)."""

    perms: frozenset[AppPerm]
    expires_at: datetime

    def live_at(self, now: datetime | None) -> bool:
        """Held at ``now``? Without a moment to decide for, a temporary grant counts as gone (fail closed)."""
        return now is not None and now < self.expires_at


class RequestStatus(models.TextChoices):
    PENDING = "pending", "pending"
    APPROVED = "approved", "approved"
    DENIED = "denied", "denied"
    CANCELLED = "cancelled", "cancelled"
    LAPSED = "lapsed", "lapsed"


def request_status_at(status: str, created_at: datetime, now: datetime) -> RequestStatus:
    """A request's status as people see it: a pending request older than ``REQUEST_TTL`` has lapsed,
    whether or not the task that marks it has run.
    """
    if status == RequestStatus.PENDING and now >= created_at + REQUEST_TTL:
        return RequestStatus.LAPSED
    return RequestStatus(status)


_ISO = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")
_SHORT = re.compile(r"^(?P<n>\d+)\s*(?P<unit>m|min|h|d)$")
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}
BAD_DURATION = "Give a duration such as PT4H, 4h, 90m or 1d (or 'permanent' where the team allows it)."
PERMANENT_WORDS = ("permanent", "")


def parse_duration(text: str) -> timedelta | None:
    """``PT4H`` (ISO 8601), ``4h``, ``90m``, ``1d``; ``permanent`` (or empty) is ``None``.

    Raises ``ValueError`` with a message for people on anything else.
    """
    value = text.strip()
    if value.lower() in PERMANENT_WORDS:
        return None
    iso = _ISO.match(value.upper())
    if iso and value.upper() not in ("P", "PT"):
        parts = {k: int(v) for k, v in iso.groupdict().items() if v}
        return timedelta(
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    short = _SHORT.match(value.lower())
    if short:
        return timedelta(**{_UNITS[short["unit"]]: int(short["n"])})
    raise ValueError(BAD_DURATION)


def duration_problem(
    duration: timedelta | None, *, longest: timedelta, permanent_allowed: bool
) -> str | None:
    """What is wrong with a requested duration under a team's policy (``None``: nothing)."""
    if duration is None:
        if permanent_allowed:
            return None
        return f"This team does not accept requests for permanent access. Ask for {format_duration(longest)} at most."
    if duration <= timedelta(0):
        return "The duration must be in the future: give a positive duration such as 4h."
    if duration > longest:
        return f"The longest access this team grants is {format_duration(longest)}. Ask for less."
    return None


def format_duration(duration: timedelta | None) -> str:
    """``8 hours``, ``1 day 2 hours``, ``90 minutes`` -> ``1 hour 30 minutes``; ``None`` is ``permanent``."""
    if duration is None:
        return "permanent"
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    text = " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)
    return text or "less than a minute"


def format_remaining(expires_at: datetime, now: datetime) -> str:
    """Time left until ``expires_at``, for people: ``3 hours 12 minutes left``, or ``expired``."""
    if now >= expires_at:
        return "expired"
    return f"{format_duration(expires_at - now)} left"
