"""Read-side questions, each answered in a fixed number of queries and in agreement with ``policy``.

- ``apps_visible_to(user)``: the apps a user may view (a queryset, for pagination);
- ``app_rows_for(user, apps)``: those apps with the user's effective permissions and the reason;
- ``app_access_rows(app)``: who has access to an app, with permissions and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.facts import access_for
from accessctl.access.policy import Access, Reason, TeamRole
from accessctl.identity.models import User
from apps.models import App, AppTransfer, Grant, TransferState
from teams.models import Membership


def visible_apps_filter(access: Access) -> Q:
    """A filter matching exactly the apps for which ``policy.resolve`` gives some permission."""
    if not access.is_active or access.user_id is None:
        return Q(pk__in=[])
    member_teams = [team_id for team_id, role in access.roles.items() if role in TeamRole.values]
    return Q(team_id__in=member_teams) | Q(pk__in=list(access.held())) | Q(owner_id=access.user_id)


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


@dataclass(frozen=True)
class AccessRow:
    """One user with access to an app. ``role`` is the team role, ``collaborator``, or ``owner``."""

    user: User
    role: str
    perms: list[p.AppPerm]
    reason: Reason
    temporary: Grant | None = None
    """The user's live temporary grant on the app (its expiry, who gave or approved it and why)."""

    @property
    def editable(self) -> bool:
        """Only explicit grants are edited; admins and owners hold everything through their role."""
        return self.reason == Reason.GRANT

    @property
    def from_admin_role(self) -> bool:
        return self.reason == Reason.ADMIN_ROLE


@dataclass(frozen=True)
class AppAccess:
    rows: list[AccessRow]
    implicit_viewers: int
    """Team members and viewers who see the app through their role only (summarised, not listed)."""


def app_access_rows(app: App) -> AppAccess:
    """Everyone with access to an app and why: team admins, grant holders, the owner. Three queries.

    Each row's permissions come from ``policy.resolve`` over that user's facts about this one app, at the
    current moment: an expired temporary grant gives nothing, deleted or not.
    """
    now = timezone.now()
    roles: dict[int, str] = {}
    users: dict[int, User] = {}
    grants: dict[int, frozenset[p.AppPerm]] = {}
    temporary: dict[int, Grant] = {}
    implicit = 0
    for grant in Grant.objects.filter(app=app).select_related("user", "granted_by", "request"):
        if grant.expires_at is None:
            grants[grant.user_id] = grant.permissions
        elif grant.expires_at > now:
            temporary[grant.user_id] = grant
        else:
            continue
        users[grant.user_id] = grant.user
    granted = [*grants, *temporary]
    if app.team_id:
        relevant = Q(role=TeamRole.ADMIN) | Q(user_id__in=granted)
        for membership in Membership.objects.filter(relevant, team_id=app.team_id).select_related("user"):
            roles[membership.user_id] = membership.role
            users[membership.user_id] = membership.user
        implicit = (
            Membership.objects.filter(team_id=app.team_id, user__is_active=True)
            .exclude(role=TeamRole.ADMIN)
            .exclude(user_id__in=granted)
            .count()
        )
    if app.owner is not None:
        users[app.owner.pk] = app.owner
    rows = []
    for user_id, user in users.items():
        facts = Access(
            user_id=user_id,
            is_active=user.is_active,
            roles={app.team_id: TeamRole(roles[user_id])} if app.team_id and user_id in roles else {},
            grants={app.pk: grants[user_id]} if user_id in grants else {},
            grant_teams={app.pk: app.team_id} if user_id in granted else {},
            temporary={app.pk: p.TemporaryGrant(t.permissions, t.expires_at)}
            if (t := temporary.get(user_id)) and t.expires_at
            else {},
            now=now,
        )
        perms, reason = p.resolve(facts, app)
        if not perms:
            continue
        role = "owner" if reason == Reason.OWNER else roles.get(user_id, p.COLLABORATOR)
        row = AccessRow(user, role, p.sorted_perms(perms), reason, temporary.get(user_id))
        rows.append(row)
    order = {Reason.ADMIN_ROLE: 1, Reason.OWNER: 0}
    rows.sort(key=lambda r: (order.get(r.reason, 2), r.user.email))
    return AppAccess(rows=rows, implicit_viewers=implicit)


PENDING_TRANSFERS_SHOWN = 20


def pending_transfers_for(user: Any) -> list[AppTransfer]:
    """The pending app transfers a person sent or was offered (newest first, at most 20), in one query."""
    return list(
        AppTransfer.objects.filter(state=TransferState.PENDING)
        .filter(Q(sender=user) | Q(recipient=user))
        .select_related("app", "sender", "recipient")[:PENDING_TRANSFERS_SHOWN]
    )
