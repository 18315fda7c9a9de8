"""Apps, per-app grants, and the runtime records the guarded actions change (formation, releases)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accessctl.access.expiry import REQUEST_TTL, RequestStatus, request_status_at
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

    @property
    def accepts_requests(self) -> bool:
        """Whether access requests may be made for this app (the team's policy on locked apps)."""
        return self.team is not None and (not self.locked or self.team.request_locked_apps)


class GrantQuerySet(models.QuerySet["Grant"]):
    def permanent(self) -> GrantQuerySet:
        return self.filter(expires_at__isnull=True)

    def temporary(self) -> GrantQuerySet:
        return self.filter(expires_at__isnull=False)

    def live(self, now=None) -> GrantQuerySet:
        """Grants that count at ``now``: permanent ones, and temporary ones not yet expired."""
        now = now or timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def expired(self, now=None) -> GrantQuerySet:
        return self.filter(expires_at__lte=now or timezone.now())


class Grant(models.Model):
    """Explicit app permissions of one user on one app (collaborators, joined members, creators).

    A user holds at most one permanent grant (``expires_at`` empty) and one temporary grant per app. The rules
    treat a temporary grant as absent from ``expires_at`` on; a background task deletes it later.
    """

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    permissions = PermissionSetField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: permanent.")
    reason = models.CharField(max_length=500, blank=True)
    request = models.ForeignKey(
        "AccessRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["app__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "user"],
                condition=models.Q(expires_at__isnull=True),
                name="grant_unique_app_user",
            ),
            models.UniqueConstraint(
                fields=["app", "user"],
                condition=models.Q(expires_at__isnull=False),
                name="grant_unique_temporary_app_user",
            ),
            models.CheckConstraint(condition=models.Q(permissions__startswith="view"), name="grant_has_view"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="grant_expires_at")]

    def __str__(self):
        return f"{self.user} on {self.app}: {self.get_permissions_display()}"

    def get_permissions_display(self) -> str:
        return ", ".join(sorted(self.permissions))

    @property
    def perm_list(self) -> list[AppPerm]:
        """The permissions in display order (view, deploy, operate, manage)."""
        return sorted_perms(self.permissions)


def grants_snapshot(grants) -> dict:
    """What a user's grants on one app give, for an audit ``before``: permanent and temporary parts."""
    snapshot: dict = {}
    for grant in grants:
        if grant.expires_at is None:
            snapshot["permissions"] = sorted_perms(grant.permissions)
        else:
            snapshot["temporary"] = sorted_perms(grant.permissions)
            snapshot["expires_at"] = grant.expires_at.isoformat()
    return snapshot


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


class TransferState(models.TextChoices):
    """Heroku's app transfer states; a withdrawn offer is deleted (the audit log keeps it)."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class AppTransfer(models.Model):
    """An app moving to a new owner (SPEC 9). A personal app offered to another person waits, ``pending``,
    until they accept or decline it; a move into or out of a team is done at once and recorded ``accepted``.
    The recipient is a person (``recipient``) or a team (``recipient_team``), never both.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="transfers")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    previous_team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="app_transfers_received",
    )
    recipient_team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10, choices=TransferState.choices, default=TransferState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["app"], condition=models.Q(state="pending"), name="app_transfer_one_pending"
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=True) ^ models.Q(recipient_team__isnull=True),
                name="app_transfer_to_user_xor_team",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=TransferState.values), name="app_transfer_state_known"
            ),
        ]

    def __str__(self):
        return f"{self.app} to {self.recipient or self.recipient_team} ({self.state})"


class AccessRequest(models.Model):
    """Someone asks for more permissions on a team app, for a while and for a reason (SPEC 17).

    ``duration`` empty: permanent. A pending request lapses ``REQUEST_TTL`` after it was made; the rules
    read that at any time (``status_now``) and a task marks it.
    """

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    permissions = PermissionSetField()
    duration = models.DurationField(null=True, blank=True, help_text="Empty: permanent.")
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    granted_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values), name="access_request_status_known"
            ),
        ]
        indexes = [models.Index(fields=["app", "status"], name="access_request_app_status")]

    def __str__(self):
        return f"{self.requester} asks {', '.join(self.perm_list)} on {self.app}"

    @property
    def perm_list(self) -> list[AppPerm]:
        """The requested permissions beyond view, in display order."""
        return [perm for perm in sorted_perms(self.permissions) if perm != AppPerm.VIEW]

    @property
    def lapses_at(self):
        return self.created_at + REQUEST_TTL

    def status_now(self, now=None) -> RequestStatus:
        """The status as people see it (a stale pending request has lapsed)."""
        return request_status_at(self.status, self.created_at, now or timezone.now())
