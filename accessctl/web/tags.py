"""``{% can "apps.lock_app" app as can_lock %}``: templates ask the permission backend, never compare roles.

Registered as the ``access`` template library in settings (``{% load access %}``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from accessctl.access.backend import check_known
from accessctl.access.policy import format_duration, format_remaining
from accessctl.identity.signin import idp_mfa_status

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, perm: str, obj: object) -> bool:
    """Does the signed-in user hold ``perm`` on ``obj``? Uses the per-request facts: no queries after the first.

    A misspelt permission raises in strict mode (DEBUG and tests) instead of quietly answering no.
    """
    check_known(perm)
    user = context["request"].user
    return bool(user.is_authenticated and user.has_perm(perm, obj))


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
