"""Read-side questions about teams, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accessctl.access.facts import access_for
from accessctl.access.policy import COLLABORATOR, TeamRole
from accessctl.access.prepared import (
    PreparedQuery,
    Slot,
    bound_list,
    instance,
    list_slots,
    related_columns,
    slot_list,
    with_related,
)
from accessctl.models import User
from apps.models import App, Grant
from teams.models import Membership, Team


@dataclass(frozen=True)
class TeamRow:
    team: Team
    role: str


def teams_for(user) -> list[TeamRow]:
    """The teams a user is in (by role) or collaborates with (by grant), with their role. One query."""
    access = access_for(user)
    team_ids = set(access.roles) | {t for a in access.held() if (t := access.grant_teams.get(a)) is not None}
    bound = bound_list("team", sorted(team_ids))
    if not team_ids or bound is None:  # none (no query, as the queryset runs none) or too many to prepare
        teams = list(teams_of(team_ids))
    else:
        rows = _TEAMS.rows((bound[0],), **bound[1])
        teams = [with_related(Team, ("sso_app",), row) for row in rows]
    return [TeamRow(team=team, role=access.role_in(team.pk) or COLLABORATOR) for team in teams]


def teams_of(team_ids: Any) -> QuerySet[Team]:
    """The teams of these ids by name, each with its SSO app (:func:`teams_for`'s list)."""
    return Team.objects.filter(pk__in=team_ids).select_related("sso_app").order_by("name")


def _teams(size: int, **slots: Slot) -> QuerySet[Any]:
    return teams_of(slot_list(slots, "team", size)).values_list(*related_columns(Team, ("sso_app",)))


# home and every app page's team menu: compiled once a process for each padded number of teams
_TEAMS = PreparedQuery(Team, _teams, **list_slots("team", Team._meta.pk))


def team_people(team: Team, *, role: str | None = None, search: str | None = None) -> QuerySet[User]:
    """Members and collaborators of a team, each annotated with ``team_role`` (``None`` for collaborators)
    and ``has_mfa``; SSO status is on the user (``last_sign_in_federated``, ``idp_amr``). One query a page.
    """
    people = _people(team, role)
    if search:
        people = people.filter(Q(email__icontains=search.strip()) | Q(name__icontains=search.strip()))
    return people


def _people(team: Any, role: str | None, now: Any = None) -> QuerySet[User]:
    """:func:`team_people` without the search; ``team`` may be a slot of the team's id, ``now`` a slot."""
    in_team = Exists(Membership.objects.filter(team=team, user=OuterRef("pk")))
    # A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS under OR into a hash of every live grant of the
    # team (20,000 rows, ~9 ms, paid whenever a page holds collaborators), where this probes the grant index
    # for each person the page reads (~0.05 ms each).
    a_team_grant = (
        Grant.objects.live(now).filter(app__team=team, user=OuterRef("pk")).order_by().values("pk")[:1]
    )
    people = (
        User.objects.alias(a_team_grant=Subquery(a_team_grant))
        .filter(in_team | Q(a_team_grant__isnull=False))
        .annotate(
            team_role=Subquery(
                Membership.objects.filter(team=team, user=OuterRef("pk")).order_by().values("role")[:1]
            ),
            has_mfa=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        )
        .order_by("email")
    )
    if role == COLLABORATOR:
        people = people.filter(~in_team)
    elif role in TeamRole.values:
        people = people.filter(team_role=role)
    return people


_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
_PERSON_FACTS = ("team_role", "has_mfa")


def _people_by_email(
    role: str | None, descending: bool, op: str | None, limit: int, columns: tuple[str, ...], **slots: Slot
) -> QuerySet[Any]:
    people = _people(slots["team"], role, slots["now"]).order_by("-email" if descending else "email")
    if op is not None:
        people = people.filter(**{f"email__{op}": slots["email"]})
    return people.values_list(*columns)[:limit]


# The Access page's people and the API's member list: building and compiling the subqueries cost more than
# running them. One compiled form per filter, direction, cursor comparison, page size and columns (a handful),
# the team, the moment of the live grants and the cursor bound per call.
_PEOPLE = PreparedQuery(
    User,
    _people_by_email,
    team=Team._meta.pk,
    now=Grant._meta.get_field("expires_at"),
    email=User._meta.get_field("email"),
)


def team_people_values(
    team: Team,
    columns: tuple[str, ...],
    *,
    role: str | None = None,
    descending: bool = False,
    op: str | None = None,
    email: str | None = None,
    limit: int,
) -> list[Any]:
    """The first ``limit`` rows of ``team_people(team, role=role)`` by e-mail (descending if asked), those whose
    e-mail is ``op`` (``gt``, ``gte``, ``lt``, ``lte``) ``email`` if ``op`` is given, as tuples of ``columns``
    (of the user and the annotations). One query."""
    if role not in TeamRole.values and role != COLLABORATOR:
        role = None
    shape = (role, descending, op, limit, columns)
    return list(_PEOPLE.rows(shape, team=team.pk, now=timezone.now(), email=email))


_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
_PERSON_FACTS = ("team_role", "has_mfa")


def team_people_page(
    team: Team, *, role: str | None, backwards: bool, after_email: str | None, limit: int
) -> list[User]:
    """What ``team_people(team, role=role)`` ordered by e-mail (descending when ``backwards``), past the
    e-mail ``after_email`` in that direction if given, would list in its first ``limit`` rows. One query."""
    op = None if after_email is None else "lt" if backwards else "gt"
    columns = (*_USER_COLUMNS, *_PERSON_FACTS)
    rows = team_people_values(
        team, columns, role=role, descending=backwards, op=op, email=after_email, limit=limit
    )
    split = len(_USER_COLUMNS)
    return [
        instance(User, _USER_COLUMNS, row[:split], **dict(zip(_PERSON_FACTS, row[split:], strict=True)))
        for row in rows
    ]


APP_SUGGESTIONS = 20


def team_app_suggestions(team: Team, query: str, limit: int = APP_SUGGESTIONS) -> list[App]:
    """At most ``limit`` team apps whose name contains ``query``, by name (the app picker). One query.

    App names are lowercase, so the query is lowered; names starting with it come first.
    """
    query = query.strip().lower()[:30]
    if not query:
        return []
    prefix_first = Case(When(name__startswith=query, then=Value(0)), default=Value(1))
    apps = App.objects.filter(team=team, name__contains=query).only("id", "name", "locked", "team_id")
    return list(apps.order_by(prefix_first, "name")[:limit])


def teams_with_page_facts() -> QuerySet[Team]:
    """Teams, each annotated with what its pages need beside the team row, so that it costs no query of its
    own: ``admin_count`` (the last-admin rule on every Access row) and ``has_apps`` (the collaborator panel's
    empty state).
    """
    admins = Membership.objects.filter(team=OuterRef("pk"), role=TeamRole.ADMIN).order_by().values("team")
    return Team.objects.annotate(
        admin_count=Coalesce(Subquery(admins.annotate(n=Count("pk")).values("n")[:1]), 0),
        has_apps=Exists(App.objects.filter(team=OuterRef("pk"))),
    )


TEAM_COLUMNS = tuple(field.attname for field in Team._meta.concrete_fields)
_PAGE_FACTS = ("admin_count", "has_apps")


def _team_named(page_facts: bool, name: Slot) -> QuerySet[Team]:
    teams = teams_with_page_facts() if page_facts else Team.objects.all()
    # what ``.first()`` runs: ordered by ``Meta.ordering``, one row
    return teams.filter(name=name).values_list(*TEAM_COLUMNS, *(_PAGE_FACTS if page_facts else ()))[:1]


# every team page and API call looks its team up by name: compiled once a process (the page facts' two
# subqueries cost more to build and compile than to run), the name bound per call
_TEAM_NAMED = PreparedQuery(Team, _team_named, name=Team._meta.get_field("name"))


def team_named(name: str, *, page_facts: bool = True) -> Team | None:
    """The team called ``name`` (``None`` if there is none), annotated as :func:`teams_with_page_facts`
    annotates it unless ``page_facts`` is off. One query."""
    rows = _TEAM_NAMED.rows((page_facts,), name=name)
    if not rows:
        return None
    row, split = rows[0], len(TEAM_COLUMNS)
    facts = dict(zip(_PAGE_FACTS, row[split:], strict=False)) if page_facts else {}
    return instance(Team, TEAM_COLUMNS, row[:split], **facts)


def team_admin_count(team: Team, *, fresh: bool = False) -> int:
    """How many admins the team has (the last-admin rule needs it): the loaded team's ``admin_count`` unless
    ``fresh`` (after a change on this request) or not annotated; otherwise one query.
    """
    loaded = getattr(team, "admin_count", None)
    if loaded is not None and not fresh:
        return loaded
    return Membership.objects.filter(team=team, role=TeamRole.ADMIN).count()


def team_grants_of(team: Team, user, limit: int | None = None) -> list[Grant]:
    """A user's grants on the team's apps by app name, at most ``limit`` (shown when removing them)."""
    found = Grant.objects.filter(app__team=team, user=user).select_related("app").order_by("app__name")
    return list(found if limit is None else found[:limit])


def membership_of(team: Team, email: str) -> Membership | None:
    """The membership of the account with this e-mail in the team, if any."""
    email = (email or "").strip()
    if not email:
        return None
    return Membership.objects.filter(team=team, user__email__iexact=email).select_related("user").first()
