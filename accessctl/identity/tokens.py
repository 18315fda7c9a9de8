"""API tokens: created from the account page or ``manage.py apitoken``, shown once, stored as a digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accessctl.access.errors import Invalid, NotFound
from accessctl.access.signin import NO_SIGN_IN, SignIn
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import ApiToken, User

TOKEN_PREFIX = "actl_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, origin: Origin, sign_in: SignIn = NO_SIGN_IN
) -> tuple[ApiToken, str]:
    """A new token for the actor. Returns the row and the secret, which is never shown again.

    The token carries ``sign_in``, the facts of the session that made it (MFA, team SSO): the API holds it
    to the teams' sign-in policies as it would hold that session.
    """
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise Invalid(
            "Name the token (up to 60 characters), for example 'heroku cli on my laptop'.", field="name"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=raw[:12],
        digest=_digest(raw),
        mfa=sign_in.mfa,
        sso_team_ids=sorted(sign_in.sso_team_ids),
    )
    audit.record(actor=actor, action=AuditAction.TOKEN_CREATE, origin=origin, target_user=actor, after={"name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, origin: Origin) -> ApiToken:
    """Revoke a token: one's own, or any (support staff with the permission to delete tokens)."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or (
        token.user_id != actor.pk and not actor.has_perm("accessctl.delete_apitoken", token)
    ):
        raise NotFound("There is no such token on your account.", field="token")
    token.delete()
    audit.record(
        actor=actor, action=AuditAction.TOKEN_REVOKE, origin=origin, target_user=token.user, before={"name": token.name}
    )
    return token


def token_for(raw: str) -> ApiToken | None:
    """The token (with its active user), or ``None``. Marks the token used (to the minute)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_sign_in(token: ApiToken) -> SignIn:
    return SignIn(mfa=token.mfa, sso_team_ids=frozenset(token.sso_team_ids))
