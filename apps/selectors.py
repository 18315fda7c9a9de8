"""Read-side questions, each answered in a fixed number of queries and in agreement with ``policy``.

- ``apps_visible_to(user)``: the apps a user may view (a queryset, for pagination);
- ``app_rows_for(user, apps)``: those apps with the user's effective permissions and the reason;
- ``app_access_people(app)`` / ``access_rows(app, people)``: who has access to an app (a queryset, for
  pagination), then those people with permissions and reason; ``app_access_rows(app)`` is all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value

from accessctl.access import policy as p
from accessctl.access.facts import access_for
from accessctl.access.policy import Access, Reason, TeamRole
from accessctl.identity.models import User
from apps.models import App, Grant
from teams.models import Membership


def visible_apps_filter(access: Access) -> Q:
    """A filter matching exactly the apps for which ``policy.resolve`` gives some permission."""
    if not access.is_active or access.user_id is None:
        return Q(pk__in=[])
    member_teams = [team_id for team_id, role in access.roles.items() if role in TeamRole.values]
    return Q(team_id__in=member_teams) | Q(pk__in=list(access.grants)) | Q(owner_id=access.user_id)


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


def app_access_people(app: App) -> QuerySet[User]:
    """The people an app's Access page lists, by e-mail: its team's admins, its grant holders and the owner of
    a personal app, active only (anyone else listed would resolve to no permissions). Each is annotated with
    ``app_team_role`` (``None`` outside the team) and ``app_grant`` (the granted set, ``None`` without a
    grant). One query, however it is sliced, so a keyset page of it costs one query.

    The people are picked by id from a ``UNION`` of the grant holders and the admins (a hash semi-join on a
    few hundred ids), not by ``EXISTS ... OR EXISTS`` over every user: that plan walks all users, and on
    PostgreSQL its cost estimate crosses ``jit_above_cost``, so compiling it took longer than running it.
    """
    grants = Grant.objects.filter(app=app).order_by()
    own_grant = grants.filter(user=OuterRef("pk"))
    role: Subquery | Value
    if app.team_id:
        memberships = Membership.objects.filter(team_id=app.team_id).order_by()
        admins = memberships.filter(role=TeamRole.ADMIN).values("user_id")
        listed = Q(pk__in=grants.values("user_id").union(admins))
        role = Subquery(memberships.filter(user=OuterRef("pk")).values("role")[:1])
    else:
        listed = Q(pk__in=grants.values("user_id"))
        if app.owner_id:
            listed |= Q(pk=app.owner_id)
        role = Value(None, output_field=CharField())
    permissions = Subquery(own_grant.values("permissions")[:1], output_field=Grant._meta.get_field("permissions"))
    people = User.objects.filter(listed, is_active=True)
    return people.annotate(app_team_role=role, app_grant=permissions).order_by("email")


def access_rows(app: App, people: Iterable[User]) -> list[AccessRow]:
    """Rows of people from :func:`app_access_people`, in their order, each with ``policy.resolve`` over that
    user's facts about this one app. No queries."""
    rows = []
    for user in people:
        role, granted = user.app_team_role, user.app_grant  # type: ignore[attr-defined]
        facts = Access(
            user_id=user.pk,
            is_active=user.is_active,
            roles={app.team_id: TeamRole(role)} if app.team_id and role else {},
            grants={app.pk: granted} if granted is not None else {},
            grant_teams={app.pk: app.team_id} if granted is not None else {},
        )
        perms, reason = p.resolve(facts, app)
        if perms:
            shown = "owner" if reason == Reason.OWNER else role or p.COLLABORATOR
            rows.append(AccessRow(user=user, role=shown, perms=p.sorted_perms(perms), reason=reason))
    return rows


def implicit_viewers(app: App) -> int:
    """Active team members and viewers without a grant on the app: they see it through their role only (the
    Access page's summary line). One ``COUNT`` on a team app, none on a personal one."""
    if not app.team_id:
        return 0
    granted = Grant.objects.filter(app=app, user=OuterRef("user_id")).order_by()
    return (
        Membership.objects.filter(team_id=app.team_id, user__is_active=True)
        .exclude(role=TeamRole.ADMIN)
        .filter(~Exists(granted))
        .order_by()
        .count()
    )


def app_access_row(app: App, user_id: int) -> AccessRow | None:
    """One person's row of the Access page (``None`` if they are not listed). One query."""
    rows = access_rows(app, app_access_people(app).filter(pk=user_id))
    return rows[0] if rows else None


def app_access_rows(app: App) -> AppAccess:
    """Everyone with access to an app and why: the owner, team admins, then grant holders by e-mail, and the
    count of implicit viewers. Two queries (the pages list :func:`app_access_people` a keyset page at a time).
    """
    rows = access_rows(app, app_access_people(app))
    order = {Reason.ADMIN_ROLE: 1, Reason.OWNER: 0}
    rows.sort(key=lambda r: (order.get(r.reason, 2), r.user.email))
    return AppAccess(rows=rows, implicit_viewers=implicit_viewers(app))
