"""allauth's hooks: record how people sign in, team SSO rules, just-in-time provisioning, factor changes.

- The account adapter records whether the last sign-in was federated and the IdP's ``amr``.
- The social account adapter checks the SSO nonce, refuses to take over an account by e-mail match and
  provisions unknown SSO users as members of the IdP's team.
- Adding or removing an MFA factor ends the user's other sessions and revokes their API tokens
  (``accounts.user_factor_changed``); so does a password change, set or reset (``accounts.user_password_changed``).
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from django.shortcuts import render

from accessctl.access.policy import TeamRole
from accessctl.audit.log import Origin, SystemActor
from accessctl.identity.accounts import record_sign_in, user_factor_changed, user_password_changed
from accessctl.identity.models import User
from accessctl.identity.signin import team_id_for_provider
from teams.models import Team
from teams.services import team_member_add

log = logging.getLogger("accessctl.sso")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Sign-up is open only where ``ACCOUNT_ALLOW_REGISTRATION`` is on and e-mail verification is mandatory:
        without verification, "already registered" would tell anyone which addresses have accounts."""
        return bool(getattr(settings, "ACCOUNT_ALLOW_REGISTRATION", False)) and (
            account_settings.EMAIL_VERIFICATION == account_settings.EmailVerificationMethod.MANDATORY
        )

    def clean_email(self, email):
        """Sign-up and e-mail changes refuse what every other entry point refuses (look-alike domains)."""
        from django import forms

        from accessctl.access.errors import DomainError
        from accessctl.identity.people import clean_email

        try:
            return clean_email(super().clean_email(email))
        except DomainError as error:
            raise forms.ValidationError(error.message) from None

    def post_login(self, request, user, **kwargs):
        sso = getattr(request, "_accessctl_sso", None)
        record_sign_in(user, federated=sso is not None, amr=sso["amr"] if sso else None)
        return super().post_login(request, user, **kwargs)


def _refuse(request, message: str, status: int = 403):
    return ImmediateHttpResponse(render(request, "sso/refused.html", {"message": message}, status=status))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Team SSO rules on top of allauth's flow."""

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """A refused SSO sign-in (bad token, state, answer of the IdP) is logged; allauth shows its 401 page."""
        cause = getattr(exception, "__cause__", None)
        log.warning(
            "sso sign-in failed provider=%s error=%s exception=%r cause=%r",
            getattr(provider, "sub_id", provider),
            error,
            exception,
            cause,
        )
        return super().on_authentication_error(request, provider, error, exception, extra_context)

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
        """A first sign-in creates an account only where the team allows it (its SSO settings)."""
        team = self._team(sociallogin)
        return team is not None and team.sso_create_accounts

    def save_user(self, request, sociallogin, form=None):
        """Just-in-time provisioning: the new account joins the IdP's team with the team's SSO role."""
        user = super().save_user(request, sociallogin, form)
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        team = self._team(sociallogin)
        team_member_add(
            actor=SystemActor(f"sso:{team.name}"),
            team=team,
            user=user,
            role=team.sso_role if team.sso_role != TeamRole.ADMIN else TeamRole.MEMBER,
            origin=Origin.from_request(request),
        )
        return user


def _keep_this_session(request: HttpRequest, user: User) -> None:
    """The acting session stays signed in, under a new session key (``update_session_auth_hash`` cycles it)."""
    if getattr(request, "user", None) is not None and request.user.pk == user.pk:
        update_session_auth_hash(request, user)


def _end_other_sessions(request: HttpRequest, user: User, change: str) -> None:
    user_factor_changed(user=user, change=change, origin=Origin.from_request(request))
    _keep_this_session(request, user)


def on_password_changed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    user_password_changed(user=user, change="changed", origin=Origin.from_request(request))
    _keep_this_session(request, user)


def on_password_set(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    user_password_changed(user=user, change="set", origin=Origin.from_request(request))
    _keep_this_session(request, user)


def on_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    user_password_changed(user=user, change="reset", origin=Origin.from_request(request))
    _keep_this_session(request, user)


def on_authenticator_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Any = None, **kwargs: Any
) -> None:
    _end_other_sessions(request, user, f"added {getattr(authenticator, 'type', 'authenticator')}")


def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any = None, **kwargs: Any
) -> None:
    _end_other_sessions(request, user, f"removed {getattr(authenticator, 'type', 'authenticator')}")


def on_authenticator_reset(
    sender: Any, request: HttpRequest, user: User, authenticator: Any = None, **kwargs: Any
) -> None:
    _end_other_sessions(request, user, "regenerated recovery codes")
