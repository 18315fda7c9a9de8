"""Identity: how someone signed in (password, MFA, a team's SSO) and the team sign-in policies built on it.

- ``sign_in_for(request)``: the :class:`policy.SignIn` of this request: from the session's allauth
  authentication records, or from the API token (whose creating session's facts it carries).
- ``require_sign_in_policy(request, team)``: raises :class:`SignInRequired` when a team member's sign-in does
  not meet the team's policy (``policy.sign_in_block``); pages show a page, the API a 403.
- The allauth adapters: record whether the last sign-in was federated and the IdP's ``amr``; check the SSO
  nonce; provision unknown SSO users as team members; refuse to take over an account by e-mail match.
- Changing or removing an MFA factor raises the user's ``session_epoch``, ending their other sessions.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import F, Q
from django.shortcuts import render

from accessctl import audit
from accessctl import policy as p
from accessctl.access import access_for
from accessctl.audit import Origin, SystemActor
from accessctl.errors import Invalid
from accessctl.models import User
from accessctl.sso.provider import PROVIDER
from teams.models import Team

SSO_PREFIX = "team-"
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "pin", "fpt", "face", "iris", "retina", "vbm"})


class SignInRequired(Exception):
    """A team member's sign-in does not meet the team's policy (``kind`` is ``"sso"`` or ``"mfa"``)."""

    def __init__(self, kind: str, team):
        self.kind, self.team = kind, team
        if kind == p.SSO_REQUIRED:
            message = (
                f"{team.name} requires signing in through its single sign-on. Sign in with {team.name} SSO."
            )
        else:
            message = f"{team.name} requires multi-factor authentication. Set up an authenticator app first."
        super().__init__(message)
        self.message = message


def provider_id_for(team) -> str:
    return f"{SSO_PREFIX}{team.pk}"


def team_id_for_provider(provider_id: str) -> int | None:
    if not provider_id or not provider_id.startswith(SSO_PREFIX):
        return None
    suffix = provider_id[len(SSO_PREFIX) :]
    return int(suffix) if suffix.isdigit() else None


def has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_sign_in(request) -> p.SignIn:
    """The sign-in facts of the session: MFA enrolment and the team IdPs it signed in through."""
    records = get_authentication_records(request, request.user)
    teams = {
        team_id_for_provider(record.get("provider", ""))
        for record in records
        if record.get("method") == "socialaccount"
    }
    return p.SignIn(mfa=has_mfa(request.user), sso_team_ids=frozenset(t for t in teams if t is not None))


def sign_in_for(request) -> p.SignIn:
    """The request's sign-in facts, computed once (the API sets them from the token)."""
    sign_in = getattr(request, "sign_in", None)
    if sign_in is None:
        sign_in = request.sign_in = session_sign_in(request)
    return sign_in


def require_sign_in_policy(request, team) -> None:
    """Raise :class:`SignInRequired` if the user is a member of ``team`` and their sign-in falls short."""
    if not (team.sso_enforced or team.require_mfa):
        return
    block = p.sign_in_block(access_for(request.user), team, sign_in_for(request))
    if block is not None:
        raise SignInRequired(block, team)


def token_blocks(request) -> list[str]:
    """Why this session may not create an API token: the teams whose sign-in policy it does not meet."""
    access, sign_in = access_for(request.user), sign_in_for(request)
    teams = Team.objects.filter(Q(sso_enforced=True) | Q(require_mfa=True), pk__in=list(access.roles))
    return [
        SignInRequired(block, team).message
        for team in teams
        if (block := p.sign_in_block(access, team, sign_in))
    ]


# --- recording sign-ins -------------------------------------------------------------------------------------


def record_sign_in(user, *, federated: bool, amr) -> None:
    """Remember whether the last sign-in went through an IdP, and its ``amr`` claim (shown to the team)."""
    User.objects.filter(pk=user.pk).update(
        last_sign_in_federated=federated, idp_amr=amr if federated else None
    )


def idp_mfa_status(amr) -> str:
    """What the IdP said about MFA: the methods of ``amr`` that are a second factor, or 'managed by IdP'."""
    methods = sorted(MFA_METHODS & set(amr or []))
    return f"MFA at IdP ({', '.join(methods)})" if methods else "managed by IdP (unknown)"


