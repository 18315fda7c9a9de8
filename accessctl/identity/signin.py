"""How someone signed in (password, MFA, a team's SSO) and the team sign-in policies built on it.

- ``sign_in_for(request)``: the :class:`SignIn` of this request: from the session's allauth authentication
  records, or from the API token (whose creating session's facts it carries).
- ``sign_in_blocks(request)``: the teams whose policy this request's sign-in fails, computed once per request;
  account-level lists (home, ``GET /users/~/apps``, ``GET /teams``) leave those teams' apps out with
  ``hidden_team_ids(request)``.
- ``require_sign_in_policy(request, team)``: raises :class:`SignInRequired` when a team member's sign-in does
  not meet the team's policy (``signin.sign_in_block``); pages show a page, the API a 403.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.db.models import Q

from accessctl.access.facts import access_for
from accessctl.access.signin import NO_SIGN_IN, SSO_REQUIRED, SignIn, sign_in_block
from teams.models import Team

SSO_PREFIX = "team-"
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "pin", "fpt", "face", "iris", "retina", "vbm"})


class SignInRequired(Exception):
    """A team member's sign-in does not meet the team's policy (``kind`` is ``"sso"`` or ``"mfa"``)."""

    def __init__(self, kind: str, team):
        self.kind, self.team = kind, team
        if kind == SSO_REQUIRED:
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


def session_sign_in(request) -> SignIn:
    """The sign-in facts of the session: MFA enrolment and the team IdPs it signed in through."""
    records = get_authentication_records(request, request.user)
    teams = {
        team_id_for_provider(record.get("provider", ""))
        for record in records
        if record.get("method") == "socialaccount"
    }
    return SignIn(mfa=has_mfa(request.user), sso_team_ids=frozenset(t for t in teams if t is not None))


def sign_in_for(request) -> SignIn:
    """The request's sign-in facts, computed once (the API sets them from the token)."""
    sign_in = getattr(request, "sign_in", None)
    if sign_in is None:
        sign_in = request.sign_in = session_sign_in(request)
    return sign_in


def sign_in_blocks(request, teams=None) -> dict[int, SignInRequired]:
    """The user's teams whose sign-in policy this session (or token) fails, by team id, with the reason.

    Computed once per request: from ``teams`` when the caller has loaded the user's teams already (with
    ``sso_app``), else one query for the user's teams that have a policy; none without a role.
    """
    blocks = getattr(request, "_sign_in_blocks", None)
    if blocks is None:
        access = access_for(request.user)
        blocks = {}
        if access.roles:
            if teams is None:
                teams = Team.objects.filter(
                    Q(sso_enforced=True) | Q(require_mfa=True), pk__in=list(access.roles)
                ).select_related("sso_app")
            teams = [
                team for team in teams if team.pk in access.roles and (team.sso_enforced or team.require_mfa)
            ]
            sign_in = sign_in_for(request) if teams else NO_SIGN_IN
            blocks = {
                team.pk: SignInRequired(block, team)
                for team in teams
                if (block := sign_in_block(access, team, sign_in))
            }
        request._sign_in_blocks = blocks
    return blocks


def hidden_team_ids(request) -> frozenset[int]:
    """The teams whose apps the request may not see in a list (their policy is not met); see ``sign_in_blocks``."""
    return frozenset(sign_in_blocks(request))


def require_sign_in_policy(request, team) -> None:
    """Raise :class:`SignInRequired` if the user is a member of ``team`` and their sign-in falls short."""
    if not (team.sso_enforced or team.require_mfa):
        return
    block = sign_in_blocks(request).get(team.pk)
    if block is not None:
        raise block


def token_blocks(request) -> list[str]:
    """Why this session may not create an API token: the teams whose sign-in policy it does not meet."""
    blocks = sign_in_blocks(request)
    return [blocks[pk].message for pk in sorted(blocks, key=lambda pk: blocks[pk].team.name)]


def idp_mfa_status(amr: Any) -> str:
    """What the IdP said about MFA: the methods of ``amr`` that are a second factor, or 'managed by IdP'."""
    methods = sorted(MFA_METHODS & set(amr or []))
    return f"MFA at IdP ({', '.join(methods)})" if methods else "managed by IdP (unknown)"
