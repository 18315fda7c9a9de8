"""The one permission backend: object permissions from the rules engine, model permissions from Django."""

import copy

from allauth.account.auth_backends import AuthenticationBackend

from accessctl.access import access_for
from accessctl.policy import APP_PERMISSIONS, TEAM_PERMISSIONS

STAFF_SCOPE = "_accessctl_staff_scope"


def acting_as_staff(user):
    """The user as a support-console actor: checks on objects answer from their model permissions (groups).

    Support staff change data in the Django admin because their group allows it, not because of a team role.
    The copy is still the same ``User`` row, so services record it as the actor.
    """
    clone = copy.copy(user)
    setattr(clone, STAFF_SCOPE, True)
    return clone


class AccessBackend(AuthenticationBackend):
    """Answers ``user.has_perm("apps.deploy_app", app)`` and ``user.has_perm("teams.manage_members", team)``.

    With an App or Team object the answer comes only from ``policy``; with no object the same strings mean
    Django's model permissions (groups), which support staff use in the admin. Unknown codenames deny.
    Note that Django lets active superusers pass every check before asking any backend. A user made by
    :func:`acting_as_staff` is answered from model permissions even with an object.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None or getattr(user_obj, STAFF_SCOPE, False):
            return super().has_perm(user_obj, perm)
        from apps.models import App
        from teams.models import Team

        if isinstance(obj, App):
            predicate = APP_PERMISSIONS.get(perm)
        elif isinstance(obj, Team):
            predicate = TEAM_PERMISSIONS.get(perm)
        else:
            predicate = None
        if predicate is None or not user_obj.is_active:
            return False
        return predicate(access_for(user_obj), obj)

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None:
            return set()
        return super().get_all_permissions(user_obj)
