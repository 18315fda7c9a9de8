"""``{% can "apps.lock_app" app as can_lock %}``: templates ask the permission backend, never compare roles.

Registered as the ``access`` template library in settings (``{% load access %}``), with the few filters the
pages share: people's initials avatars, human dates, the last-admin rule and the audit log's sentences.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from accessctl.access import policy
from accessctl.access.backend import check_known
from accessctl.access.policy import format_duration, format_remaining
from accessctl.identity.signin import idp_mfa_status
from accessctl.web import audit_text

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
