"""The cells every table row repeats, as Python functions building ``SafeString``: the one source of their markup.

The template tags of the same names (``{% person_cell %}``, ``{% role_badge %}``, ...) and the row builders of
``web.rows`` call these; ``components/person.html``, ``role_badge.html``, ``perm_badges.html`` and
``lock_badge.html`` call the tags. A cell costs one ``format_html``, where an include cost a template render.
"""

from __future__ import annotations

import functools
import zlib
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accessctl.access.policy import format_remaining

AVATAR_TONES = 6
LOCK_BADGE = SafeString(
    '<span class="lock" title="Locked"><svg aria-hidden="true" width="13" height="13" viewBox="0 0 16 16">'
    '<path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z"/></svg>'
    '<span class="sr-only">(locked)</span></span>'
)
PENDING_BADGE = SafeString(' <span class="badge pending" title="Has not signed in yet">pending</span>')


def initials(person: Any) -> str:
    """Up to two letters for an avatar: from the name, else from the e-mail's local part."""
    name = (getattr(person, "name", "") or "").strip()
    words = (
        name.split()
        if name
        else (getattr(person, "email", "") or "?").split("@")[0].replace(".", " ").split()
    )
    letters = "".join(word[0] for word in words[:2] if word)
    return (letters or "?").upper()


def avatar_tone(person: Any) -> int:
    """A stable colour (0-5) per person, so the same person always has the same avatar colour."""
    return zlib.crc32((getattr(person, "email", "") or "").encode()) % AVATAR_TONES


def person_cell(person: Any) -> SafeString:
    """The avatar, name and e-mail (and "pending" before the first sign-in)."""
    if person.name:
        text = format_html(
            '<span class="person-name">{}</span><span class="person-email">{}</span>',
            person.name,
            person.email,
        )
    else:
        text = format_html('<span class="person-name">{}</span>', person.email)
    return format_html(
        '<div class="person"><span class="avatar tone-{}" aria-hidden="true">{}</span>'
        '<span class="person-text">{}</span>{}</div>',
        avatar_tone(person),
        initials(person),
        text,
        PENDING_BADGE if getattr(person, "is_pending", False) else "",
    )


def role_badge(role: str) -> SafeString:
    """A team role (or collaborator, owner) as a badge."""
    return format_html('<span class="badge role role-{}">{}</span>', role, role)


def perm_badges(perms: Any) -> SafeString:
    """Permissions as chips, in the order given; "none" for none."""
    chips = format_html_join(
        "", '<span class="chip chip-{}">{}</span>', ((perm, perm) for perm in perms or ())
    )
    return format_html(
        '<span class="perms">{}</span>', chips or SafeString('<span class="muted">none</span>')
    )


def lock_badge(app: Any) -> SafeString:
    """The padlock of a locked app; nothing for an unlocked one."""
    return LOCK_BADGE if app.locked else SafeString("")


def pencil() -> SafeString:
    """The edit icon (``components/pencil.svg``), read once per process."""
    return _pencil_svg()


@functools.cache
def _pencil_svg() -> SafeString:
    return SafeString(get_template("components/pencil.svg").render())  # our own file, rendered: safe


def csrf_input(token: Any) -> SafeString:
    """The hidden CSRF field, as ``{% csrf_token %}`` writes it, from the context's (lazy, once a request) token."""
    if not token or token == "NOTPROVIDED":
        return SafeString("")
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def local_date(value: Any, fmt: str) -> str:
    """``{{ value|date:fmt }}`` outside a template: in the current time zone, as the template would show it."""
    if value is None:
        return ""
    return date_filter(timezone.localtime(value) if timezone.is_aware(value) else value, fmt)


def time_left(expires_at: Any) -> str:
    """``3 hours 12 minutes left`` until ``expires_at`` (``expired`` once it has passed), from the rules' clock."""
    return format_remaining(expires_at, timezone.now()) if expires_at else ""
