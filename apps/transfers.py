"""Moving apps between owners: personal to team, team to team, team to user, personal to user (SPEC 9)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accessctl import audit
from accessctl import policy as p
from accessctl.access import forget_access
from accessctl.audit import Origin
from accessctl.errors import Conflict, NotFound
from apps.models import App, Grant
from apps.services import lock_app_row
from teams.models import Team
from teams.services import require, user_for_email

SAME_OWNER = "{app} already belongs to {owner}."
ONLY_OWNER = "Only the owner of a personal app can transfer it."
UNKNOWN_TEAM = "Couldn't find a team named {name}."


def _owner_label(app: App) -> str:
    return f"team:{app.team.name}" if app.team_id else app.owner.email


@transaction.atomic
def app_transfer(*, actor, app: App, recipient: str, origin: Origin) -> App:
    """Transfer an app to a team (by name) or a user (by e-mail).

    - personal app to a team: the owner, who may create apps there; they keep a grant with all permissions;
    - team app to another team: an admin of both teams; grants stay;
    - team app to a user: an admin of the team; the user becomes owner, every grant is removed;
    - personal app to another user: the owner; the previous owner stays on as a collaborator.
    """
    require(actor, p.VIEW_APP, app)
    app = lock_app_row(app)
    if app.team_id:
        require(actor, p.TRANSFER_OUT_TEAM, app.team)
    elif app.owner_id != actor.pk and actor.pk is not None:
        raise PermissionDenied(ONLY_OWNER)
    before = _owner_label(app)
    if "@" in recipient:
        _to_user(actor, app, user_for_email(recipient))
    else:
        team = Team.objects.filter(name=recipient).first()
        if team is None:
            raise NotFound(UNKNOWN_TEAM.format(name=recipient), field="owner")
        _to_team(actor, app, team)
    app.save()
    after = _owner_label(app)
    audit.record(
        actor=actor,
        action="app.transfer",
        origin=origin,
        app=app,
        before={"owner": before},
        after={"owner": after},
    )
    return app


def _to_team(actor, app: App, team: Team) -> None:
    if app.team_id == team.pk:
        raise Conflict(SAME_OWNER.format(app=app.name, owner=team.name), field="owner")
    if app.team_id:
        require(actor, p.TRANSFER_OUT_TEAM, team)
    else:
        require(actor, p.TRANSFER_IN_TEAM, team)
        previous_owner = app.owner
        Grant.objects.update_or_create(app=app, user=previous_owner, defaults={"permissions": p.ALL_PERMS})
        forget_access(previous_owner)
    app.team, app.owner = team, None


def _to_user(actor, app: App, user) -> None:
    if app.owner_id == user.pk:
        raise Conflict(SAME_OWNER.format(app=app.name, owner=user.email), field="owner")
    if app.team_id:
        app.grants.all().delete()
        app.locked, app.locked_by, app.locked_at = False, None, None
    else:
        app.grants.filter(user=user).delete()
        Grant.objects.create(app=app, user=app.owner, permissions=p.PERSONAL_COLLABORATOR_PERMS)
        forget_access(app.owner)
    forget_access(user)
    app.team, app.owner = None, user
