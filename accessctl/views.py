"""The dashboard home, the permissions help page and the error pages."""

from allauth.socialaccount.models import SocialAccount
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accessctl import identity, policy, web
from accessctl.tokens import api_token_create, api_token_revoke
from apps.selectors import app_rows_for, apps_visible_to
from teams.models import Team
from teams.selectors import teams_for


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=60, label="Token name", help_text="Where it will be used, e.g. 'laptop CLI'."
    )


@login_required
def home(request):
    """The teams I belong to and every app I can access, with my permissions and why."""
    page = Paginator(apps_visible_to(request.user), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "home.html",
        {"teams": teams_for(request.user), "page": page, "app_rows": app_rows_for(request.user, page)},
    )


def permissions_help(request):
    """The role table and the app action catalog, rendered from the rules module itself."""
    roles = [*policy.TeamRole.values, policy.COLLABORATOR]
    return render(
        request,
        "help/permissions.html",
        {
            "perm_order": policy.PERM_ORDER,
            "perm_descriptions": policy.PERM_DESCRIPTIONS,
            "app_actions": [
                (action, [perm in action.any_of for perm in policy.PERM_ORDER])
                for action in policy.APP_ACTIONS
            ],
            "roles": roles,
            "team_actions": [
                (action, [role in action.roles for role in roles]) for action in policy.TEAM_ACTIONS
            ],
        },
    )


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "You do not have permission to do this."
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


@login_required
def account(request):
    """Profile, MFA and API tokens. A new token's secret is shown once, right after creation."""
    return render(
        request,
        "account.html",
        {
            "tokens": request.user.api_tokens.all(),
            "token_form": TokenForm(),
            "new_token": request.session.pop("new_api_token", None),
            "sso_links": _sso_links(request.user),
        },
    )


def _sso_links(user):
    """The user's teams that have an identity provider, and whether the user linked their account to it."""
    teams = Team.objects.filter(memberships__user=user, sso_app__isnull=False).select_related("sso_app")
    linked = set(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))
    return [(team, team.sso_app.provider_id in linked) for team in teams.order_by("name")]


@login_required
@require_POST
def token_create(request):
    """A new token, only from a session that meets the sign-in policy (SSO, MFA) of every team of the user.

    The token keeps that session's sign-in facts, and the API holds it to the teams' policies with them.
    """
    form = TokenForm(request.POST)
    for block in identity.token_blocks(request):
        form.add_error(None, f"This session cannot create API tokens. {block}")
    if form.is_valid():
        _, raw = api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            origin=web.origin(request),
            sign_in=identity.sign_in_for(request),
        )
        request.session["new_api_token"] = raw
        return redirect("account")
    return render(
        request,
        "account.html",
        {"tokens": request.user.api_tokens.all(), "token_form": form},
        status=422,
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    _, error = web.call(request, api_token_revoke, token_id=token_id)
    return web.done(
        request, "Token revoked. Scripts using it can no longer sign in.", reverse("account"), error=error
    )


def sign_in_required(request, error):
    """The page shown when a team's sign-in policy holds a member back (SSO or MFA)."""
    app = error.team.sso_app
    sso_url = reverse("team_sso_login", kwargs={"provider_id": app.provider_id}) if app else None
    context = {"team": error.team, "kind": error.kind, "message": error.message, "sso_url": sso_url}
    return render(request, "sso/required.html", context, status=403)
