"""Read-side questions, each answered in a fixed number of queries and in agreement with ``policy``.

- ``apps_visible_to(user)``: the apps a user may view (a queryset, for pagination);
- ``app_rows_for(user, apps)``: those apps with the user's effective permissions and the reason;
- who has access to an app, with permissions and reason: ``apps.selectors_access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accessctl.access import policy as p
from accessctl.access.facts import access_for
from accessctl.access.policy import Access, Reason, TeamRole
from apps.models import App, AppTransfer, TransferState


def visible_apps_filter(access: Access) -> Q:
    """A filter matching exactly the apps for which ``policy.resolve`` gives some permission."""
    if not access.is_active or access.user_id is None:
        return Q(pk__in=[])
    return visible_apps_of(*visible_ids(access), access.user_id)


def visible_ids(access: Access) -> tuple[list[int], list[int]]:
    """The teams whose apps an active user sees by role, and the apps they hold a live grant on."""
    return [team_id for team_id, role in access.roles.items() if role in TeamRole.values], list(access.held())


def visible_apps_of(team_ids: Any, app_ids: Any, user_id: Any) -> Q:
    """The apps of these teams, these apps and the user's own (values or prepared slots)."""
    return Q(team_id__in=team_ids) | Q(pk__in=app_ids) | Q(owner_id=user_id)


def apps_visible_to(user) -> QuerySet[App]:
    """Apps the user may view, ordered by name, with team and owner loaded."""
    return App.objects.filter(visible_apps_filter(access_for(user))).select_related("team", "owner")


@dataclass(frozen=True)
class AppRow:
    app: App
    perms: list[p.AppPerm]
    reason: Reason


def app_rows_for(user, apps) -> list[AppRow]:
    """Each app with the user's effective permissions (display order) and the reason. No queries."""
    access = access_for(user)
    rows = []
    for app in apps:
        perms, reason = p.resolve(access, app)
        rows.append(AppRow(app=app, perms=p.sorted_perms(perms), reason=reason))
    return rows


# Who has access to an app lives in ``apps.selectors_access``; these names stay importable from here.
from apps.selectors_access import AccessRow, AppAccess, app_access_rows  # noqa: E402

PENDING_TRANSFERS_SHOWN = 20


def transfers_of(user: Any) -> QuerySet[AppTransfer]:
    """The app transfers a person sent or was offered: nobody else may see them (SPEC 9)."""
    return AppTransfer.objects.filter(Q(sender=user) | Q(recipient=user)).select_related(
        "app", "sender", "recipient", "recipient_team", "previous_team"
    )


def pending_transfers_for(user: Any) -> list[AppTransfer]:
    """The pending app transfers a person sent or was offered (newest first, at most 20), in one query."""
    return list(transfers_of(user).filter(state=TransferState.PENDING)[:PENDING_TRANSFERS_SHOWN])


__all__ = [
    "AccessRow",
    "AppAccess",
    "AppRow",
    "app_access_rows",
    "app_rows_for",
    "apps_visible_to",
    "pending_transfers_for",
    "transfers_of",
    "visible_apps_filter",
]
