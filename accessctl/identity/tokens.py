"""API tokens: created from the account page or ``manage.py apitoken``, shown once, stored as a digest.

A token carries the sign-in facts of the session that made it (MFA, team SSO) and the user's ``session_epoch``
at that moment. A factor added or removed, a password change (both raise the epoch) or deactivation revoke
it: it keeps its row, with ``revoked_at`` and ``revoked_reason``, shown on the account page, and no longer
authenticates. ``token_for`` checks the epoch and the account on every use, so a change that skipped the
revocation (a password set from the shell) still ends the token there.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.utils import timezone

from accessctl.access.errors import Invalid, NotFound
from accessctl.access.names import plain_text_problem
from accessctl.access.prepared import PreparedQuery, instance
from accessctl.access.signin import NO_SIGN_IN, SignIn
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.models import ApiToken, User

log = logging.getLogger("accessctl.identity")
TOKEN_PREFIX = "actl_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
STALE = "Your sign-in factors or password changed after the token was made."
REVOKED_MAIL_SUBJECT = "accessctl: your API tokens were revoked"
REVOKED_MAIL = (
    "Your accessctl API tokens {names} were revoked: {reason}.\n\n"
    "Scripts and the Heroku CLI using them can no longer sign in. If you made this change, create new tokens "
    "on your account page. If you did not, change your password and check your two-factor authentication now."
)


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
    problem = plain_text_problem(name, what="token name")
    if problem:
        raise Invalid(problem, field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=raw[:12],
        digest=_digest(raw),
        mfa=sign_in.mfa,
        sso_team_ids=sorted(sign_in.sso_team_ids),
        minted_epoch=actor.session_epoch,
    )
    audit.record(
        actor=actor, action=AuditAction.TOKEN_CREATE, origin=origin, target_user=actor, after={"name": name}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, origin: Origin) -> ApiToken:
    """Revoke a token (it is deleted): one's own, or any (support staff with the permission to delete tokens).

    A token already revoked by a sign-in change is removed from the account page this way.
    """
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or (
        token.user_id != actor.pk and not actor.has_perm("accessctl.delete_apitoken", token)
    ):
        raise NotFound("There is no such token on your account.", field="token")
    token.delete()
    audit.record(
        actor=actor,
        action=AuditAction.TOKEN_REVOKE,
        origin=origin,
        target_user=token.user,
        before={"name": token.name},
    )
    return token


@transaction.atomic
def api_tokens_invalidate(
    *, user: User, reason: str, origin: Origin, notify: bool = True, stale_only: bool = False
) -> list[ApiToken]:
    """Revoke the user's live tokens because their sign-in changed (``reason`` says how). Each is audited.

    ``stale_only`` revokes only the tokens made before the user's current ``session_epoch``. With ``notify``
    the user is told by e-mail once the change is committed. Returns the revoked tokens.
    """
    live = ApiToken.objects.select_for_update().filter(user_id=user.pk, revoked_at=None)
    if stale_only:
        live = live.exclude(minted_epoch=user.session_epoch)
    tokens = list(live)
    if not tokens:
        return []
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(
        revoked_at=now, revoked_reason=reason
    )
    for token in tokens:
        token.revoked_at, token.revoked_reason = now, reason
        audit.record(
            actor=user,
            action=AuditAction.TOKEN_INVALIDATE,
            origin=origin,
            target_user=user,
            before={"name": token.name},
            after={"reason": reason},
        )
    if notify and user.email:
        names = ", ".join(f"'{token.name}' ({token.prefix}…)" for token in tokens)
        body = REVOKED_MAIL.format(names=names, reason=reason.rstrip(".").lower())
        transaction.on_commit(
            lambda: send_mail(REVOKED_MAIL_SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        )
    return tokens


_TOKEN_COLUMNS = tuple(field.attname for field in ApiToken._meta.concrete_fields)
_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
# Every API call looks its token and user up by digest: compiled once a process (compiling the join cost
# several times running it), the digest bound per call. The digest is unique: no ORDER BY.
_TOKEN_ROW = PreparedQuery(
    ApiToken,
    lambda digest: (
        ApiToken.objects.filter(digest=digest)
        .order_by()
        .values_list(*_TOKEN_COLUMNS, *(f"user__{column}" for column in _USER_COLUMNS))
    ),
    digest=ApiToken._meta.get_field("digest"),
)


def _token_by_digest(digest: str) -> ApiToken | None:
    rows = _TOKEN_ROW.rows(digest=digest)
    if not rows:
        return None
    split = len(_TOKEN_COLUMNS)
    token = instance(ApiToken, _TOKEN_COLUMNS, rows[0][:split])
    token.user = instance(User, _USER_COLUMNS, rows[0][split:])
    return token


def token_for(raw: str, origin: Origin | None = None) -> ApiToken | None:
    """The token, if it still authenticates (not revoked, active user, no sign-in change since it was made),
    or ``None``. Marks the token used (to the minute).
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = _token_by_digest(_digest(raw))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.minted_epoch != token.user.session_epoch:
        api_tokens_invalidate(user=token.user, reason=STALE, origin=origin or Origin("api"), stale_only=True)
        return None
    _mark_used(token)
    return token


def _mark_used(token: ApiToken) -> None:
    """Best effort: a busy or failing database skips the mark; it never fails the call that uses the token."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at <= LAST_USED_RESOLUTION:
        return
    try:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except DatabaseError as error:
        log.info("token_last_used_skipped token=%s error=%r", token.prefix, str(error)[:120])
    else:
        token.last_used_at = now


def token_sign_in(token: ApiToken) -> SignIn:
    return SignIn(mfa=token.mfa, sso_team_ids=frozenset(token.sso_team_ids))
