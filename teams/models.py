"""Teams and team roles."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accessctl.access.fields import PermissionSetField
from accessctl.access.names import validate_name
from accessctl.access.policy import DEFAULT_MAX_DURATION, TeamRole


class Team(models.Model):
    """A named group owning apps. Its settings are the team-wide access policy."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=30, unique=True, validators=[validate_name])
    join_permissions = PermissionSetField(
        default="view,deploy,operate,manage",
        help_text="Permissions a member gets when joining an unlocked app.",
    )
    require_mfa = models.BooleanField(
        "require MFA", default=False, help_text="Members without MFA (and not on SSO) must enrol first."
    )
    sso_enforced = models.BooleanField(
        "enforce SSO",
        default=False,
        help_text="Members must sign in through the team's identity provider (collaborators are exempt).",
    )
    sso_role = models.CharField(
        "role on first SSO sign-in",
        max_length=10,
        choices=[
            (TeamRole.MEMBER.value, TeamRole.MEMBER.label),
            (TeamRole.VIEWER.value, TeamRole.VIEWER.label),
        ],
        default=TeamRole.MEMBER,
        help_text="The role of an account created by its first sign-in through the team's IdP (never admin).",
    )
    sso_create_accounts = models.BooleanField(
        "SSO creates accounts",
        default=True,
        help_text="Whether a first sign-in through the team's IdP may create an account.",
    )
    invite_acceptance = models.BooleanField(
        "invitations (team-invite-acceptance)",
        default=False,
        help_text="Adding someone who is not a member sends them an invitation by e-mail, valid 7 days.",
    )
    sso_app = models.OneToOneField(
        "socialaccount.SocialApp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team",
        help_text="The team's OpenID Connect identity provider.",
    )
    request_max_duration = models.DurationField(
        "longest temporary access",
        default=DEFAULT_MAX_DURATION,
        help_text="The longest time an access request may ask for (and an approval may give).",
    )
    request_permanent_allowed = models.BooleanField(
        "permanent access may be requested",
        default=False,
        help_text="Whether people may ask for permanent access instead of access for a while.",
    )
    request_locked_apps = models.BooleanField(
        "locked apps accept requests",
        default=True,
        help_text="Whether people may ask for access to locked apps.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("manage_members", "Can manage team members"),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in a team. Collaborators have no membership, only grants."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=TeamRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=TeamRole.values), name="membership_role_known"
            ),
        ]
        indexes = [models.Index(fields=["team", "role"], name="membership_team_role")]

    def __str__(self):
        return f"{self.user} is {self.role} of {self.team}"


class Invitation(models.Model):
    """An invitation by e-mail to join a team with a role (SPEC 16). Only a SHA-256 digest of its link is stored.

    Pending while neither accepted nor revoked; a pending invitation past ``expires_at`` is expired. One
    pending invitation per team and address: inviting again refreshes it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail", max_length=254)
    role = models.CharField(max_length=10, choices=TeamRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team__name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "email"],
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="invitation_one_open_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=TeamRole.values), name="invitation_role_known"
            ),
        ]

    def __str__(self):
        return f"{self.email} invited to {self.team} as {self.role}"

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked (it may still have expired)."""
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.is_open and self.expires_at <= timezone.now()