def end_other_sessions(request, user, *, change: str) -> None:
    """A sign-in factor changed: end the user's other sessions (keep this one) and audit it."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        user.refresh_from_db(fields=["session_epoch"])
        audit.record(
            actor=user,
            action="user.mfa",
            origin=Origin.from_request(request),
            target_user=user,
            after={"change": change},
        )
    if request is not None and getattr(request, "user", None) is not None and request.user.pk == user.pk:
        update_session_auth_hash(request, user)


def on_authenticator_added(sender, request, user, authenticator=None, **kwargs):
    end_other_sessions(request, user, change=f"added {getattr(authenticator, 'type', 'authenticator')}")


def on_authenticator_removed(sender, request, user, authenticator=None, **kwargs):
    end_other_sessions(request, user, change=f"removed {getattr(authenticator, 'type', 'authenticator')}")


def on_authenticator_reset(sender, request, user, authenticator=None, **kwargs):
    end_other_sessions(request, user, change="regenerated recovery codes")


# --- allauth adapters -----------------------------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    def post_login(self, request, user, **kwargs):
        sso = getattr(request, "_accessctl_sso", None)
        record_sign_in(user, federated=sso is not None, amr=sso["amr"] if sso else None)
        return super().post_login(request, user, **kwargs)


def _refuse(request, message: str, status: int = 403):
    return ImmediateHttpResponse(render(request, "sso/refused.html", {"message": message}, status=status))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Team SSO rules on top of allauth's flow."""

    def pre_social_login(self, request, sociallogin):
        claims = sociallogin.account.extra_data.get("id_token") or {}
        expected = (sociallogin.state or {}).get("nonce")
        if not expected or claims.get("nonce") != expected:
            raise _refuse(
                request, "The identity provider's answer did not match this sign-in (nonce). Try again.", 400
            )
        team = self._team(sociallogin)
        if team is None:
            raise _refuse(request, "This identity provider is not connected to a team any more.", 404)
        email = (sociallogin.user.email or "").strip()
        connecting = (sociallogin.state or {}).get("process") == "connect" and request.user.is_authenticated
        if connecting:
            return  # a signed-in user links this identity to their own account, explicitly
        if not sociallogin.is_existing and email and User.objects.filter(email__iexact=email).exists():
            raise _refuse(
                request,
                f"An account with the e-mail {email} already exists. It is not linked to {team.name} SSO "
                "automatically: sign in with your password, or ask a team admin for help.",
            )
        request._accessctl_sso = {"team_id": team.pk, "amr": claims.get("amr")}

    def _team(self, sociallogin):
        team_id = team_id_for_provider(sociallogin.account.provider)
        return Team.objects.filter(pk=team_id).first() if team_id else None

    def is_open_for_signup(self, request, sociallogin):
        return self._team(sociallogin) is not None

    def save_user(self, request, sociallogin, form=None):
        """Just-in-time provisioning: the new account becomes a member of the IdP's team."""
        from teams.services import team_member_add

        user = super().save_user(request, sociallogin, form)
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        team = self._team(sociallogin)
        team_member_add(
            actor=SystemActor(f"sso:{team.name}"),
            team=team,
            email=user.email,
            role="member",
            origin=Origin.from_request(request),
        )
        return user


# --- configuring a team's identity provider ----------------------------------------------------------------------

LINK_BEFORE_ENFORCING = (
    "Link your own account to {team} SSO (Account page, 'Link {team} SSO') before enforcing it, so that you "
    "do not lock yourself out."
)


def _linked(user, app) -> bool:
    from allauth.socialaccount.models import SocialAccount

    return (
        app is not None and SocialAccount.objects.filter(user_id=user.pk, provider=app.provider_id).exists()
    )


@transaction.atomic
def team_sso_configure(
    *, actor, team, origin: Origin, issuer: str, client_id: str, secret: str | None, enforced: bool
):
    """Set the team's OpenID Connect provider (one per team) and whether SSO is enforced. Audited (no secret)."""
    from teams.services import require

    require(actor, p.MANAGE_SETTINGS_TEAM, team)
    issuer, client_id = (issuer or "").strip().rstrip("/"), (client_id or "").strip()
    if not issuer.startswith(("https://", "http://")):
        raise Invalid("The issuer must be a URL, for example https://idp.example.com.", field="issuer")
    if not client_id:
        raise Invalid("Enter the client ID the identity provider gave you.", field="client_id")
    app = team.sso_app
    if app is None and not secret:
        raise Invalid("Enter the client secret the identity provider gave you.", field="secret")
    if enforced and not team.sso_enforced and actor.pk is not None and not _linked(actor, app):
        raise Invalid(LINK_BEFORE_ENFORCING.format(team=team.name), field="enforced")
    before = {
        "issuer": app.settings.get("server_url") if app else None,
        "client_id": app.client_id if app else None,
        "enforced": team.sso_enforced,
    }
    if app is None:
        app = SocialApp(provider=PROVIDER, provider_id=provider_id_for(team))
    app.name = f"{team.name} SSO"
    app.client_id = client_id
    if secret:
        app.secret = secret
    app.settings = {"server_url": issuer, "token_auth_method": "client_secret_post"}
    app.save()
    team.sso_app = app
    team.sso_enforced = enforced
    team.save(update_fields=["sso_app", "sso_enforced", "updated_at"])
    audit.record(
        actor=actor,
        action="team.sso",
        origin=origin,
        team=team,
        before=before,
        after={
            "issuer": issuer,
            "client_id": client_id,
            "enforced": enforced,
            "secret_changed": bool(secret),
        },
    )
    return team
