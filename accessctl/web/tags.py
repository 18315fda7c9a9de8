"""``{% can "apps.lock_app" app as can_lock %}``: templates ask the permission backend, never compare roles.

Registered as the ``access`` template library in settings (``{% load access %}``), with the few filters the
pages share: people's initials avatars, human dates, the last-admin rule and the audit log's sentences.
"""

from __future__ import annotations

import functools
import zlib
from datetime import datetime
from typing import Any

from django import template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from accessctl.access import policy
from accessctl.access.backend import check_known
from accessctl.access.policy import format_duration, format_remaining
from accessctl.identity.signin import idp_mfa_status
from accessctl.web import audit_text, rowurls

register = template.Library()
AVATAR_TONES = 6


@register.simple_tag(takes_context=True)
def can(context: template.Context, perm: str, obj: object) -> bool:
    """Does the signed-in user hold ``perm`` on ``obj``? Uses the per-request facts: no queries after the first.

    A misspelt permission raises in strict mode (DEBUG and tests) instead of quietly answering no.
    """
    check_known(perm)
    user = context["request"].user
    return bool(user.is_authenticated and user.has_perm(perm, obj))


@register.simple_tag
def pencil() -> SafeString:
    """``{% pencil %}``: the edit icon (``components/pencil.svg``), read once per process, not included a row."""
    return _pencil_svg()


@functools.cache
def _pencil_svg() -> SafeString:
    return SafeString(get_template("components/pencil.svg").render())  # our own file, rendered: safe


@register.filter
def row_url(url: str, row_id: object) -> str:
    """``{{ row_urls.member_edit|row_url:person.pk }}``: a per-row URL reversed once a page (``web.rowurls``)."""
    return rowurls.fill(url, row_id)


@register.simple_tag
def last_admin(role: str | None, admins: int | None) -> bool:
    """``{% last_admin person.team_role admins as is_last %}``: the rule's answer, for disabling actions."""
    return admins is not None and policy.is_last_admin(role=role, admins=admins)


@register.filter
def idp_mfa(amr: Any) -> str:
    """The IdP-level MFA status read from an ID token's ``amr`` claim."""
    return idp_mfa_status(amr)


@register.filter
def time_left(expires_at: Any) -> str:
    """``3 hours 12 minutes left`` until ``expires_at`` (``expired`` once it has passed), from the rules' clock."""
    return format_remaining(expires_at, timezone.now()) if expires_at else ""


@register.filter
def duration_text(value: Any) -> str:
    """A duration for people (``4 hours``); an empty one is ``permanent``."""
    return format_duration(value)


@register.filter
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


@register.filter
def avatar_tone(person: Any) -> int:
    """A stable colour (0-5) per person, so the same person always has the same avatar colour."""
    return zlib.crc32((getattr(person, "email", "") or "").encode()) % AVATAR_TONES


@register.filter
def ago(value: datetime | None) -> SafeString | str:
    """``<time>`` saying "3 hours ago", with the exact time in ``datetime`` and on hover (``title``)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    delta = timezone.now() - value
    text = "just now" if delta.total_seconds() < 60 else f"{timesince(value, depth=1)} ago"
    exact = local.strftime("%Y-%m-%d %H:%M:%S %Z")
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, text)


@register.filter
def describe(event: Any) -> SafeString:
    """An audit event as a sentence with badges."""
    return audit_text.describe(event)


@register.filter
def action_label(action: str) -> str:
    return audit_text.action_label(action)


# The cells every table row repeats, as tags instead of per-row includes (an include costs a template render of
# its own; a 50-row page had ~250). components/person.html, role_badge.html and perm_badges.html use them too.


@register.simple_tag
def person_cell(person: Any) -> SafeString:
    """``{% person_cell person %}``: the avatar, name and e-mail (and "pending" before the first sign-in)."""
    if person.name:
        text = format_html(
            '<span class="person-name">{}</span><span class="person-email">{}</span>',
            person.name,
            person.email,
        )
    else:
        text = format_html('<span class="person-name">{}</span>', person.email)
    pending = (
        SafeString(' <span class="badge pending" title="Has not signed in yet">pending</span>')
        if getattr(person, "is_pending", False)
        else ""
    )
    return format_html(
        '<div class="person"><span class="avatar tone-{}" aria-hidden="true">{}</span>'
        '<span class="person-text">{}</span>{}</div>',
        avatar_tone(person),
        initials(person),
        text,
        pending,
    )


@register.simple_tag
def role_badge(role: str) -> SafeString:
    """``{% role_badge role %}``: a team role (or collaborator, owner) as a badge."""
    return format_html('<span class="badge role role-{}">{}</span>', role, role)


@register.simple_tag
def perm_badges(perms: Any) -> SafeString:
    """``{% perm_badges perms %}``: permissions as chips, in the order given; "none" for none."""
    chips = format_html_join(
        "", '<span class="chip chip-{}">{}</span>', ((perm, perm) for perm in perms or ())
    )
    return format_html(
        '<span class="perms">{}</span>', chips or SafeString('<span class="muted">none</span>')
    )
