"""Every change to teams and team roles. Each function is one transaction with one audit event.

Membership changes lock the team row first (``select_for_update``), so two concurrent requests cannot both
pass the last-admin check and leave a team without an admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Conflict, Invalid, NotFound
from accessctl.access.facts import forget_access
from accessctl.access.names import NAME_RULE, validate_name
from accessctl.access.policy import LAST_ADMIN, TeamRole, leaves_team_without_admin
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User
from apps.models import Grant
from teams.models import Membership, Team

UNKNOWN_ROLE = "Unknown role '{role}'. Use admin, member or viewer."
NOT_A_MEMBER = "{email} is not a member of {team}."
NOT_A_MEMBER_COLLABORATOR = (
    "{email} is not a member of {team}. Add them to the team first (members:add) before giving them a role."
)
TEAM_NAME_TAKEN = "The team name '{name}' is already taken. Choose another name."
BAD_TEAM_NAME = f"Team names use {NAME_RULE}."
LONGEST_POSITIVE = "The longest temporary access must be a positive duration, such as 8 hours."
RESERVED_TEAM_NAMES = frozenset(
    {"apps", "permissions", "invitations"}
)  # path segments of the Platform API under /teams/
RESERVED_TEAM_NAME = "The team name '{name}' is reserved. Choose another name."


def parse_role(role: str) -> TeamRole:
    try:
        return TeamRole(role)
    except ValueError:
        raise Invalid(UNKNOWN_ROLE.format(role=role), field="role") from None


def check_team_name(name: str) -> str:
    try:
        validate_name(name)
    except Exception:
        raise Invalid(BAD_TEAM_NAME, field="name") from None
    if name in RESERVED_TEAM_NAMES:
        raise Invalid(RESERVED_TEAM_NAME.format(name=name), field="name")
    return name


def _lock_team(actor: Any, perm: str, team: Team) -> Team:
    """Lock the team row, then re-check ``perm`` on facts read under the lock.

    The first check refuses cheaply; the second stops an admin demoted by a concurrent request from acting.
    """
    require(actor, perm, team)
    team = Team.objects.select_for_update().get(pk=team.pk)
    forget_access(actor)
    require(actor, perm, team)
    return team


def _refuse_if_last_admin(team: Team, membership: Membership, role_after: str | None) -> None:
    """Refuse a change of ``membership`` to ``role_after`` (``None``: removal) that leaves no admin."""
    if membership.role != TeamRole.ADMIN:
        return  # only an admin's change can leave the team without one: no need to count
    admins = Membership.objects.filter(team=team, role=TeamRole.ADMIN).count()
    if leaves_team_without_admin(admins=admins, role_before=membership.role, role_after=role_after):
        raise Conflict(LAST_ADMIN.format(team=team.name))


@transaction.atomic
def team_create(*, actor: Any, name: str, admin: User, origin: Origin) -> Team:
    """Create a team with ``admin`` as its first admin."""
    check_team_name(name)
    if Team.objects.filter(name=name).exists():
        raise Conflict(TEAM_NAME_TAKEN.format(name=name), field="name")
    team = Team.objects.create(name=name)
    Membership.objects.create(team=team, user=admin, role=TeamRole.ADMIN)
    audit.record(actor=actor, action=AuditAction.TEAM_CREATE, origin=origin, team=team, after={"name": name})
    audit.record(
        actor=actor,
        action=AuditAction.MEMBER_ADD,
        origin=origin,
        team=team,
        target_user=admin,
        after={"role": TeamRole.ADMIN},
    )
    forget_access(admin)
    return team


@transaction.atomic
def team_member_add(*, actor: Any, team: Team, user: User, role: str, origin: Origin) -> Membership:
    """Add a member, or change the role of one who is there already (create-or-update)."""
    role = parse_role(role)
    team = _lock_team(actor, p.MANAGE_MEMBERS, team)
    membership = Membership.objects.filter(team=team, user=user).first()
    if membership is None:
        membership = Membership.objects.create(team=team, user=user, role=role)
        audit.record(
            actor=actor,
            action=AuditAction.MEMBER_ADD,
            origin=origin,
            team=team,
            target_user=user,
            after={"role": role},
        )
    elif membership.role != role:
        _change_role(actor=actor, team=team, membership=membership, role=role, origin=origin)
    forget_access(user)
    return membership


@transaction.atomic
def team_member_set_role(
    *,
    actor: Any,
    team: Team,
    user: User,
    role: str,
    origin: Origin,
    allowed_roles: Iterable[str] | None = None,
) -> Membership:
    """Change an existing member's role. Collaborators must be added with ``team_member_add`` first.

    ``allowed_roles`` narrows the roles (the CLI's ``members:set`` assigns only admin and member).
    """
    role = parse_role(role)
    if allowed_roles is not None and role not in set(allowed_roles):
        names = " or ".join(sorted(allowed_roles))
        raise Invalid(f"This command can only assign the {names} role, not {role}.", field="role")
    team = _lock_team(actor, p.MANAGE_MEMBERS, team)
    membership = Membership.objects.filter(team=team, user=user).first()
    if membership is None:
        raise NotFound(NOT_A_MEMBER_COLLABORATOR.format(email=user.email, team=team.name), field="user")
    if membership.role != role:
        _change_role(actor=actor, team=team, membership=membership, role=role, origin=origin)
    forget_access(user)
    return membership


def _change_role(*, actor: Any, team: Team, membership: Membership, role: TeamRole, origin: Origin) -> None:
    _refuse_if_last_admin(team, membership, role)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action=AuditAction.MEMBER_ROLE_CHANGE,
        origin=origin,
        team=team,
        target_user=membership.user,
        before={"role": before},
        after={"role": role},
    )


@transaction.atomic
def team_member_remove(
    *, actor: Any, team: Team, user: User, origin: Origin, revoke_grants: bool = False
) -> list[str]:
    """End a member's role. Their grants stay (they become a collaborator) unless ``revoke_grants``.

    Returns the names of the apps whose grants were revoked.
    """
    team = _lock_team(actor, p.MANAGE_MEMBERS, team)
    return _remove_membership(actor=actor, team=team, user=user, origin=origin, revoke_grants=revoke_grants)


@transaction.atomic
def team_leave(*, actor: Any, team: Team, origin: Origin) -> Team:
    """The actor leaves the team (not as its last admin). Their grants stay, as for a removal."""
    team = _lock_team(actor, p.LEAVE_TEAM, team)
    _remove_membership(actor=actor, team=team, user=actor, origin=origin, revoke_grants=False)
    return team


def _remove_membership(
    *, actor: Any, team: Team, user: User, origin: Origin, revoke_grants: bool
) -> list[str]:
    membership = Membership.objects.filter(team=team, user=user).first()
    if membership is None:
        raise NotFound(NOT_A_MEMBER.format(email=user.email, team=team.name), field="user")
    _refuse_if_last_admin(team, membership, None)
    membership.delete()
    audit.record(
        actor=actor,
        action=AuditAction.MEMBER_REMOVE,
        origin=origin,
        team=team,
        target_user=user,
        before={"role": membership.role},
    )
    revoked = revoke_team_grants(actor=actor, team=team, user=user, origin=origin) if revoke_grants else []
    forget_access(user)
    return revoked


def revoke_team_grants(*, actor: Any, team: Team, user: User, origin: Origin) -> list[str]:
    """Delete a user's grants on the team's apps (one audit event each); returns the app names.

    Call inside the transaction of the use case that revokes them.
    """
    revoked = []
    for grant in Grant.objects.filter(user=user, app__team=team).select_related("app").order_by("app__name"):
        grant.delete()
        if grant.app.name not in revoked:
            revoked.append(grant.app.name)
        audit.record(
            actor=actor,
            action=AuditAction.GRANT_REMOVE,
            origin=origin,
            team=team,
            app=grant.app,
            target_user=user,
            before={"permissions": p.sorted_perms(grant.permissions)},
        )
    forget_access(user)
    return revoked


@transaction.atomic
def team_settings_update(
    *,
    actor: Any,
    team: Team,
    origin: Origin,
    name: str | None = None,
    join_permissions: Iterable[str] | None = None,
    require_mfa: bool | None = None,
    sso_enforced: bool | None = None,
    request_max_duration: timedelta | None = None,
    request_permanent_allowed: bool | None = None,
    request_locked_apps: bool | None = None,
    invite_acceptance: bool | None = None,
) -> Team:
    """Rename the team or change its access settings (access requests included); only given values change."""
    team = _lock_team(actor, p.MANAGE_SETTINGS_TEAM, team)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if name is not None and name != team.name:
        check_team_name(name)
        if Team.objects.filter(name=name).exclude(pk=team.pk).exists():
            raise Conflict(TEAM_NAME_TAKEN.format(name=name), field="name")
        before["name"], after["name"] = team.name, name
        team.name = name
    if join_permissions is not None:
        try:
            perms = p.normalize_perms(join_permissions)
        except ValueError as error:
            raise Invalid(str(error), field="join_permissions") from None
        if perms != team.join_permissions:
            before["join_permissions"] = p.sorted_perms(team.join_permissions)
            after["join_permissions"] = p.sorted_perms(perms)
            team.join_permissions = perms
    if request_max_duration is not None and request_max_duration != team.request_max_duration:
        if request_max_duration <= timedelta(0):
            raise Invalid(LONGEST_POSITIVE, field="request_max_duration")
        before["request_max_duration"] = p.format_duration(team.request_max_duration)
        after["request_max_duration"] = p.format_duration(request_max_duration)
        team.request_max_duration = request_max_duration
    flags = (
        ("require_mfa", require_mfa),
        ("sso_enforced", sso_enforced),
        ("request_permanent_allowed", request_permanent_allowed),
        ("request_locked_apps", request_locked_apps),
        ("invite_acceptance", invite_acceptance),
    )
    for field, value in flags:
        if value is not None and value != getattr(team, field):
            before[field], after[field] = getattr(team, field), value
            setattr(team, field, value)
    if after:
        try:
            with transaction.atomic():
                team.save()
        except IntegrityError:
            raise Conflict(TEAM_NAME_TAKEN.format(name=name), field="name") from None
        audit.record(
            actor=actor,
            action=AuditAction.TEAM_SETTINGS,
            origin=origin,
            team=team,
            before=before,
            after=after,
        )
    return team
