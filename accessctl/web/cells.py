"""The cells every table row repeats, as Python functions building ``SafeString``: the one source of their markup.

The template tags of the same names (``{% person_cell %}``, ``{% role_badge %}``, ...) and the row builders of
``web.rows`` call these; ``components/person.html``, ``role_badge.html``, ``perm_badges.html`` and
``lock_badge.html`` call the tags. A cell is one f-string whose every value goes through ``esc``, where an
include cost a template render (and ``format_html``, escaping through lazy-aware wrappers, twice the f-string).
"""

from __future__ import annotations

import functools
import html
import zlib
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accessctl.access.policy import format_remaining

AVATAR_TONES = 6
LOCK_BADGE = SafeString(
    '<span class="lock" title="Locked"><svg aria-hidden="true" width="13" height="13" viewBox="0 0 16 16">'
    '<path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z"/></svg>'
    '<span class="sr-only">(locked)</span></span>'
)
PENDING_BADGE = SafeString(' <span class="badge pending" title="Has not signed in yet">pending</span>')
NO_PERMS = '<span class="muted">none</span>'


def esc(value: Any) -> str:
    """``value`` escaped for HTML text or a quoted attribute, as ``{{ value }}`` and ``format_html`` do (Django's
    ``escape`` is this same ``html.escape``); our own markup (``__html__``) is kept as it is."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


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
    email = esc(person.email)
    if person.name:
        text = f'<span class="person-name">{esc(person.name)}</span><span class="person-email">{email}</span>'
    else:
        text = f'<span class="person-name">{email}</span>'
    pending = PENDING_BADGE if getattr(person, "is_pending", False) else ""
    return SafeString(
        f'<div class="person"><span class="avatar tone-{avatar_tone(person)}" aria-hidden="true">'
        f'{esc(initials(person))}</span><span class="person-text">{text}</span>{pending}</div>'
    )


@functools.lru_cache(maxsize=64)
def role_badge(role: str) -> SafeString:
    """A team role (or collaborator, owner) as a badge. Roles are a handful of words: each built once."""
    role = esc(role)
    return SafeString(f'<span class="badge role role-{role}">{role}</span>')


def perm_badges(perms: Any) -> SafeString:
    """Permissions as chips, in the order given; "none" for none."""
    return _perm_badges(tuple(str(perm) for perm in perms or ()))


@functools.lru_cache(maxsize=256)
def _perm_badges(perms: tuple[str, ...]) -> SafeString:
    # a few dozen combinations of four permissions: each built once a process
    chips = "".join(f'<span class="chip chip-{esc(perm)}">{esc(perm)}</span>' for perm in perms)
    return SafeString(f'<span class="perms">{chips or NO_PERMS}</span>')


def lock_badge(app: Any) -> SafeString:
    """The padlock of a locked app; nothing for an unlocked one."""
    return LOCK_BADGE if getattr(app, "locked", False) else SafeString("")  # as ``{% if app.locked %}`` did


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
