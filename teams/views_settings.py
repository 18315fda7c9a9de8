"""Team settings pages: rename, join permissions, MFA, request policy, invitations, single sign-on, webhooks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accessctl.access import policy as p
from accessctl.identity.sso.services import team_sso_configure
from accessctl.web.changes import change, done
from accessctl.web.lookups import get_team
from accessctl.webhooks.views import webhook_context
from apps.forms_requests import choice_key
from teams import services
from teams.forms import TeamSettingsForm, TeamSsoForm
from teams.models import Team
from teams.views import last_admin_context


def _settings_initial(team: Team) -> dict[str, Any]:
    return {
        "name": team.name,
        "join_permissions": team.join_permissions,
        "require_mfa": team.require_mfa,
        "request_max_duration": choice_key(team.request_max_duration),
        "request_permanent_allowed": "yes" if team.request_permanent_allowed else "no",
        "request_locked_apps": "yes" if team.request_locked_apps else "no",
        "invite_acceptance": team.invite_acceptance,
    }


def _sso_form(team: Team, data: Any = None) -> TeamSsoForm:
    app = team.sso_app
    initial = {"issuer": app.settings.get("server_url", ""), "client_id": app.client_id} if app else {}
    initial.update(enforced=team.sso_enforced, create_accounts=team.sso_create_accounts, role=team.sso_role)
    return TeamSsoForm(data, initial=initial)


def _settings_page(request: HttpRequest, team: Team, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        **last_admin_context(request, team),
        "team": team,
        "form": TeamSettingsForm(initial=_settings_initial(team)),
        "sso_form": _sso_form(team),
        **webhook_context(request, team),
        **forms,
    }
    return render(request, "teams/team_settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
def team_settings(request: HttpRequest, team: str) -> HttpResponse:
    """Rename, join permissions, require MFA."""
    found = get_team(request, team, perm=p.MANAGE_SETTINGS_TEAM)
    if request.method == "GET":
        return _settings_page(request, found)
    form = TeamSettingsForm(request.POST, initial=_settings_initial(found))
    outcome = change(request, services.team_settings_update, form, team=found)
    if outcome:
        url = reverse("teams:settings", kwargs={"team": outcome.result.name})
        return done(request, outcome, "Team settings saved.", url)
    return _settings_page(request, found, status=422, form=form)


@require_http_methods(["GET", "POST"])
def team_sso(request: HttpRequest, team: str) -> HttpResponse:
    """Configure the team's OpenID Connect identity provider and SSO enforcement (GET: the settings page)."""
    found = get_team(request, team, perm=p.MANAGE_SETTINGS_TEAM)
    if request.method == "GET":
        return redirect(reverse("teams:settings", kwargs={"team": found.name}) + "#sso-heading")
    form = _sso_form(found, request.POST)
    outcome = change(request, team_sso_configure, form, team=found)
    if outcome:
        url = reverse("teams:settings", kwargs={"team": found.name})
        return done(request, outcome, "Single sign-on settings saved.", url)
    return _settings_page(request, found, status=422, sso_form=form)
