"""Collaborators from the team Access page: pick one app, grant view; removing revokes their team grants."""

from __future__ import annotations

from django.db import transaction

from accessctl import policy as p
from accessctl.audit import Origin
from accessctl.errors import Invalid, NotFound
from apps.models import App, Grant
from apps.services import app_grant_add
from teams.models import Membership, Team
from teams.services import clean_email, require, revoke_team_grants, user_for_email

PICK_AN_APP = "Pick the app the collaborator will work on."
ALREADY_MEMBER = "{email} is a member of {team}. Give them app permissions on the app's Access page instead."


@transaction.atomic
def team_collaborator_add(*, actor, team: Team, email: str, app: App | None, origin: Origin) -> Grant:
    """An admin adds someone outside the team to one team app, with the view permission only."""
    require(actor, p.MANAGE_MEMBERS, team)
    if app is None or app.team_id != team.pk:
        raise Invalid(PICK_AN_APP, field="app")
    email = clean_email(email)
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise Invalid(ALREADY_MEMBER.format(email=email, team=team.name), field="email")
    return app_grant_add(actor=actor, app=app, email=email, permissions=[p.AppPerm.VIEW], origin=origin)


@transaction.atomic
def team_collaborator_remove(*, actor, team: Team, email: str, origin: Origin) -> list[str]:
    """An admin removes a collaborator from every app of the team. Returns the app names."""
    require(actor, p.MANAGE_MEMBERS, team)
    user = user_for_email(email)
    revoked = revoke_team_grants(actor=actor, team=team, user=user, origin=origin)
    if not revoked:
        raise NotFound(f"{user.email} is not a collaborator on any app of {team.name}.", field="email")
    return revoked
