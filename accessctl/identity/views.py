"""The account page: profile, MFA, linked SSO identities and API tokens; the sign-in-policy page."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accessctl.identity.signin import SignInRequired, has_mfa, sign_in_for, token_blocks
from accessctl.identity.tokens import api_token_create, api_token_revoke
from accessctl.web.changes import change, done
from teams.models import Team


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=60, label="Token name", help_text="Where it will be used, e.g. 'laptop CLI'."
    )

    def __init__(self, *args: Any, blocks: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.blocks = blocks or []

    def clean(self) -> dict[str, Any]:
        for block in self.blocks:
            self.add_error(None, f"This session cannot create API tokens. {block}")
        return super().clean() or {}


def _page(request: HttpRequest, form: TokenForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "account.html",
        {
            "tokens": request.user.api_tokens.all(),  # type: ignore[union-attr]
            "token_form": form,
            "new_token": request.session.pop("new_api_token", None),
            "sso_links": _sso_links(request.user),
            "has_mfa": has_mfa(request.user),
        },
        status=status,
    )


def account(request: HttpRequest) -> HttpResponse:
    """Profile, MFA and API tokens. A new token's secret is shown once, right after creation."""
    return _page(request, TokenForm())


def _sso_links(user: Any) -> list[tuple[Team, bool]]:
    """The user's teams that have an identity provider, and whether the user linked their account to it."""
    teams = Team.objects.filter(memberships__user=user, sso_app__isnull=False).select_related("sso_app")
    linked = set(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))
    return [(team, team.sso_app.provider_id in linked) for team in teams.order_by("name")]  # type: ignore[union-attr]


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """A new token, only from a session that meets the sign-in policy (SSO, MFA) of every team of the user.

    The token keeps that session's sign-in facts, and the API holds it to the teams' policies with them.
    """
    form = TokenForm(request.POST, blocks=token_blocks(request))
    outcome = change(request, api_token_create, form, sign_in=sign_in_for(request))
    if outcome:
        _, raw = outcome.result
        request.session["new_api_token"] = raw
        return redirect("account")
    return _page(request, form, status=422)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    outcome = change(request, api_token_revoke, token_id=token_id)
    return done(
        request, outcome, "Token revoked. Scripts using it can no longer sign in.", reverse("account")
    )


def sign_in_required(request: HttpRequest, error: SignInRequired) -> HttpResponse:
    """The page shown when a team's sign-in policy holds a member back (SSO or MFA)."""
    app = error.team.sso_app
    sso_url = reverse("team_sso_login", kwargs={"provider_id": app.provider_id}) if app else None
    context = {"team": error.team, "kind": error.kind, "message": error.message, "sso_url": sso_url}
    return render(request, "sso/required.html", context, status=403)
