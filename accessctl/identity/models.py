"""Accounts: the user model (e-mail is the identity) and API tokens."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        """A user; without a password the account is pending (sign in by password reset or SSO)."""
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email: str | None) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. E-mail is the login identity; there are no usernames."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("e-mail", max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("staff status", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    session_epoch = models.PositiveIntegerField(
        default=0, editable=False, help_text="Raised when a sign-in factor changes: other sessions end."
    )
    last_sign_in_federated = models.BooleanField(
        "last sign-in through SSO", default=False, help_text="Whether the last sign-in went through an IdP."
    )
    idp_amr = models.JSONField(
        "IdP authentication methods",
        null=True,
        blank=True,
        help_text="The `amr` claim of the last SSO sign-in.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def get_session_auth_hash(self):
        """Sessions are bound to the password and to ``session_epoch``: raising it signs out other sessions."""
        return salted_hmac(
            "accessctl.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_pending(self) -> bool:
        """Added by someone else and never signed in yet."""
        return self.last_login is None and not self.has_usable_password()


class ApiToken(models.Model):
    """A named API token of a user, for scripts and the Heroku CLI. Only a SHA-256 digest is stored."""

    user = models.ForeignKey("accessctl.User", on_delete=models.CASCADE, related_name="api_tokens")
    # The id the Platform API shows (``/oauth/authorizations/{id}``): not the row number, which is guessable.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise the token.")
    digest = models.CharField(max_length=64, unique=True)
    mfa = models.BooleanField("created after MFA", default=False)
    sso_team_ids = models.JSONField(
        "SSO teams", default=list, blank=True, help_text="Teams whose SSO the creating session had passed."
    )
    minted_epoch = models.PositiveIntegerField(
        "user's sign-in epoch when made",
        default=0,
        help_text="The user's session_epoch when the token was made: a factor or password change since revokes it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
