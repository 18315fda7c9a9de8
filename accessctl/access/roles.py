"""The access vocabulary: team roles, app permissions and why someone holds what they hold.

Pure data with no project imports; the rules (``policy``) and the models both build on it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.db import models

__all__ = [
    "ALL_PERMS",
    "COLLABORATOR",
    "MEMBERS_SET_ROLES",
    "NO_PERMS",
    "PERM_DESCRIPTIONS",
    "PERM_ORDER",
    "PERSONAL_COLLABORATOR_PERMS",
    "AppPerm",
    "AppRef",
    "Reason",
    "TeamRole",
    "normalize_perms",
    "sorted_perms",
]


class TeamRole(models.TextChoices):
    """A stored team role. ``collaborator`` is derived (grants without a role), never stored."""

    ADMIN = "admin", "admin"
    MEMBER = "member", "member"
    VIEWER = "viewer", "viewer"


COLLABORATOR = "collaborator"
"""The display role of a user who holds grants on a team's apps but has no team role."""


class AppPerm(models.TextChoices):
    """The four app permissions, in their display order."""

    VIEW = "view", "View"
    DEPLOY = "deploy", "Deploy"
    OPERATE = "operate", "Operate"
    MANAGE = "manage", "Manage"


PERM_ORDER: tuple[AppPerm, ...] = (AppPerm.VIEW, AppPerm.DEPLOY, AppPerm.OPERATE, AppPerm.MANAGE)
ALL_PERMS: frozenset[AppPerm] = frozenset(PERM_ORDER)
NO_PERMS: frozenset[AppPerm] = frozenset()

PERM_DESCRIPTIONS: Mapping[AppPerm, str] = MappingProxyType(
    {
        AppPerm.VIEW: "See the app's overview, activity, formation, maintenance state and access list.",
        AppPerm.DEPLOY: "Deploy releases, roll back, and view and edit config vars.",
        AppPerm.OPERATE: "Restart dynos, roll back, scale the formation and switch maintenance mode.",
        AppPerm.MANAGE: "Rename, delete and transfer the app, manage who has access, lock and unlock it.",
    }
)

PERSONAL_COLLABORATOR_PERMS: frozenset[AppPerm] = frozenset({AppPerm.VIEW, AppPerm.DEPLOY, AppPerm.OPERATE})
"""A collaborator on a personal app may do everything but manage it (SPEC 5.3)."""

MEMBERS_SET_ROLES: frozenset[TeamRole] = frozenset({TeamRole.ADMIN, TeamRole.MEMBER})
"""The roles the CLI's ``members:set`` may assign (the seed documents' rule)."""


def normalize_perms(perms: Iterable[str]) -> frozenset[AppPerm]:
    """Turn permission names into a grant's permission set: known names only, ``view`` always included.

    Raises ``ValueError`` naming the first unknown permission.
    """
    result: set[AppPerm] = set()
    for name in perms:
        try:
            result.add(AppPerm(name))
        except ValueError:
            raise ValueError(f"Unknown permission '{name}'. Use view, deploy, operate or manage.") from None
    return frozenset(result | {AppPerm.VIEW})


def sorted_perms(perms: Iterable[AppPerm]) -> list[AppPerm]:
    """Permissions in display order (view, deploy, operate, manage)."""
    wanted = set(perms)
    return [perm for perm in PERM_ORDER if perm in wanted]


class Reason(enum.StrEnum):
    """Why a user has the access they have on an app (shown on Access pages)."""

    ADMIN_ROLE = "admin role"
    OWNER = "owner"
    GRANT = "grant"
    TEAM_VIEW = "team member view"
    NONE = "none"


@dataclass
class AppRef:
    """An app of a team known by its id alone, what the rules read of an app (``policy.AppLike``): to ask them
    about an app without loading it. Id 0 stands for any app of the team the person holds no grant on."""

    id: int
    team_id: int | None
    owner_id: int | None = None
    locked: bool = False
