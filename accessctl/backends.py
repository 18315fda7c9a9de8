"""The one permission backend: object permissions from the rules engine, model permissions from Django."""

from allauth.account.auth_backends import AuthenticationBackend

from accessctl.access import access_for
from accessctl.policy import APP_PERMISSIONS, TEAM_PERMISSIONS


class AccessBackend(AuthenticationBackend):
    """Answers ``user.has_perm("apps.deploy_app", app)`` and ``user.has_perm("teams.manage_members", team)``.

    With an App or Team object the answer comes only from ``policy``; with no object the same strings mean
    Django's model permissions (groups), which support staff use in the admin. Unknown codenames deny.
    Note that Django lets active superusers pass every check before asking any backend.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None:
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
