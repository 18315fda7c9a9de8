"""The models of the ``accessctl`` app, defined by layer: accounts in ``identity``, the log in ``audit``,
webhooks and their deliveries in ``webhooks``."""

from accessctl.audit.models import AuditAction, AuditEvent, AuditSource
from accessctl.identity.models import ApiToken, User, UserManager
from accessctl.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "AuditSource",
    "User",
    "UserManager",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
]
