"""The access matrix (SPEC 18): a team's people x its apps, each cell the permissions ``policy.resolve`` gives.

Three queries whatever the size (the team's apps; its people with their roles; the grants on its apps), then
every cell is computed in memory from each person's facts, as ``apps.selectors.app_access_rows`` does for one
app, so a cell always equals ``user.has_perm("apps.<perm>_app", app)``. Pages are cut from the computed rows
in both directions (people and apps), so filters by permission see the whole team.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from django.db.models import Exists, OuterRef, Subquery

from accessctl.access import policy as p
from accessctl.access.policy import Access, AppPerm, Reason, TeamRole
from accessctl.identity.models import User
from apps.models import App, Grant
from teams.models import Membership, Team

EXPIRY_FIELD = "expires_at"
HAS_EXPIRY = any(f.name == EXPIRY_FIELD for f in Grant._meta.concrete_fields)
"""Temporary grants (SPEC 17) carry an expiry; the matrix shows it once the Grant model has the field."""


@dataclass(frozen=True)
class Cell:
    """What one person holds on one app: their permissions, ``admin`` through the role, and any expiry."""

    perms: tuple[AppPerm, ...] = ()
    admin: bool = False
    expires_at: datetime | None = None

    @property
    def text(self) -> str:
        """The cell as text (CSV): ``admin``, ``view deploy``, ``view until 2026-01-31``, or empty."""
        words = "admin" if self.admin else " ".join(str(perm) for perm in self.perms)
        if words and self.expires_at is not None:
            words += f" until {self.expires_at:%Y-%m-%d %H:%M}"
        return words


EMPTY = Cell()


@dataclass
class Person:
    """One row: a person of the team, their role (``collaborator`` without one) and their facts."""

    user_id: int
    email: str
    is_active: bool
    role: str
    facts: Access
    expiries: dict[int, datetime | None] = field(default_factory=dict)

    def cell(self, app: App) -> Cell:
        perms, reason = p.resolve(self.facts, app)
        if not perms:
            return EMPTY
        if reason == Reason.ADMIN_ROLE:
            return Cell(perms=tuple(p.sorted_perms(perms)), admin=True)
        return Cell(perms=tuple(p.sorted_perms(perms)), expires_at=self.expiries.get(app.pk))

    def cells(self, apps: Sequence[App]) -> list[Cell]:
        return [self.cell(app) for app in apps]


@dataclass(frozen=True)
class Matrix:
    apps: list[App]
    """The apps that pass the app-name filter, by name."""
    people: list[Person]
    """The people who pass the role and permission filters, by e-mail."""


def _grants(team: Team) -> dict[int, list[tuple[int, frozenset[AppPerm], datetime | None]]]:
    fields = ["user_id", "app_id", "permissions", *([EXPIRY_FIELD] if HAS_EXPIRY else [])]
    to_perms = Grant._meta.get_field("permissions").to_python
    found: dict[int, list[tuple[int, frozenset[AppPerm], datetime | None]]] = {}
    for row in Grant.objects.filter(app__team=team).values_list(*fields):
        expires = row[3] if HAS_EXPIRY else None
        found.setdefault(row[0], []).append((row[1], to_perms(row[2]) or frozenset(), expires))
    return found


def team_people_facts(team: Team) -> list[Person]:
    """Everyone with a role in the team or a grant on its apps, with their facts about this team. 2 queries."""
    grants = _grants(team)
    in_team = Exists(Membership.objects.filter(team=team, user=OuterRef("pk")))
    collaborates = Exists(Grant.objects.filter(app__team=team, user=OuterRef("pk")))
    role = Subquery(Membership.objects.filter(team=team, user=OuterRef("pk")).values("role")[:1])
    rows = (
        User.objects.filter(in_team | collaborates)
        .annotate(team_role=role)
        .order_by("email")
        .values_list("pk", "email", "is_active", "team_role")
    )
    people = []
    for user_id, email, is_active, team_role in rows:
        held = grants.get(user_id, [])
        facts = Access(
            user_id=user_id,
            is_active=is_active,
            roles=MappingProxyType({team.pk: TeamRole(team_role)} if team_role else {}),
            grants=MappingProxyType({app_id: perms for app_id, perms, _ in held}),
            grant_teams=MappingProxyType({app_id: team.pk for app_id, _, _ in held}),
        )
        expiries = {app_id: expires for app_id, _, expires in held}
        people.append(Person(user_id, email, is_active, team_role or p.COLLABORATOR, facts, expiries))
    return people


def team_matrix(
    team: Team, *, role: str | None = None, app_name: str | None = None, perm: AppPerm | None = None
) -> Matrix:
    """The team's matrix, filtered: by role (``collaborator`` included), by app name (contains), and by a
    permission (people who hold it on at least one of the shown apps). Three queries.
    """
    apps = App.objects.filter(team=team).order_by("name")
    if app_name:
        apps = apps.filter(name__icontains=app_name.strip())
    shown = list(apps)
    people = team_people_facts(team)
    if role:
        people = [person for person in people if person.role == role]
    if perm is not None:
        people = [person for person in people if any(perm in person.cell(app).perms for app in shown)]
    return Matrix(apps=shown, people=people)


def matrix_lines(matrix: Matrix) -> Iterator[list[str]]:
    """The whole matrix as rows of text cells, header first: e-mail, role, then one column per app."""
    yield ["email", "role", *(app.name for app in matrix.apps)]
    for person in matrix.people:
        yield [person.email, person.role, *(cell.text for cell in person.cells(matrix.apps))]
