"""Moving apps between owners: personal to team, team to team, team to user, personal to user (SPEC 9)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Conflict
from accessctl.access.facts import forget_access
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User
from apps.models import App, Grant
from apps.services import lock_app_row
from teams.models import Team

SAME_OWNER = "{app} already belongs to {owner}."


def _owner_label(app: App) -> str:
    return f"team:{app.team.name}" if app.team else app.owner.email  # type: ignore[union-attr]


@transaction.atomic
def app_transfer(*, actor: Any, app: App, recipient: Team | User, origin: Origin) -> App:
    """Transfer an app to a team or a user. Who may move the app is the rules' ``TRANSFER_APP``: for a team
    app its team's admins, for a personal app its owner. The destination decides the rest:

    - personal app to a team: the owner, who may create apps there; they keep a grant with all permissions;
    - team app to another team: an admin of both teams; grants stay;
    - team app to a user: the user becomes owner, every grant is removed and the lock goes;
    - personal app to another user: the previous owner stays on as a collaborator.
    """
    require(actor, p.VIEW_APP, app)
    app = lock_app_row(app)
    require(actor, p.TRANSFER_APP, app)
    before = _owner_label(app)
    if isinstance(recipient, Team):
        _to_team(actor, app, recipient)
    else:
        _to_user(app, recipient)
    app.save()
    audit.record(
        actor=actor,
        action=AuditAction.APP_TRANSFER,
        origin=origin,
        app=app,
        before={"owner": before},
        after={"owner": _owner_label(app)},
    )
    return app


def _to_team(actor: Any, app: App, team: Team) -> None:
    if app.team_id == team.pk:
        raise Conflict(SAME_OWNER.format(app=app.name, owner=team.name), field="recipient")
    if app.team_id:
        require(actor, p.TRANSFER_OUT_TEAM, team)
    else:
        require(actor, p.TRANSFER_IN_TEAM, team)
        previous_owner = app.owner
        assert previous_owner is not None  # a personal app always has an owner (a check constraint)
        Grant.objects.update_or_create(
            app=app, user=previous_owner, expires_at=None, defaults={"permissions": p.ALL_PERMS}
        )
        forget_access(previous_owner)
    app.team, app.owner = team, None


def _to_user(app: App, user: User) -> None:
    if app.owner_id == user.pk:
        raise Conflict(SAME_OWNER.format(app=app.name, owner=user.email), field="recipient")
    if app.team_id:
        app.grants.all().delete()
        app.locked, app.locked_by, app.locked_at = False, None, None
    else:
        previous_owner = app.owner
        assert previous_owner is not None  # a personal app always has an owner (a check constraint)
        app.grants.filter(user=user).delete()
        Grant.objects.create(app=app, user=previous_owner, permissions=p.PERSONAL_COLLABORATOR_PERMS)
        forget_access(previous_owner)
    forget_access(user)
    app.team, app.owner = None, user
