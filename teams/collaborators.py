"""Collaborators from the team Access page: pick one app, grant view; removing revokes their team grants."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Invalid, NotFound
from accessctl.audit.log import Origin
from accessctl.identity.models import User
from apps.models import App, Grant
from apps.services import app_grant_add
from teams.models import Membership, Team
from teams.services import revoke_team_grants

PICK_AN_APP = "Pick the app the collaborator will work on."
ALREADY_MEMBER = "{email} is a member of {team}. Give them app permissions on the app's Access page instead."


@transaction.atomic
def team_collaborator_add(*, actor: Any, team: Team, user: User, app: App | None, origin: Origin) -> Grant:
    """An admin adds someone outside the team to one team app, with the view permission only."""
    require(actor, p.MANAGE_MEMBERS, team)
    if app is None or app.team_id != team.pk:
        raise Invalid(PICK_AN_APP, field="app")
    if Membership.objects.filter(team=team, user=user).exists():
        raise Invalid(ALREADY_MEMBER.format(email=user.email, team=team.name), field="user")
    return app_grant_add(actor=actor, app=app, user=user, permissions=[p.AppPerm.VIEW], origin=origin)


@transaction.atomic
def team_collaborator_remove(*, actor: Any, team: Team, user: User, origin: Origin) -> list[str]:
    """An admin removes a collaborator from every app of the team. Returns the app names."""
    require(actor, p.MANAGE_MEMBERS, team)
    revoked = revoke_team_grants(actor=actor, team=team, user=user, origin=origin)
    if not revoked:
        raise NotFound(f"{user.email} is not a collaborator on any app of {team.name}.", field="user")
    return revoked
