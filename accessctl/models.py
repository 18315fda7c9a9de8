"""The models of the ``accessctl`` app, defined by layer: accounts in ``identity``, the log in ``audit``."""

from accessctl.audit.models import AuditAction, AuditEvent, AuditSource
from accessctl.identity.models import ApiToken, User, UserManager

__all__ = ["ApiToken", "AuditAction", "AuditEvent", "AuditSource", "User", "UserManager"]
