"""Connecting a team's OpenID Connect identity provider and enforcing SSO: one audited service."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount, SocialApp
from django.db import transaction

from accessctl.access import policy as p
from accessctl.access.backend import require
from accessctl.access.errors import Invalid
from accessctl.audit import log as audit
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditAction
from accessctl.identity.signin import provider_id_for
from accessctl.identity.sso.provider import DEFAULT_ALGORITHMS, PROVIDER
from teams.models import Team

SSO_ROLES = (p.TeamRole.MEMBER, p.TeamRole.VIEWER)
LINK_BEFORE_ENFORCING = (
    "Link your own account to {team} SSO (Account page, 'Link {team} SSO') before enforcing it, so that you "
    "do not lock yourself out."
)


def _linked(user: Any, app: SocialApp | None) -> bool:
    return (
        app is not None and SocialAccount.objects.filter(user_id=user.pk, provider=app.provider_id).exists()
    )


@transaction.atomic
def team_sso_configure(
    *,
    actor: Any,
    team: Team,
    origin: Origin,
    issuer: str,
    client_id: str,
    secret: str | None,
    enforced: bool,
    create_accounts: bool = True,
    role: str = p.TeamRole.MEMBER,
) -> Team:
    """Set the team's OpenID Connect provider (one per team), whether SSO is enforced, and what a first SSO
    sign-in of someone unknown does: create an account (or not) with ``role``, member or viewer, never admin.
    Audited (no secret)."""
    require(actor, p.MANAGE_SETTINGS_TEAM, team)
    if role not in SSO_ROLES:
        raise Invalid("Accounts created by SSO are members or viewers, never admins.", field="role")
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
        "create_accounts": team.sso_create_accounts,
        "role": team.sso_role,
    }
    if app is None:
        app = SocialApp(provider=PROVIDER, provider_id=provider_id_for(team))
    app.name = f"{team.name} SSO"
    app.client_id = client_id
    if secret:
        app.secret = secret
    algorithms = (app.settings or {}).get("id_token_signed_response_algs") or list(DEFAULT_ALGORITHMS)
    app.settings = {
        "server_url": issuer,
        "token_auth_method": "client_secret_post",
        "id_token_signed_response_algs": algorithms,  # fixed here, never read from a token's header
    }
    app.save()
    team.sso_app = app
    team.sso_enforced = enforced
    team.sso_create_accounts, team.sso_role = create_accounts, role
    team.save(update_fields=["sso_app", "sso_enforced", "sso_create_accounts", "sso_role", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.TEAM_SSO,
        origin=origin,
        team=team,
        before=before,
        after={
            "issuer": issuer,
            "client_id": client_id,
            "enforced": enforced,
            "create_accounts": create_accounts,
            "role": role,
            "secret_changed": bool(secret),
        },
    )
    return team
