"""Webhooks, the events they are sent, and every delivery attempt (SPEC 19)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accessctl.webhooks.fields import EncryptedTextField

# The event types an app webhook may include (Heroku's names). Team webhooks receive every team event.
EVENT_TYPES = ("api:app", "api:collaborator", "api:formation", "api:release")


class Level(models.TextChoices):
    NOTIFY = "notify", "notify (one attempt)"
    SYNC = "sync", "sync (retried for up to 24 hours)"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pending"
    SCHEDULED = "scheduled", "scheduled"
    RETRYING = "retrying", "retrying"
    FAILED = "failed", "failed"
    SUCCEEDED = "succeeded", "succeeded"


class Webhook(models.Model):
    """A receiver of an app's events (``include`` filters them) or of all of a team's events (``team``).

    The secret signs every delivery; it is shown once, when the hook is created. It and the authorization value
    are stored encrypted (``fields.EncryptedTextField``) and read back as plain text. A hook that keeps failing
    for 24 hours is disabled (``disabled_at``); saving it again re-enables it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app = models.ForeignKey(
        "apps.App", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    include = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    url = models.CharField(max_length=2000)
    secret = EncryptedTextField()
    authorization = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(app__isnull=False, team__isnull=True)
                    | models.Q(app__isnull=True, team__isnull=False)
                ),
                name="webhook_on_app_xor_team",
            )
        ]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One audit event in Heroku's webhook payload shape, written in the transaction of the change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit_event = models.ForeignKey(
        "accessctl.AuditEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    app = models.ForeignKey(
        "apps.App", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_events"
    )
    team = models.ForeignKey("teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    include = models.CharField(max_length=60)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.include} {self.id}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: the answer's status code (or the error) and how long it took."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    delivery = models.ForeignKey(
        "accessctl.WebhookDelivery", on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveIntegerField()
    succeeded = models.BooleanField()
    code = models.PositiveIntegerField(null=True, blank=True)
    error_class = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.code or self.error_class}"


class WebhookDelivery(models.Model):
    """One event for one webhook. ``seq`` orders deliveries (the CLI's ``Range: seq``).

    ``next_attempt_at`` is when a retry is due (none for the first attempt). ``claimed_until`` is the lease of
    the worker making an attempt right now (``delivery.claim``).
    """

    seq = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    num_attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker makes an attempt, so that two tasks for one delivery never both send it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt = models.ForeignKey(
        WebhookAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["webhook", "-seq"], name="delivery_hook_seq")]

    def __str__(self) -> str:
        return f"delivery {self.public_id} ({self.status})"
