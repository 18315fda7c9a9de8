"""The one permission backend: object permissions from the rules engine, model permissions from Django."""

from __future__ import annotations

import copy
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from accessctl.access.facts import access_for
from accessctl.access.policy import (
    APP_PERMISSIONS,
    PERMISSIONS,
    REQUEST_PERMISSIONS,
    TEAM_PERMISSIONS,
    TRANSFER_PERMISSIONS,
    Predicate,
)
from accessctl.access.prepared import PreparedQuery, instance
from accessctl.identity.models import User
from apps.models import AccessRequest, App, AppTransfer
from teams.models import Team

STAFF_SCOPE = "_accessctl_staff_scope"
_PREDICATES: dict[tuple[type, str], Predicate] = {
    **{(App, perm): predicate for perm, predicate in APP_PERMISSIONS.items()},
    **{(Team, perm): predicate for perm, predicate in TEAM_PERMISSIONS.items()},
    **{(AccessRequest, perm): predicate for perm, predicate in REQUEST_PERMISSIONS.items()},
    **{(AppTransfer, perm): predicate for perm, predicate in TRANSFER_PERMISSIONS.items()},
}
"""(object class, permission string) -> predicate: one dict lookup on the hot path."""


def acting_as_staff(user: Any) -> Any:
    """The user as a support-console actor: checks on objects answer from their model permissions (groups).

    Support staff change data in the Django admin because their group allows it, not because of a team role.
    The copy is still the same ``User`` row, so services record it as the actor.
    """
    clone = copy.copy(user)
    setattr(clone, STAFF_SCOPE, True)
    return clone


def check_known(perm: str) -> None:
    """In strict mode (DEBUG and tests) a permission string the rules do not know is a programming error."""
    if perm not in PERMISSIONS and getattr(settings, "ACCESSCTL_STRICT_PERMISSIONS", False):
        raise ImproperlyConfigured(f"Unknown permission {perm!r}: it is not in accessctl.access.policy.")


def require(actor: Any, perm: str, obj: object) -> None:
    """Re-check a permission inside a service (defence in depth). Raises ``PermissionDenied``."""
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(
            f"You do not have permission to do this ({perm.split('.')[1].replace('_', ' ')})."
        )


_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
# Every signed-in request loads its user by id; compiled once a process, as the facts query is.
_USER_ROW = PreparedQuery(
    User, lambda pk: User.objects.filter(pk=pk).order_by().values_list(*_USER_COLUMNS), pk=User._meta.pk
)


class AccessBackend(AuthenticationBackend):  # type: ignore[misc]  # allauth ships no types
    """Answers ``user.has_perm("apps.deploy_app", app)`` and ``user.has_perm("teams.manage_members", team)``.

    With an App or Team object the answer comes only from ``policy``; with no object the same strings mean
    Django's model permissions (groups), which support staff use in the admin. Unknown codenames deny (and
    raise in strict mode). Note that Django lets active superusers pass every check before asking any
    backend. A user made by :func:`acting_as_staff` is answered from model permissions even with an object.
    """

    def get_user(self, user_id: Any) -> User | None:
        """The session's user, as Django's ``ModelBackend.get_user`` finds it (``None`` when gone or inactive),
        from the prepared row query instead of a queryset compiled on every request."""
        rows = _USER_ROW.rows(pk=user_id)
        if not rows:
            return None
        user = instance(User, _USER_COLUMNS, rows[0])
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if obj is None or getattr(user_obj, STAFF_SCOPE, False):
            return bool(super().has_perm(user_obj, perm))
        predicate = _PREDICATES.get((type(obj), perm))
        if predicate is None:
            if isinstance(obj, App):  # a subclass or proxy of App or Team
                predicate = APP_PERMISSIONS.get(perm)
            elif isinstance(obj, Team):
                predicate = TEAM_PERMISSIONS.get(perm)
            else:
                return False
            if predicate is None:
                check_known(perm)
                return False
        if not user_obj.is_active:
            return False
        return predicate(access_for(user_obj), obj)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None:
            return set()
        return set(super().get_all_permissions(user_obj))
