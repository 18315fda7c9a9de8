"""Access reviews (SPEC 18): a review of a team's roles and grants at one moment, one item per role or grant.

Items copy what they review (e-mail, app name, role, permissions) so the evidence stays readable after the
people, apps and grants change or go away.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accessctl.access.fields import PermissionSetField
from accessctl.access.roles import TeamRole, sorted_perms


class ReviewStatus(models.TextChoices):
    OPEN = "open", "open"
    CLOSED = "closed", "closed"


class ItemKind(models.TextChoices):
    ROLE = "role", "team role"
    GRANT = "grant", "app grant"


class Decision(models.TextChoices):
    KEEP = "keep", "keep"
    REDUCE = "reduce", "reduce"
    REVOKE = "revoke", "revoke"


class AccessReview(models.Model):
    """A review of a team's access: every role and grant (``apps`` empty), or the grants on chosen apps."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="access_reviews")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    apps = models.ManyToManyField("apps.App", blank=True, related_name="+")
    app_names = models.JSONField(default=list, blank=True, help_text="The chosen apps' names when started.")
    due_date = models.DateField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by_email = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by_email = models.CharField(max_length=254, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values), name="review_status_known"
            )
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.team}"

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN

    @property
    def scope_label(self) -> str:
        if not self.app_names:
            return "All team roles and app grants"
        return "Grants on " + ", ".join(self.app_names)


class ReviewItem(models.Model):
    """One team role or one app grant under review, the decision taken on it and the change applied."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    email = models.CharField(max_length=254)
    app = models.ForeignKey("apps.App", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    app_name = models.CharField(max_length=30, blank=True)
    role = models.CharField(max_length=10, choices=TeamRole.choices, blank=True)
    permissions = PermissionSetField(null=True, blank=True)  # type: ignore[misc]  # None on role items
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    new_role = models.CharField(max_length=10, choices=TeamRole.choices, blank=True)
    new_permissions = PermissionSetField(null=True, blank=True)  # type: ignore[misc]  # set by a reduce
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_email = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    change_applied = models.CharField(max_length=200, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "app_name", "email", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ItemKind.values), name="review_item_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(decision="") | models.Q(decision__in=Decision.values),
                name="review_item_decision_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.subject}"

    @property
    def subject(self) -> str:
        """What is reviewed, in words: ``admin of acme`` or ``view, deploy on myapp``."""
        if self.kind == ItemKind.ROLE:
            return f"{self.role} role"
        return f"{', '.join(self.perm_list)} on {self.app_name}"

    @property
    def perm_list(self) -> list[str]:
        return [str(perm) for perm in sorted_perms(self.permissions or ())]

    @property
    def new_perm_list(self) -> list[str]:
        return [str(perm) for perm in sorted_perms(self.new_permissions or ())]

    @property
    def decision_label(self) -> str:
        """The decision in words: ``reduce to viewer``, ``reduce to view, deploy``, ``keep``."""
        if self.decision != Decision.REDUCE:
            return self.decision
        target = self.new_role if self.kind == ItemKind.ROLE else ", ".join(self.new_perm_list)
        return f"reduce to {target}"

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None
