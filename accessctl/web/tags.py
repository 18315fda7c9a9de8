"""``{% can "apps.lock_app" app as can_lock %}``: templates ask the permission backend, never compare roles.

Registered as the ``access`` template library in settings (``{% load access %}``), with the few filters the
pages share: people's initials avatars, human dates, the last-admin rule and the audit log's sentences; and the
table cells and rows built in Python (``web.cells``, ``web.rows``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from accessctl.access import policy
from accessctl.access.backend import check_known
from accessctl.access.policy import format_duration
from accessctl.web import audit_text, cells, rows

register = template.Library()


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


register.filter("time_left", cells.time_left)


@register.filter
def duration_text(value: Any) -> str:
    """A duration for people (``4 hours``); an empty one is ``permanent``."""
    return format_duration(value)


register.filter("initials", cells.initials)
register.filter("avatar_tone", cells.avatar_tone)


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


# The cells every table row repeats and the rows of the long tables, as tags whose markup is built in Python
# (``web.cells``, ``web.rows``) instead of per-row includes and template nodes.
register.simple_tag(cells.person_cell, name="person_cell")
register.simple_tag(cells.role_badge, name="role_badge")
register.simple_tag(cells.perm_badges, name="perm_badges")
register.simple_tag(cells.lock_badge, name="lock_badge")


@register.simple_tag(takes_context=True)
def member_row(context: template.Context, person: Any) -> SafeString:
    """``{% member_row person %}``: a row of the team Access table, from the page's ``row_context``."""
    return rows.member_row(
        person,
        can_manage=bool(context.get("can_manage")),
        admins=context.get("admins"),
        reason=context.get("last_admin_reason") or "",
        urls=context["row_urls"],
    )


@register.simple_tag(takes_context=True)
def grant_row(context: template.Context, row: Any) -> SafeString:
    """``{% grant_row row %}``: a row of the app Access table, from the page's ``row_context``."""
    extend_form = context.get("extend_form")
    return rows.grant_row(
        row,
        app=context["app"],
        can_manage=bool(context.get("can_manage")),
        urls=context["row_urls"],
        csrf=_csrf_input(context),
        extend_choices=extend_form.fields["by"].choices if extend_form else (),
        me=context["request"].user.pk,
    )


def _csrf_input(context: template.Context) -> SafeString:
    # the hidden field once a render (the token is once a request already), not a format_html a row
    cached = context.render_context.get("csrf_input")
    if cached is None:
        cached = context.render_context["csrf_input"] = cells.csrf_input(context.get("csrf_token"))
    return cached


@register.simple_tag(takes_context=True)
def app_row(context: template.Context, row: Any) -> SafeString:
    """``{% app_row row %}``: a row of the home page's app table (``app_urls`` from the view)."""
    return rows.app_row(row, detail_url=context["app_urls"]["detail"])
