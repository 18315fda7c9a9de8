"""The audit log's Change column as a sentence with badges ("Granted deploy on website-prod to joe@acme.com").

Each action has one sentence built from the event's copied names and its ``before``/``after`` data; an action
without one (or data of an older shape) falls back to its label and the changed keys, never a raw dict.
Everything is escaped with ``format_html``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accessctl.access.policy import PERM_ORDER
from accessctl.audit.models import AuditAction, AuditEvent

_PERM_NAMES = [perm.value for perm in PERM_ORDER]


def chips(perms: Any) -> SafeString:
    """Permission chips in display order (view, deploy, operate, manage)."""
    names = [str(name) for name in (perms or [])]
    ordered = [p for p in _PERM_NAMES if p in names] + [n for n in names if n not in _PERM_NAMES]
    if not ordered:
        return format_html('<span class="muted">{}</span>', "no permissions")
    return format_html_join(" ", '<span class="chip chip-{}">{}</span>', ((n, n) for n in ordered))


def role(name: Any) -> SafeString:
    return format_html('<span class="badge role-{}">{}</span>', name, name)


def _who(event: AuditEvent) -> SafeString:
    return format_html("<strong>{}</strong>", event.target_email or "someone")


def _app(event: AuditEvent) -> SafeString:
    return format_html("<strong>{}</strong>", event.app_name or "an app")


def _b(data: Any, key: str, default: Any = None) -> Any:
    return data.get(key, default) if isinstance(data, dict) else default


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    if value is None or value == "":
        return "none"
    return str(value)


def _changes(before: Any, after: Any) -> SafeString:
    """``key: old → new`` for every key, as text (the fallback for actions without a sentence)."""
    keys = sorted({*(before or {}), *(after or {})}) if isinstance(before or {}, dict) else []
    if not isinstance(after or {}, dict):
        return format_html("{}", _value(after))
    parts = []
    for key in keys:
        label = key.replace("_", " ")
        if key in (before or {}) and key in (after or {}):
            parts.append(format_html("{}: {} → {}", label, _value(before[key]), _value(after[key])))
        elif key in (after or {}):
            parts.append(format_html("{}: {}", label, _value(after[key])))
        else:
            parts.append(format_html("{} was {}", label, _value(before[key])))
    return mark_safe("; ".join(parts))  # each part is escaped by format_html


def _team_settings(e: AuditEvent) -> SafeString:
    before, after = e.before or {}, e.after or {}
    parts = []
    for key in after:
        if key == "name":
            parts.append(
                format_html(
                    "Renamed the team from {} to <strong>{}</strong>", before.get("name"), after["name"]
                )
            )
        elif key == "join_permissions":
            parts.append(format_html("Join permissions {} → {}", chips(before.get(key)), chips(after[key])))
        elif key == "require_mfa":
            parts.append(mark_safe("Required MFA" if after[key] else "Stopped requiring MFA"))
        elif key == "sso_enforced":
            parts.append(mark_safe("Enforced SSO" if after[key] else "Stopped enforcing SSO"))
        else:
            parts.append(_changes({key: before.get(key)}, {key: after[key]}))
    return mark_safe("; ".join(parts)) if parts else mark_safe("Team settings saved, nothing changed")


def _config(e: AuditEvent) -> SafeString:
    set_keys, unset = _b(e.after, "set", []), _b(e.after, "unset", [])
    parts = []
    if set_keys:
        parts.append(format_html("Set {}", _code_list(set_keys)))
    if unset:
        parts.append(format_html("removed {}", _code_list(unset)))
    what = mark_safe(", ".join(parts)) if parts else "Changed config vars"
    return format_html("{} on {} (release v{})", what, _app(e), _b(e.after, "release", "?"))


def _code_list(keys: Iterable[Any]) -> SafeString:
    return format_html_join(", ", "<code>{}</code>", ((k,) for k in keys))


def _scale(e: AuditEvent) -> SafeString:
    after = e.after if isinstance(e.after, dict) else {}
    items = format_html_join(", ", "{} to <code>{}</code>", ((k, v) for k, v in sorted(after.items())))
    return format_html("Scaled {} on {}", items or "the formation", _app(e))


SENTENCES: dict[str, Callable[[AuditEvent], SafeString]] = {
    AuditAction.TEAM_CREATE: lambda e: format_html(
        "Created team <strong>{}</strong>", _b(e.after, "name", e.team_name)
    ),
    AuditAction.TEAM_SETTINGS: _team_settings,
    AuditAction.TEAM_SSO: lambda e: format_html(
        "Set the identity provider to {}; SSO {}",
        _b(e.after, "issuer", "?"),
        "enforced" if _b(e.after, "enforced") else "not enforced",
    ),
    AuditAction.MEMBER_ADD: lambda e: format_html("Added {} as {}", _who(e), role(_b(e.after, "role"))),
    AuditAction.MEMBER_ROLE_CHANGE: lambda e: format_html(
        "Changed role of {} from {} to {}", _who(e), role(_b(e.before, "role")), role(_b(e.after, "role"))
    ),
    AuditAction.MEMBER_REMOVE: lambda e: format_html(
        "Removed {} (was {})", _who(e), role(_b(e.before, "role"))
    ),
    AuditAction.GRANT_ADD: lambda e: format_html(
        "Granted {} on {} to {}", chips(_b(e.after, "permissions")), _app(e), _who(e)
    ),
    AuditAction.GRANT_UPDATE: lambda e: format_html(
        "Changed permissions of {} on {} from {} to {}",
        _who(e),
        _app(e),
        chips(_b(e.before, "permissions")),
        chips(_b(e.after, "permissions")),
    ),
    AuditAction.GRANT_REMOVE: lambda e: format_html(
        "Revoked {} on {} from {}", chips(_b(e.before, "permissions")), _app(e), _who(e)
    ),
    AuditAction.APP_CREATE: lambda e: format_html(
        "Created app <strong>{}</strong>", _b(e.after, "name", e.app_name)
    ),
    AuditAction.APP_JOIN: lambda e: format_html(
        "Joined {} with {}", _app(e), chips(_b(e.after, "permissions"))
    ),
    AuditAction.APP_LEAVE: lambda e: format_html(
        "Left {}, giving up {}", _app(e), chips(_b(e.before, "permissions"))
    ),
    AuditAction.APP_LOCK: lambda e: format_html("Locked {}", _app(e)),
    AuditAction.APP_UNLOCK: lambda e: format_html("Unlocked {}", _app(e)),
    AuditAction.APP_RENAME: lambda e: format_html(
        "Renamed {} to <strong>{}</strong>", _b(e.before, "name", "?"), _b(e.after, "name", e.app_name)
    ),
    AuditAction.APP_TRANSFER: lambda e: format_html(
        "Transferred {} from {} to {}", _app(e), _b(e.before, "owner", "?"), _b(e.after, "owner", "?")
    ),
    AuditAction.TRANSFER_CREATE: lambda e: format_html("Offered {} to {}", _app(e), _who(e)),
    AuditAction.TRANSFER_DECLINE: lambda e: format_html("Declined {} from {}", _app(e), _who(e)),
    AuditAction.TRANSFER_CANCEL: lambda e: format_html("Withdrew the offer of {} to {}", _app(e), _who(e)),
    AuditAction.APP_DELETE: lambda e: format_html(
        "Deleted app <strong>{}</strong>", _b(e.before, "name", e.app_name)
    ),
    AuditAction.APP_MAINTENANCE: lambda e: format_html(
        "Turned maintenance mode {} on {}", "on" if _b(e.after, "maintenance") else "off", _app(e)
    ),
    AuditAction.CONFIG_UPDATE: _config,
    AuditAction.RELEASE_CREATE: lambda e: format_html(
        "Deployed v{} on {}: {}", _b(e.after, "version", "?"), _app(e), _b(e.after, "description", "")
    ),
    AuditAction.RELEASE_ROLLBACK: lambda e: format_html(
        "Rolled {} back to v{} (release v{})",
        _app(e),
        _b(e.after, "rolled_back_to", "?"),
        _b(e.after, "version", "?"),
    ),
    AuditAction.FORMATION_SCALE: _scale,
    AuditAction.DYNOS_RESTART: lambda e: format_html(
        "Restarted {} dyno(s) on {}", _b(e.after, "count", "the"), _app(e)
    ),
    AuditAction.DYNOS_STOP: lambda e: format_html(
        "Stopped {} dyno(s) on {}", _b(e.after, "count", "the"), _app(e)
    ),
    AuditAction.TOKEN_CREATE: lambda e: format_html("Created API token “{}”", _b(e.after, "name", "")),
    AuditAction.TOKEN_REVOKE: lambda e: format_html(
        "Revoked API token “{}” of {}", _b(e.before, "name", ""), _who(e)
    ),
}


def action_label(action: str) -> str:
    """The label people read for an action code (the code itself for an unknown one)."""
    return str(AuditAction(action).label) if action in AuditAction.values else action


def describe(event: AuditEvent) -> SafeString:
    """The event as one sentence with badges."""
    sentence = SENTENCES.get(event.action)
    if sentence is not None:
        try:
            return sentence(event)
        except (AttributeError, KeyError, TypeError):
            pass  # data of an unexpected shape: the generic description below
    changes = _changes(event.before, event.after)
    label = action_label(event.action)
    if event.target_email:
        return format_html(
            "{} for <strong>{}</strong>{}{}", label, event.target_email, ": " if changes else "", changes
        )
    return format_html("{}{}{}", label, ": " if changes else "", changes)
