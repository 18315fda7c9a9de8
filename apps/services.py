"""Every change to an app's existence, ownership and access list. One transaction and one audit event each.

Services that change an app's grants or lock state lock the app row first (``select_for_update``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Conflict, Invalid, NotFound
from accessctl.access.facts import access_for, forget_access
from accessctl.access.names import NAME_RULE, validate_name
from accessctl.access.policy import ALL_PERMS, AppPerm, TeamRole
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User
from apps.models import App, Formation, Grant, Release, grants_snapshot
from teams.models import Membership, Team

NAME_TAKEN = "Name is already taken"
BAD_APP_NAME = f"App names use {NAME_RULE}."
ALREADY_LOCKED = "This app is already locked."
NOT_LOCKED = "This app is not locked."
PERSONAL_NOT_LOCKABLE = "Only team apps can be locked. {app} is a personal app."
LOCKED_NO_JOIN = "{app} is locked. Ask a team admin or someone with the manage permission on it to add you."
CANNOT_JOIN = "Only team members can join unlocked team apps; team admins already have full access."
ALREADY_COLLABORATOR = "{email} already has access to {app}. Change their permissions instead."
NO_GRANT = "{email} is not a collaborator on {app}."
PERSONAL_PERMISSIONS = "Permissions can only be set on team apps. {app} is a personal app."
OWNER_GRANT = "{email} owns {app} and already has every permission."
ADMIN_GRANT = "{email} is an admin of {team} and already has every permission on its apps."


def lock_app_row(app: App) -> App:
    """Re-read the app with a row lock, for the rest of the transaction."""
    return App.objects.select_for_update(of=("self",)).select_related("team", "owner").get(pk=app.pk)


def _perms(value: Iterable[str], field: str = "permissions") -> frozenset[AppPerm]:
    try:
        return p.normalize_perms(value)
    except ValueError as error:
        raise Invalid(str(error), field=field) from None


def check_app_name(name: str) -> str:
    try:
        validate_name(name)
    except Exception:
        raise Invalid(BAD_APP_NAME, field="name") from None
    return name


def _generate_name() -> str:
    while True:
        name = f"app-{secrets.token_hex(4)}"
        if not App.objects.filter(name=name).exists():
            return name


@transaction.atomic
def app_create(
    *, actor: Any, origin: Origin, name: str | None = None, team: Team | None = None, **attrs: Any
) -> App:
    """Create a team app (the creator gets a grant with all four permissions) or a personal app of the actor.

    New apps start with one ``web`` dyno and an initial release.
    """
    if team is not None:
        require(actor, p.CREATE_APP_TEAM, team)
    name = check_app_name(name) if name else _generate_name()
    if App.objects.filter(name=name).exists():
        raise Conflict(NAME_TAKEN, field="name")
    app = App.objects.create(
        name=name,
        team=team,
        owner=None if team is not None else actor,
        created_by=actor if actor.pk else None,
        **attrs,
    )
    if team is not None and actor.pk:
        Grant.objects.create(app=app, user=actor, permissions=ALL_PERMS, granted_by=actor)
        forget_access(actor)
    Formation.objects.create(app=app, type="web", quantity=1, command="gunicorn app.wsgi")
    Release.objects.create(
        app=app, version=1, description="Initial release", user=actor if actor.pk else None
    )
    audit.record(actor=actor, action=AuditAction.APP_CREATE, origin=origin, app=app, after={"name": name})
    return app


@transaction.atomic
def app_grant_add(
    *, actor: Any, app: App, user: User, origin: Origin, permissions: Iterable[str] = (AppPerm.VIEW,)
) -> Grant:
    """Give a user access to an app. On personal apps collaborators always get view, deploy and operate."""
    require(actor, p.MANAGE_ACCESS_APP, app)
    perms = _perms(permissions) if app.team_id else p.PERSONAL_COLLABORATOR_PERMS
    app = lock_app_row(app)
    if app.owner_id == user.pk:
        raise Conflict(OWNER_GRANT.format(email=user.email, app=app.name), field="user")
    if app.team and Membership.objects.filter(team=app.team, user=user, role=TeamRole.ADMIN).exists():
        raise Conflict(ADMIN_GRANT.format(email=user.email, team=app.team.name), field="user")
    if Grant.objects.permanent().filter(app=app, user=user).exists():
        raise Conflict(ALREADY_COLLABORATOR.format(email=user.email, app=app.name), field="user")
    grant = Grant.objects.create(
        app=app, user=user, permissions=perms, granted_by=actor if actor.pk else None
    )
    audit.record(
        actor=actor,
        action=AuditAction.GRANT_ADD,
        origin=origin,
        app=app,
        target_user=user,
        after={"permissions": p.sorted_perms(perms)},
    )
    forget_access(user)
    return grant


@transaction.atomic
def app_grant_update(
    *, actor: Any, app: App, user: User, permissions: Iterable[str], origin: Origin
) -> Grant:
    """Replace a grant's permissions (``view`` stays). Only on team apps."""
    require(actor, p.MANAGE_ACCESS_APP, app)
    if not app.team_id:
        raise Invalid(PERSONAL_PERMISSIONS.format(app=app.name), field="permissions")
    perms = _perms(permissions)
    app = lock_app_row(app)
    grant = _grant_of(app, user)
    before = grant.permissions
    if before != perms:
        grant.permissions = perms
        grant.save(update_fields=["permissions", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.GRANT_UPDATE,
            origin=origin,
            app=app,
            target_user=grant.user,
            before={"permissions": p.sorted_perms(before)},
            after={"permissions": p.sorted_perms(perms)},
        )
    forget_access(grant.user)
    forget_access(actor)
    return grant


@transaction.atomic
def app_grant_remove(*, actor: Any, app: App, user: User, origin: Origin) -> Grant:
    """Take a user's grants (permanent and temporary) on the app away."""
    require(actor, p.MANAGE_ACCESS_APP, app)
    app = lock_app_row(app)
    grants = list(Grant.objects.filter(app=app, user=user).select_related("user"))
    if not grants:
        raise NotFound(NO_GRANT.format(email=user.email, app=app.name), field="user")
    Grant.objects.filter(pk__in=[g.pk for g in grants]).delete()
    grant = grants[0]
    before = grants_snapshot(grants)
    audit.record(
        actor=actor, action=AuditAction.GRANT_REMOVE, origin=origin, app=app, target_user=user, before=before
    )
    forget_access(grant.user)
    forget_access(actor)
    return grant


def _grant_of(app: App, user: User) -> Grant:
    grant = Grant.objects.permanent().filter(app=app, user=user).select_related("user").first()
    if grant is None:
        raise NotFound(NO_GRANT.format(email=user.email, app=app.name), field="user")
    return grant


@transaction.atomic
def app_join(*, actor: Any, app: App, origin: Origin) -> Grant:
    """A member joins an unlocked team app and receives the team's join permissions."""
    app = lock_app_row(app)
    if not actor.has_perm(p.JOIN_APP, app):
        if app.locked and actor.has_perm(p.VIEW_APP, app):
            raise Conflict(LOCKED_NO_JOIN.format(app=app.name))
        if access_for(actor).grant_on(app.pk) is not None:
            raise Conflict(ALREADY_COLLABORATOR.format(email=actor.email, app=app.name))
        require(actor, p.JOIN_APP, app)
    team = app.team
    assert team is not None  # the rules let members join team apps only
    grant = Grant.objects.create(app=app, user=actor, permissions=team.join_permissions, granted_by=actor)
    audit.record(
        actor=actor,
        action=AuditAction.APP_JOIN,
        origin=origin,
        app=app,
        target_user=actor,
        after={"permissions": p.sorted_perms(grant.permissions)},
    )
    forget_access(actor)
    return grant


@transaction.atomic
def app_leave(*, actor: Any, app: App, origin: Origin) -> Grant:
    """The actor drops their own grant on an app."""
    require(actor, p.VIEW_APP, app)
    app = lock_app_row(app)
    grants = list(Grant.objects.filter(app=app, user_id=actor.pk))
    if not grants:
        raise NotFound(NO_GRANT.format(email=actor.email, app=app.name))
    Grant.objects.filter(pk__in=[g.pk for g in grants]).delete()
    grant = grants[0]
    audit.record(
        actor=actor,
        action=AuditAction.APP_LEAVE,
        origin=origin,
        app=app,
        target_user=actor,
        before=grants_snapshot(grants),
    )
    forget_access(actor)
    return grant


@transaction.atomic
def app_set_locked(*, actor: Any, app: App, locked: bool, origin: Origin) -> App:
    """Lock or unlock a team app. Locking changes no existing grant; it stops members joining."""
    app = lock_app_row(app)
    if not app.team_id:
        require(actor, p.VIEW_APP, app)
        raise Invalid(PERSONAL_NOT_LOCKABLE.format(app=app.name), field="locked")
    require(actor, p.LOCK_APP, app)
    if app.locked == locked:
        raise Conflict(ALREADY_LOCKED if locked else NOT_LOCKED, field="locked")
    app.locked = locked
    app.locked_by = actor if (locked and actor.pk) else None
    app.locked_at = timezone.now() if locked else None
    app.save(update_fields=["locked", "locked_by", "locked_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.APP_LOCK if locked else AuditAction.APP_UNLOCK,
        origin=origin,
        app=app,
        before={"locked": not locked},
        after={"locked": locked},
    )
    return app


def app_lock(*, actor: Any, app: App, origin: Origin) -> App:
    """Lock a team app (error if it is locked already)."""
    return app_set_locked(actor=actor, app=app, locked=True, origin=origin)


def app_unlock(*, actor: Any, app: App, origin: Origin) -> App:
    """Unlock a team app (error if it is not locked)."""
    return app_set_locked(actor=actor, app=app, locked=False, origin=origin)


@transaction.atomic
def app_rename(*, actor: Any, app: App, name: str, origin: Origin) -> App:
    """Give the app a new, unused name."""
    require(actor, p.RENAME_APP, app)
    check_app_name(name)
    app = lock_app_row(app)
    if name == app.name:
        return app
    if App.objects.filter(name=name).exists():
        raise Conflict(NAME_TAKEN, field="name")
    before = app.name
    app.name = name
    app.save(update_fields=["name", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.APP_RENAME,
        origin=origin,
        app=app,
        before={"name": before},
        after={"name": name},
    )
    return app


@transaction.atomic
def app_delete(*, actor: Any, app: App, origin: Origin) -> App:
    """Delete the app with its grants, formation and releases."""
    require(actor, p.DELETE_APP, app)
    app = lock_app_row(app)
    audit.record(
        actor=actor, action=AuditAction.APP_DELETE, origin=origin, app=app, before={"name": app.name}
    )
    app.delete()
    return app
