"""Account changes: activation, staff flags and groups, deletion (support staff), sign-in records, factor and
password changes. Audited. A factor change, a password change and deactivation revoke the user's API tokens.

Every way a password changes ends in ``user_password_changed``: allauth's change, set and reset (its signals),
and a password set by someone else, support staff in the Django admin or an operator with
``manage.py changepassword`` (``user_password_set``).

A user who is the last admin of a team can be neither deactivated nor deleted: the team would be left
without an admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q

from accessctl.access.errors import Conflict
from accessctl.access.facts import forget_access
from accessctl.access.policy import TeamRole, leaves_team_without_admin
from accessctl.audit import log as audit
from accessctl.audit.log import Origin, SystemActor
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User
from accessctl.identity.tokens import api_tokens_invalidate
from teams.models import Team

LAST_ADMIN_OF = "{email} is the last admin of {teams}. Add another admin there first."
OWN_FLAGS = "You cannot change your own staff status, superuser status or groups."
NOT_SUPERUSER = "Only superusers can change staff status, superuser status and groups."
NO_PASSWORDS = "You may not set other people's passwords."
PRIVILEGED_PASSWORD = "Only superusers can set the password of a staff member or superuser."
OWN_PASSWORD = "Change your own password on your account page; it asks for the current one."


def _refuse_if_last_admin(user: User) -> None:
    """Refuse to take away every role of ``user`` where that would leave a team without an admin."""
    teams = (
        Team.objects.select_for_update()
        .filter(memberships__user=user, memberships__role=TeamRole.ADMIN)
        .order_by("name")
    )
    admins = dict(
        Team.objects.filter(pk__in=teams.values("pk"))
        .annotate(admins=Count("memberships", filter=Q(memberships__role=TeamRole.ADMIN)))
        .values_list("pk", "admins")
    )
    names = [
        team.name
        for team in teams
        if leaves_team_without_admin(admins=admins[team.pk], role_before=TeamRole.ADMIN, role_after=None)
    ]
    if names:
        raise Conflict(LAST_ADMIN_OF.format(email=user.email, teams=", ".join(names)))


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool, origin: Origin) -> User:
    """Activate or deactivate an account; a deactivated user loses all access at once."""
    if not actor.has_perm("accessctl.change_user"):
        raise PermissionDenied("You may not change accounts.")
    if user.is_active == active:
        return user
    if not active:
        _refuse_if_last_admin(user)
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    forget_access(user)
    if not active:
        api_tokens_invalidate(user=user, reason="The account was deactivated.", origin=origin, notify=False)
    audit.record(
        actor=actor,
        action=AuditAction.USER_ACTIVATE if active else AuditAction.USER_DEACTIVATE,
        origin=origin,
        target_user=user,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return user


@transaction.atomic
def user_set_flags(
    *,
    actor: Any,
    user: User,
    origin: Origin,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    groups: Iterable[Group] | None = None,
) -> User:
    """Change staff and superuser flags and groups: superusers only, and never their own."""
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied(NOT_SUPERUSER)
    if actor.pk == user.pk:
        raise PermissionDenied(OWN_FLAGS)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, value in (("is_staff", is_staff), ("is_superuser", is_superuser)):
        if value is not None and getattr(user, field) != value:
            before[field], after[field] = getattr(user, field), value
            setattr(user, field, value)
    user.save(update_fields=["is_staff", "is_superuser"])
    if groups is not None:
        groups = list(groups)
        old = sorted(user.groups.values_list("name", flat=True))
        new = sorted(group.name for group in groups)
        if old != new:
            user.groups.set(groups)
            before["groups"], after["groups"] = old, new
    if after:
        audit.record(
            actor=actor,
            action=AuditAction.USER_FLAGS,
            origin=origin,
            target_user=user,
            before=before,
            after=after,
        )
    return user


@transaction.atomic
def user_delete(*, actor: Any, user: User, origin: Origin) -> User:
    """Delete an account with its roles and grants (not an app owner, not a last admin)."""
    if not actor.has_perm("accessctl.delete_user"):
        raise PermissionDenied("You may not delete accounts.")
    if actor.pk == user.pk:
        raise PermissionDenied("You cannot delete your own account here.")
    _refuse_if_last_admin(user)
    if user.owned_apps.exists():
        raise Conflict(f"{user.email} owns personal apps. Transfer or delete them first.")
    audit.record(actor=actor, action=AuditAction.USER_DELETE, origin=origin, before={"email": user.email})
    user.delete()
    return user


def record_sign_in(user: User, *, federated: bool, amr: Any) -> None:
    """Remember whether the last sign-in went through an IdP, and its ``amr`` claim (shown to the team)."""
    User.objects.filter(pk=user.pk).update(
        last_sign_in_federated=federated, idp_amr=amr if federated else None
    )


def _raise_epoch(user: User) -> None:
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def user_factor_changed(*, user: User, change: str, origin: Origin) -> User:
    """A sign-in factor changed: raise ``session_epoch`` so the user's other sessions end and their API tokens
    are revoked (the user is told by e-mail), and audit it."""
    _raise_epoch(user)
    audit.record(
        actor=user, action=AuditAction.USER_MFA, origin=origin, target_user=user, after={"change": change}
    )
    api_tokens_invalidate(user=user, reason=f"Two-factor authentication changed ({change}).", origin=origin)
    return user


@transaction.atomic
def user_password_changed(*, user: User, change: str, origin: Origin, actor: Any = None) -> User:
    """The password was changed, set or reset (``change``; by ``actor``, the user when not given): other
    sessions end, API tokens are revoked (the user is told by e-mail). Audited."""
    _raise_epoch(user)
    audit.record(
        actor=user if actor is None else actor,
        action=AuditAction.USER_PASSWORD,
        origin=origin,
        target_user=user,
        after={"change": change},
    )
    api_tokens_invalidate(user=user, reason=f"The password was {change}.", origin=origin)
    return user


@transaction.atomic
def user_password_set(*, actor: Any, user: User, password: str, origin: Origin, change: str) -> User:
    """Set someone else's password (already validated): support staff with ``change_user`` permission, only
    superusers for staff accounts, or the operator's command (the system actor). Then as any password change:
    other sessions end, API tokens are revoked with ``change`` as the reason, the user is e-mailed."""
    operator = isinstance(actor, SystemActor)
    if not actor.has_perm("accessctl.change_user"):
        raise PermissionDenied(NO_PASSWORDS)
    if not operator and actor.pk == user.pk:
        raise PermissionDenied(OWN_PASSWORD)
    if (user.is_staff or user.is_superuser) and not (operator or getattr(actor, "is_superuser", False)):
        raise PermissionDenied(PRIVILEGED_PASSWORD)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user_password_changed(user=user, change=change, origin=origin, actor=actor)
