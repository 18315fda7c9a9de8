"""Apps, per-app grants, and the runtime records the guarded actions change (formation, releases)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accessctl.access.fields import PermissionSetField
from accessctl.access.names import validate_name
from accessctl.access.roles import AppPerm, sorted_perms

DYNO_SIZES = ("Eco", "Basic", "Standard-1X", "Standard-2X", "Performance-M", "Performance-L")


class App(models.Model):
    """An app owned by a team (team app) or by one user (personal app), never both."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=30, unique=True, validators=[validate_name])
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="apps"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_apps"
    )
    locked = models.BooleanField(default=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    maintenance = models.BooleanField(default=False)
    region = models.CharField(max_length=20, default="us")
    stack = models.CharField(max_length=20, default="heroku-24")
    config_vars = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(team__isnull=False, owner__isnull=True)
                    | models.Q(team__isnull=True, owner__isnull=False)
                ),
                name="app_owned_by_team_xor_user",
            ),
            models.CheckConstraint(
                condition=models.Q(locked=False) | models.Q(team__isnull=False),
                name="app_locked_only_on_team",
            ),
        ]
        permissions = [
            ("deploy_app", "Can deploy to any app"),
            ("operate_app", "Can operate any app"),
            ("manage_app", "Can manage any app"),
            ("lock_app", "Can lock and unlock apps"),
            ("manage_access_app", "Can manage who has access to any app"),
            ("rename_app", "Can rename any app"),
            ("maintenance_app", "Can switch maintenance mode of any app"),
        ]

    def __str__(self):
        return self.name


class Grant(models.Model):
    """Explicit app permissions of one user on one app (collaborators, joined members, creators)."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    permissions = PermissionSetField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["app__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["app", "user"], name="grant_unique_app_user"),
            models.CheckConstraint(condition=models.Q(permissions__startswith="view"), name="grant_has_view"),
        ]

    def __str__(self):
        return f"{self.user} on {self.app}: {self.get_permissions_display()}"

    def get_permissions_display(self) -> str:
        return ", ".join(sorted(self.permissions))

    @property
    def perm_list(self) -> list[AppPerm]:
        """The permissions in display order (view, deploy, operate, manage)."""
        return sorted_perms(self.permissions)


class Formation(models.Model):
    """A process type of an app: how many dynos of which size run which command."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="formation")
    type = models.CharField(max_length=30)
    quantity = models.PositiveIntegerField(default=1)
    size = models.CharField(max_length=20, default="Basic", choices=[(s, s) for s in DYNO_SIZES])
    command = models.CharField(max_length=200, default="")
    restarted_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["app", "type"]
        constraints = [models.UniqueConstraint(fields=["app", "type"], name="formation_unique_app_type")]

    def __str__(self):
        return f"{self.app}: {self.type}={self.quantity}:{self.size}"


class Release(models.Model):
    """A numbered release of an app. Config changes, deploys and rollbacks each make one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="releases")
    version = models.PositiveIntegerField()
    description = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    config_vars = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["app", "-version"]
        constraints = [models.UniqueConstraint(fields=["app", "version"], name="release_unique_app_version")]

    def __str__(self):
        return f"{self.app} v{self.version}"
