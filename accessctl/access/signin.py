"""The sign-in policies of a team (SPEC section 10), as a pure rule over how a session signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from accessctl.access.policy import Access


@dataclass(frozen=True)
class SignIn:
    """How the current session (or the session that created an API token) signed in."""

    mfa: bool = False
    """The user has multi-factor authentication (a session: enrolled; a token: made after passing MFA)."""
    sso_team_ids: frozenset[int] = frozenset()
    """Teams whose identity provider this session signed in through."""


class TeamLikeSecurity(Protocol):
    id: int
    sso_enforced: bool
    require_mfa: bool


NO_SIGN_IN = SignIn()

SSO_REQUIRED = "sso"
MFA_REQUIRED = "mfa"


def sign_in_block(access: Access, team: TeamLikeSecurity, sign_in: SignIn) -> str | None:
    """Why a team member may not reach the team now (``"sso"`` / ``"mfa"``), or ``None``.

    Security policies bind team members only; collaborators and outsiders are never held back here. A member
    of a team enforcing SSO needs a session that signed in through the team's IdP. A member of a team
    requiring MFA needs MFA, unless they signed in through the team's IdP (MFA is then the IdP's job).
    """
    if access.roles.get(team.id) is None:
        return None
    via_team_sso = team.id in sign_in.sso_team_ids
    if team.sso_enforced and not via_team_sso:
        return SSO_REQUIRED
    if team.require_mfa and not via_team_sso and not sign_in.mfa:
        return MFA_REQUIRED
    return None
