"""Read-side questions about teams, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from accessctl.access import access_for
from accessctl.policy import COLLABORATOR
from teams.models import Team


@dataclass(frozen=True)
class TeamRow:
    team: Team
    role: str


def teams_for(user) -> list[TeamRow]:
    """The teams a user is in (by role) or collaborates with (by grant), with their role. One query."""
    access = access_for(user)
    team_ids = set(access.roles) | {t for t in access.grant_teams.values() if t is not None}
    teams = Team.objects.filter(pk__in=team_ids).order_by("name")
    return [TeamRow(team=team, role=access.role_in(team.pk) or COLLABORATOR) for team in teams]
