"""Loading a user's access facts: one query, once per request, memoised on the user object.

Temporary grants are kept with their expiry, and the snapshot is given the current moment each time it is
asked for, so a temporary grant stops counting the instant it expires, even within one request.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from django.db.models import BigIntegerField, CharField, DateTimeField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from accessctl.access.policy import NO_ACCESS, Access, AppPerm, TeamRole, TemporaryGrant
from accessctl.access.prepared import PreparedQuery, Slot
from accessctl.access.roles import sorted_perms
from apps.models import Grant
from teams.models import Membership

_CACHE_ATTR = "_accessctl_access"
_NOTES_ATTR = "_accessctl_temporary_notes"


@dataclass(frozen=True)
class TemporaryNote:
    """What the home page shows of one of the user's temporary grants ("your temporary access")."""

    app_name: str
    perms: frozenset[AppPerm]
    expires_at: datetime
    reason: str
    from_request: bool
    given_by: str | None
    """The e-mail of who gave or approved it (``None`` once that account is gone)."""

    @property
    def perm_list(self) -> list[AppPerm]:
        return sorted_perms(self.perms)


def access_for(user: Any) -> Access:
    """The user's :class:`Access` snapshot (team roles and grants), cached on the user object.

    Anonymous, unsaved and inactive users get ``NO_ACCESS`` without a query.
    """
    cached: Access | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None and user.is_active:  # only saved, signed-in users ever carry a snapshot
        return dataclasses.replace(cached, now=timezone.now()) if cached.temporary else cached
    if user is None or not getattr(user, "is_authenticated", False) or not user.pk or not user.is_active:
        return NO_ACCESS
    access, notes = _load(user.pk)
    setattr(user, _CACHE_ATTR, access)
    setattr(user, _NOTES_ATTR, notes)
    return access


def temporary_notes_for(user: Any) -> list[TemporaryNote]:
    """The user's live temporary grants, soonest end first, read by the same query as :func:`access_for`."""
    access = access_for(user)
    notes: dict[int, TemporaryNote] = getattr(user, _NOTES_ATTR, {})
    live = [note for app_id, note in notes.items() if access.temporary[app_id].live_at(access.now)]
    return sorted(live, key=lambda note: (note.expires_at, note.app_name))


def _facts_query(user_id: Slot) -> QuerySet[Any]:
    """One ``UNION ALL`` of rows ``(id, team_id, value, expires_at, kind, app name, reason, request, giver)``:
    for a membership ``(team_id, team_id, role, NULL, 0, NULL...)``, for a permanent grant ``(app_id, app's
    team_id, permissions, NULL, 1, NULL...)``, for a temporary grant the same with its end and kind 2, plus
    what "your temporary access" shows of it (only these rows join the giver's account). ``order_by()`` drops
    the models' ``Meta.ordering``, which would join the user and team tables.
    """
    text = {name: Value(None, output_field=CharField()) for name in ("app_name", "note", "giver")}
    # a typed NULL: PostgreSQL types two untyped NULLs as text, which a bigint in the third branch then refuses
    blank = {**text, "via_request": Cast(Value(None), output_field=BigIntegerField())}
    columns = ("app_name", "note", "via_request", "giver")
    memberships = (
        Membership.objects.filter(user_id=user_id)
        .order_by()
        .annotate(
            kind=Value(0, output_field=IntegerField()),
            ends=Value(None, output_field=DateTimeField()),
            **blank,
        )
        .values_list("team_id", "team_id", "role", "ends", "kind", *columns)
    )
    grants = Grant.objects.filter(user_id=user_id).order_by()
    permanent = (
        grants.filter(expires_at=None)
        .annotate(kind=Value(1, output_field=IntegerField()), **blank)
        .values_list("app_id", "app__team_id", "permissions", "expires_at", "kind", *columns)
    )
    temporary = (
        grants.filter(expires_at__isnull=False)
        .annotate(
            kind=Value(2, output_field=IntegerField()),
            app_name=F("app__name"),
            note=F("reason"),
            via_request=F("request_id"),
            giver=F("granted_by__email"),
        )
        .values_list("app_id", "app__team_id", "permissions", "expires_at", "kind", *columns)
    )
    return memberships.union(permanent, temporary, all=True)


# compiled once a process and database: compiling the three branches cost more than running them
_FACTS = PreparedQuery(Membership, _facts_query, user_id=Membership._meta.get_field("user").target_field)


def _load(user_id: int) -> tuple[Access, dict[int, TemporaryNote]]:
    """Run the facts query (see :func:`_facts_query`) for one user and build the snapshot from its rows.
    Expired temporary grants that no job has deleted yet are kept: the rules see that they expired.
    """
    roles: dict[int, TeamRole] = {}
    held: dict[int, frozenset[AppPerm]] = {}
    until: dict[int, TemporaryGrant] = {}
    grant_teams: dict[int, int | None] = {}
    notes: dict[int, TemporaryNote] = {}
    to_perms = Grant._meta.get_field("permissions").to_python
    for object_id, team_id, value, expires_at, kind, name, note, via, giver in _FACTS.rows(user_id=user_id):
        if kind == 0:
            roles[object_id] = TeamRole(value)
            continue
        perms = to_perms(value) or frozenset()
        if expires_at is None:
            held[object_id] = perms
        else:
            until[object_id] = TemporaryGrant(perms, expires_at)
            notes[object_id] = TemporaryNote(name, perms, expires_at, note or "", via is not None, giver)
        grant_teams[object_id] = team_id
    access = Access(
        user_id=user_id,
        roles=MappingProxyType(roles),
        grants=MappingProxyType(held),
        grant_teams=MappingProxyType(grant_teams),
        temporary=MappingProxyType(until),
        now=timezone.now(),
    )
    return access, notes


def forget_access(user: Any) -> None:
    """Drop the memoised snapshot, after a change to this user's roles or grants."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if user is not None and hasattr(user, _NOTES_ATTR):
        delattr(user, _NOTES_ATTR)
