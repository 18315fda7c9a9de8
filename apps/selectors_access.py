"""Who has access to an app and why (its Access page), a keyset page at a time and in a fixed number of queries.

- ``app_access_people(app)``: the people the page lists (a queryset, for keyset pagination), each carrying
  their team role, their permanent grant and their live temporary grant (end, reason, who gave it);
- ``access_rows(app, people)``: those people with ``policy.resolve``'s permissions and reason, no query;
- ``with_implicit_viewers(apps)``: the app row annotated with the page's "other team members" count;
- ``app_access_rows(app)``: everyone at once (tests, bench).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    Expression,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.policy import Access, Reason, TeamRole
from accessctl.access.prepared import PreparedAnnotation
from accessctl.identity.models import User
from apps.models import App, Grant
from teams.models import Membership

TEMPORARY_FIELDS = (
    "permissions",
    "expires_at",
    "reason",
    "request_id",
    "granted_by_id",
    "granted_by__email",
)


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


def app_access_people(app: App, *, now: datetime | None = None) -> QuerySet[User]:
    """The people an app's Access page lists, by e-mail: its team's admins, the holders of a live grant
    (permanent or temporary) and the owner of a personal app, active only. Each carries ``app_team_role``
    (``None`` outside the team), ``app_grant`` (the permanent set or ``None``) and ``temp_*`` (their live
    temporary grant's fields, ``temp_permissions`` ``None`` without one). One query, however it is sliced.

    The people are picked by id from a ``UNION`` of grant holders and admins: an ``EXISTS ... OR EXISTS``
    over every user made PostgreSQL walk the whole user table for a 51-row page. The team role and the
    permanent grant stay correlated subqueries, which the databases evaluate for the page's rows only (after
    the sort and limit): as ``LEFT JOIN`` every listed person was joined first, and a 51-row page of the
    500-grant app took 2.7 instead of 1.6 ms in PostgreSQL, 0.9 instead of 0.6 ms in SQLite.
    """
    now = now or timezone.now()
    return access_people(
        app.pk, app.team_id, app.owner_id, now, team=bool(app.team_id), owner=bool(app.owner_id)
    )


def access_people(
    app_id: Any, team_id: Any, owner_id: Any, now: Any, *, team: bool, owner: bool
) -> QuerySet[User]:
    """:func:`app_access_people` of the app of these ids (values or prepared slots) with or without a ``team``
    and an ``owner``."""
    permanent = Grant.objects.filter(app_id=app_id, expires_at=None).order_by()
    ids = Grant.objects.live(now).filter(app_id=app_id).order_by().values("user_id")
    role: Subquery | Value
    if team:
        admins = Membership.objects.filter(team_id=team_id, role=TeamRole.ADMIN).order_by().values("user_id")
        listed = Q(pk__in=ids.union(admins))
        mine = Membership.objects.filter(team_id=team_id, user=OuterRef("pk")).order_by()
        role = Subquery(mine.values("role")[:1])
    else:
        listed = Q(pk__in=ids) | Q(pk=owner_id) if owner else Q(pk__in=ids)
        role = Value(None, output_field=CharField())
    field = Grant._meta.get_field("permissions")
    annotations: dict = {
        "app_team_role": role,
        "app_grant": Subquery(
            permanent.filter(user=OuterRef("pk")).values("permissions")[:1], output_field=field
        ),
    }
    # the live temporary grant is at most one row a person (a partial unique constraint): one LEFT JOIN for
    # its six columns instead of six correlated subqueries
    live_temporary = FilteredRelation(
        "grants", condition=Q(grants__app_id=app_id, grants__expires_at__gt=now)
    )
    annotations.update({f"temp_{name}": F(f"temporary__{name}") for name in TEMPORARY_FIELDS})
    people = User.objects.filter(listed, is_active=True).annotate(temporary=live_temporary)
    return people.annotate(**annotations).order_by("email")


def _temporary_of(app: App, user: User) -> Grant | None:
    """The live temporary grant a person row carries, as an unsaved ``Grant`` (its giver's e-mail loaded)."""
    perms = user.temp_permissions  # type: ignore[attr-defined]
    if perms is None:
        return None
    grant = Grant(
        app_id=app.pk,
        user_id=user.pk,
        permissions=perms,
        expires_at=user.temp_expires_at,  # type: ignore[attr-defined]
        reason=user.temp_reason,  # type: ignore[attr-defined]
        request_id=user.temp_request_id,  # type: ignore[attr-defined]
    )
    if user.temp_granted_by_id is not None:  # type: ignore[attr-defined]
        grant.granted_by = User(pk=user.temp_granted_by_id, email=user.temp_granted_by__email)  # type: ignore[attr-defined]
    return grant


def access_rows(app: App, people: Iterable[User], *, now: datetime | None = None) -> list[AccessRow]:
    """Rows of people from :func:`app_access_people`, in their order, each with ``policy.resolve`` over that
    user's facts about this one app at ``now``. No queries.

    ``resolve`` is pure, and on one app at one moment its answer depends only on the facts in ``_decided``'s
    key; hundreds of rows share a handful of them, so it is asked once for each distinct set of facts.
    """
    now = now or timezone.now()
    answers: dict[tuple, tuple[list[p.AppPerm], Reason, str] | None] = {}
    rows = []
    for user in people:
        temporary = _temporary_of(app, user)
        key = (
            user.is_active,
            user.pk == app.owner_id,
            user.app_team_role,  # type: ignore[attr-defined]
            user.app_grant,  # type: ignore[attr-defined]
            None if temporary is None else (temporary.permissions, temporary.expires_at),
        )
        if key not in answers:
            answers[key] = _decided(app, user, temporary, now)
        answer = answers[key]
        if answer is not None:
            perms, reason, shown = answer
            rows.append(AccessRow(user, shown, list(perms), reason, temporary))
    return rows


def _decided(
    app: App, user: User, temporary: Grant | None, now: datetime
) -> tuple[list[p.AppPerm], Reason, str] | None:
    """The rules' answer for one person row (``None`` without access): sorted permissions, reason, role shown."""
    role, granted = user.app_team_role, user.app_grant  # type: ignore[attr-defined]
    facts = Access(
        user_id=user.pk,
        is_active=user.is_active,
        roles={app.team_id: TeamRole(role)} if app.team_id and role else {},
        grants={app.pk: granted} if granted is not None else {},
        grant_teams={app.pk: app.team_id} if granted is not None or temporary is not None else {},
        temporary={app.pk: p.TemporaryGrant(temporary.permissions, temporary.expires_at)}
        if temporary is not None and temporary.expires_at
        else {},
        now=now,
    )
    perms, reason = p.resolve(facts, app)
    if not perms:
        return None
    shown = "owner" if reason == Reason.OWNER else role or p.COLLABORATOR
    return p.sorted_perms(perms), reason, shown


def implicit_viewers_expression(now: Any) -> Coalesce:
    """The ORM expression of :func:`implicit_viewers_count` at ``now`` (a value or a prepared slot)."""
    grants = Grant.objects.filter(app_id=OuterRef(OuterRef("pk")), user_id=OuterRef("user_id")).order_by()
    members = (
        Membership.objects.filter(team_id=OuterRef("team_id"), user__is_active=True)
        .exclude(role=TeamRole.ADMIN)
        # a live grant is permanent or not yet expired; two NOT EXISTS, each a probe of its own partial unique
        # index, instead of one whose OR made SQLite probe both indexes in one step (a quarter slower)
        .filter(~Exists(grants.filter(expires_at=None)), ~Exists(grants.filter(expires_at__gt=now)))
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members[:1]), 0)


