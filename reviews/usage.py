"""What a review item shows about use: last sign-in, last API token use, the last use of each permission, a
flag when something went unused for 90 days, and the changes made to the access while the review was open.

Three queries for all the items of a review. Use is read from the audit log through :data:`AUDIT_NEEDS`, the one
table that says which catalog action (SPEC 3 and 4) each audited action needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from django.db.models import Max
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access import reviews as review_rules
from accessctl.access.policy import APP_ACTIONS_BY_CODENAME, TEAM_ACTIONS_BY_CODENAME, AppPerm, TeamRole
from accessctl.audit.models import AuditAction, AuditEvent, AuditSource
from accessctl.identity.models import ApiToken
from reviews.models import AccessReview, ItemKind, ReviewItem

A = AuditAction
AUDIT_NEEDS: Mapping[str, str] = MappingProxyType(
    {
        # app actions: any one of the catalog action's permissions allowed them
        A.CONFIG_UPDATE: "edit_config_app",
        A.RELEASE_CREATE: "deploy_release_app",
        A.RELEASE_ROLLBACK: "rollback_app",
        A.DYNOS_RESTART: "restart_app",
        A.DYNOS_STOP: "restart_app",
        A.FORMATION_SCALE: "scale_app",
        A.APP_MAINTENANCE: "maintenance_app",
        A.APP_RENAME: "rename_app",
        A.APP_DELETE: "delete_app",
        A.APP_TRANSFER: "transfer_app",
        A.TRANSFER_CREATE: "transfer_app",
        A.GRANT_ADD: "manage_access_app",
        A.GRANT_UPDATE: "manage_access_app",
        A.GRANT_REMOVE: "manage_access_app",
        A.APP_LOCK: "lock_app",
        A.APP_UNLOCK: "lock_app",
        # team actions: the roles of the team action table allowed them
        A.APP_CREATE: "create_app_team",
        A.MEMBER_ADD: "manage_members",
        A.MEMBER_ROLE_CHANGE: "manage_members",
        A.MEMBER_REMOVE: "manage_members",
        A.TEAM_SETTINGS: "manage_settings_team",
        A.TEAM_SSO: "manage_settings_team",
    }
)
"""Audited action -> the catalog action (``APP_ACTIONS`` or ``TEAM_ACTIONS`` codename) it needed."""

ACCESS_CHANGES = (
    A.MEMBER_ADD, A.MEMBER_ROLE_CHANGE, A.MEMBER_REMOVE, A.GRANT_ADD, A.GRANT_UPDATE, A.GRANT_REMOVE,
    A.APP_JOIN, A.APP_LEAVE,
)  # fmt: skip


def perms_needed(action: str) -> frozenset[AppPerm]:
    """The app permissions of which any one allowed ``action`` (none for team actions and unmapped ones)."""
    action_def = APP_ACTIONS_BY_CODENAME.get(AUDIT_NEEDS.get(action, ""))
    return action_def.any_of if action_def else frozenset()


def admin_only_team_actions() -> frozenset[str]:
    """The mapped team actions that only admins may take: what an admin role is used for."""
    return frozenset(
        codename
        for codename in AUDIT_NEEDS.values()
        if codename in TEAM_ACTIONS_BY_CODENAME
        and TEAM_ACTIONS_BY_CODENAME[codename].roles == {TeamRole.ADMIN}
    )


@dataclass(frozen=True)
class Use:
    name: str
    last_used: datetime | None
    unused: bool


@dataclass(frozen=True)
class Usage:
    last_sign_in: datetime | None
    last_api_use: datetime | None
    uses: tuple[Use, ...]
    flagged: bool
    changes: tuple[str, ...]
    """The changes to this access made while the review was open, in words."""


def _latest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return max(present) if present else None


def _describe(event: AuditEvent) -> str:
    def words(value: object) -> str:
        if not isinstance(value, dict):
            return ""
        item = value.get("role", value.get("permissions", ""))
        return ", ".join(item) if isinstance(item, list) else str(item)

    label = AuditAction(event.action).label if event.action in AuditAction.values else event.action
    where = f" on {event.app_name}" if event.app_name else ""
    change = " → ".join(part for part in (words(event.before), words(event.after)) if part)
    when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
    return f"{when} {label}{where} by {event.actor_label}" + (f": {change}" if change else "")


def _item_usage(
    item: ReviewItem,
    used: Mapping[tuple[int | None, int | None, str], datetime],
    api: Mapping[int, datetime | None],
    changes: Mapping[tuple[int | None, int | None], list[str]],
    now: datetime,
) -> Usage:
    user = item.user
    sign_in = user.last_login if user is not None else None
    api_use = api.get(item.user_id or 0)
    active = _latest(sign_in, api_use)
    uses: list[Use] = []
    if item.kind == ItemKind.GRANT:
        on_app = {
            (action, t)
            for (actor, app, action), t in used.items()
            if actor == item.user_id and app == item.app_id
        }
        for perm in p.sorted_perms(item.permissions or ()):
            if perm == AppPerm.VIEW:
                last = _latest(active, *(t for _, t in on_app))
            else:
                last = _latest(*(t for action, t in on_app if perm in perms_needed(action)))
            uses.append(Use(str(perm), last, review_rules.unused_since(last, now)))
        non_view = [use for use in uses if use.name != AppPerm.VIEW]
        flagged = any(use.unused for use in non_view) if non_view else review_rules.unused_since(active, now)
        key: tuple[int | None, int | None] = (item.user_id, item.app_id)
    else:
        mine = {(action, t) for (actor, _, action), t in used.items() if actor == item.user_id}
        wanted = admin_only_team_actions() if item.role == TeamRole.ADMIN else frozenset()
        for codename in sorted(wanted):
            last = _latest(*(t for action, t in mine if AUDIT_NEEDS[action] == codename))
            uses.append(
                Use(
                    codename.removesuffix("_team").replace("_", " "),
                    last,
                    review_rules.unused_since(last, now),
                )
            )
        flagged = all(use.unused for use in uses) if uses else review_rules.unused_since(active, now)
        key = (item.user_id, None)
    return Usage(sign_in, api_use, tuple(uses), flagged, tuple(changes.get(key, ())))


def usage_for(review: AccessReview, items: Iterable[ReviewItem]) -> dict[int, Usage]:
    """Each item's usage, by item id. Items need ``user`` loaded. Three queries."""
    items = list(items)
    subjects = ReviewItem.objects.filter(review=review).values("user_id")
    now = review.closed_at or timezone.now()
    api = dict(
        ApiToken.objects.filter(user_id__in=subjects)
        .values("user_id")
        .annotate(last=Max("last_used_at"))
        .values_list("user_id", "last")
    )
    used: dict[tuple[int | None, int | None, str], datetime] = {
        (actor, app, action): last
        for actor, app, action, last in AuditEvent.objects.filter(
            team_id=review.team_id, actor_id__in=subjects, action__in=list(AUDIT_NEEDS)
        )
        .values("actor_id", "app_id", "action")
        .annotate(last=Max("created_at"))
        .values_list("actor_id", "app_id", "action", "last")
    }
    window = AuditEvent.objects.filter(
        team_id=review.team_id,
        target_user_id__in=subjects,
        action__in=ACCESS_CHANGES,
        created_at__gte=review.created_at,
    ).exclude(source=AuditSource.REVIEW)
    if review.closed_at is not None:
        window = window.filter(created_at__lte=review.closed_at)
    changes: dict[tuple[int | None, int | None], list[str]] = {}
    for event in window.order_by("created_at", "id"):
        is_role = event.action.startswith("member.")
        changes.setdefault((event.target_user_id, None if is_role else event.app_id), []).append(
            _describe(event)
        )
    return {item.pk: _item_usage(item, used, api, changes, now) for item in items}
