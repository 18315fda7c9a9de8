"""The append-only audit log: what changed, who changed it, from where."""

from django.db import models
from django.utils import timezone


class AuditSource(models.TextChoices):
    WEB = "web", "web"
    API = "api", "api"
    ADMIN = "admin", "admin"
    COMMAND = "command", "command"
    REVIEW = "review", "review"
    TASK = "task", "background task"


class AuditAction(models.TextChoices):
    """Every kind of audit event, with the label people read in the log."""

    TEAM_CREATE = "team.create", "Team created"
    TEAM_SETTINGS = "team.settings", "Team settings changed"
    TEAM_SSO = "team.sso", "Single sign-on changed"
    MEMBER_ADD = "member.add", "Member added"
    MEMBER_ROLE_CHANGE = "member.role_change", "Role changed"
    MEMBER_REMOVE = "member.remove", "Member removed"
    INVITATION_CREATE = "invitation.create", "Invitation sent"
    INVITATION_RESEND = "invitation.resend", "Invitation sent again"
    INVITATION_REVOKE = "invitation.revoke", "Invitation revoked"
    INVITATION_ACCEPT = "invitation.accept", "Invitation accepted (member added)"
    GRANT_ADD = "grant.add", "Access granted"
    GRANT_UPDATE = "grant.update", "Permissions changed"
    GRANT_REMOVE = "grant.remove", "Access revoked"
    GRANT_EXTEND = "grant.extend", "Temporary access extended"
    GRANT_END = "grant.end", "Temporary access ended early"
    GRANT_EXPIRE = "grant.expire", "Temporary access expired"
    REQUEST_CREATE = "request.create", "Access requested"
    REQUEST_APPROVE = "request.approve", "Access request approved"
    REQUEST_DENY = "request.deny", "Access request denied"
    REQUEST_CANCEL = "request.cancel", "Access request cancelled"
    REQUEST_LAPSE = "request.lapse", "Access request lapsed"
    APP_CREATE = "app.create", "App created"
    APP_JOIN = "app.join", "Joined app"
    APP_LEAVE = "app.leave", "Left app"
    APP_LOCK = "app.lock", "App locked"
    APP_UNLOCK = "app.unlock", "App unlocked"
    APP_RENAME = "app.rename", "App renamed"
    APP_TRANSFER = "app.transfer", "App transferred"
    TRANSFER_CREATE = "transfer.create", "App offered to a person"
    TRANSFER_DECLINE = "transfer.decline", "App transfer declined"
    TRANSFER_CANCEL = "transfer.cancel", "App transfer cancelled"
    APP_DELETE = "app.delete", "App deleted"
    APP_MAINTENANCE = "app.maintenance", "Maintenance mode switched"
    CONFIG_UPDATE = "config.update", "Config vars changed"
    RELEASE_CREATE = "release.create", "Release deployed"
    RELEASE_ROLLBACK = "release.rollback", "Release rolled back"
    FORMATION_SCALE = "formation.scale", "Formation scaled"
    DYNOS_RESTART = "dynos.restart", "Dynos restarted"
    DYNOS_STOP = "dynos.stop", "Dynos stopped"
    TOKEN_CREATE = "token.create", "API token created"
    TOKEN_REVOKE = "token.revoke", "API token revoked"
    TOKEN_INVALIDATE = "token.invalidate", "API token revoked by a sign-in change"
    USER_ACTIVATE = "user.activate", "Account activated"
    USER_DEACTIVATE = "user.deactivate", "Account deactivated"
    USER_FLAGS = "user.flags", "Staff flags changed"
    USER_MFA = "user.mfa", "Sign-in factor changed"
    USER_PASSWORD = "user.password", "Password changed"
    USER_DELETE = "user.delete", "Account deleted"
    REVIEW_START = "review.start", "Access review started"
    REVIEW_DECIDE = "review.decide", "Access review decision"
    REVIEW_CLOSE = "review.close", "Access review closed"
    WEBHOOK_ADD = "webhook.add", "Webhook added"
    WEBHOOK_UPDATE = "webhook.update", "Webhook changed"
    WEBHOOK_REMOVE = "webhook.remove", "Webhook removed"
    WEBHOOK_PING = "webhook.ping", "Webhook test sent"


class AuditEvent(models.Model):
    """One change of access. Written by services only, in the transaction of the change; never edited.

    Names (e-mails, team and app names) are copied so the log stays readable after deletions and renames.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, db_index=True, choices=AuditAction.choices)
    source = models.CharField(max_length=10, choices=AuditSource.choices)
    actor = models.ForeignKey(
        "accessctl.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    team = models.ForeignKey("teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team_name = models.CharField(max_length=30, blank=True)
    app = models.ForeignKey("apps.App", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    app_name = models.CharField(max_length=30, blank=True)
    target_user = models.ForeignKey(
        "accessctl.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_email = models.CharField(max_length=254, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at"], name="audit_team_time"),
            models.Index(fields=["app", "-created_at"], name="audit_app_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