# compiled once a process and database (compiling it cost about what running it does); only ``now`` is bound
_IMPLICIT_VIEWERS = PreparedAnnotation(
    App, Grant._meta.get_field("expires_at"), implicit_viewers_expression, output_field=IntegerField()
)


def implicit_viewers_count(*, now: datetime | None = None) -> Expression:
    """An annotation for an app row: its team's active members and viewers without a live grant on it, who
    see it through their role only (the Access page's summary line); 0 for a personal app."""
    return _IMPLICIT_VIEWERS.bind(now or timezone.now())


def with_implicit_viewers(apps: QuerySet[App]) -> QuerySet[App]:
    """``apps`` annotated with ``implicit_viewers`` (see :func:`implicit_viewers_count`)."""
    return apps.annotate(implicit_viewers=implicit_viewers_count())


def implicit_viewers_of(app: App) -> int:
    """The app's implicit-viewer count: its ``implicit_viewers`` annotation if loaded, else one query."""
    loaded = getattr(app, "implicit_viewers", None)
    if loaded is not None or not app.team_id:
        return loaded or 0
    annotated = with_implicit_viewers(App.objects.filter(pk=app.pk)).get()
    return int(annotated.implicit_viewers)  # type: ignore[attr-defined]


def app_access_row(app: App, user_id: int) -> AccessRow | None:
    """One person's row of the Access page (``None`` if they are not listed). One query."""
    rows = access_rows(app, app_access_people(app).filter(pk=user_id))
    return rows[0] if rows else None


def app_access_rows(app: App) -> AppAccess:
    """Everyone with access to an app and why: the owner, team admins, then grant holders by e-mail, and the
    count of implicit viewers. Two queries (the page lists :func:`app_access_people` a keyset page at a time).
    """
    rows = access_rows(app, app_access_people(app))
    order = {Reason.ADMIN_ROLE: 1, Reason.OWNER: 0}
    rows.sort(key=lambda r: (order.get(r.reason, 2), r.user.email))
    return AppAccess(rows=rows, implicit_viewers=implicit_viewers_of(app))
