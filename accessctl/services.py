"""Account changes made by support staff: activation, staff flags and groups, deletion. Audited.

A user who is the last admin of a team can be neither deactivated nor deleted: the team would be left
without an admin.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accessctl import audit
from accessctl.access import forget_access
from accessctl.audit import Origin
from accessctl.errors import Conflict
from accessctl.models import User
from accessctl.policy import TeamRole

LAST_ADMIN_OF = "{email} is the last admin of {teams}. Add another admin there first."
OWN_FLAGS = "You cannot change your own staff status, superuser status or groups."
NOT_SUPERUSER = "Only superusers can change staff status, superuser status and groups."


def _teams_where_last_admin(user: User) -> list[str]:
    from teams.models import Membership, Team

    teams = Team.objects.select_for_update().filter(memberships__user=user, memberships__role=TeamRole.ADMIN)
    names = []
    for team in teams.order_by("name"):
        if Membership.objects.filter(team=team, role=TeamRole.ADMIN).count() <= 1:
            names.append(team.name)
    return names


def _refuse_if_last_admin(user: User) -> None:
    names = _teams_where_last_admin(user)
    if names:
        raise Conflict(LAST_ADMIN_OF.format(email=user.email, teams=", ".join(names)))


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool, origin: Origin) -> User:
    """Activate or deactivate an account; a deactivated user loses all access at once."""
    if not actor.has_perm("accessctl.change_user", user):
        raise PermissionDenied("You may not change accounts.")
    if user.is_active == active:
        return user
    if not active:
        _refuse_if_last_admin(user)
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    forget_access(user)
    audit.record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        origin=origin,
        target_user=user,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return user


@transaction.atomic
def user_set_flags(
    *, actor, user: User, origin: Origin, is_staff=None, is_superuser=None, groups=None
) -> User:
    """Change staff and superuser flags and groups: superusers only, and never their own."""
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied(NOT_SUPERUSER)
    if actor.pk == user.pk:
        raise PermissionDenied(OWN_FLAGS)
    before, after = {}, {}
    for field, value in (("is_staff", is_staff), ("is_superuser", is_superuser)):
        if value is not None and getattr(user, field) != value:
            before[field], after[field] = getattr(user, field), value
            setattr(user, field, value)
    user.save(update_fields=["is_staff", "is_superuser"])
    if groups is not None:
        old = sorted(user.groups.values_list("name", flat=True))
        new = sorted(group.name for group in groups)
        if old != new:
            user.groups.set(groups)
            before["groups"], after["groups"] = old, new
    if after:
        audit.record(
            actor=actor, action="user.flags", origin=origin, target_user=user, before=before, after=after
        )
    return user


@transaction.atomic
def user_delete(*, actor, user: User, origin: Origin) -> None:
    """Delete an account with its roles and grants (not an app owner, not a last admin)."""
    if not actor.has_perm("accessctl.delete_user", user):
        raise PermissionDenied("You may not delete accounts.")
    if actor.pk == user.pk:
        raise PermissionDenied("You cannot delete your own account here.")
    _refuse_if_last_admin(user)
    if user.owned_apps.exists():
        raise Conflict(f"{user.email} owns personal apps. Transfer or delete them first.")
    audit.record(actor=actor, action="user.delete", origin=origin, before={"email": user.email})
    user.delete()
