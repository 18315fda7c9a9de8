"""Team pages: apps, Access (members and collaborators, pencil-edit of roles), settings, audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accessctl.access import policy as p
from accessctl.access.errors import Invalid
from accessctl.audit.export import audit_csv_response
from accessctl.audit.models import AuditEvent
from accessctl.identity.models import User
from accessctl.identity.people import clean_email
from accessctl.identity.sso.services import team_sso_configure
from accessctl.web.changes import change, done, pencil_form, pencil_saved
from accessctl.web.keyset import keyset_page
from accessctl.web.lookups import get_team
from accessctl.webhooks.views import webhook_context
from apps.forms_requests import choice_key
from apps.selectors import app_rows_for, apps_visible_to
from teams import services
from teams.collaborators import team_collaborator_add, team_collaborator_remove
from teams.forms import (
    AddCollaboratorForm,
    AddMemberForm,
    AuditFilterForm,
    InviteForm,
    PeopleFilterForm,
    RemoveForm,
    RoleForm,
    TeamSettingsForm,
    TeamSsoForm,
)
from teams.invitations import invitation_send, pending_invitations
from teams.models import Membership, Team
from teams.selectors import membership_of, team_app_suggestions, team_grants_of, team_people

ACCESS_TEMPLATE = "teams/team_access.html"


def _access_url(team: Team) -> str:
    return reverse("teams:access", kwargs={"team": team.name})


def team_apps(request: HttpRequest, team: str) -> HttpResponse:
    """The team's apps (collaborators: only theirs), with lock state, my permissions and a Join button."""
    found = get_team(request, team, perm=p.LIST_APPS_TEAM)
    apps = apps_visible_to(request.user).filter(team=found)
    page = keyset_page(request, apps, keys=("name",), size=settings.PAGE_SIZE)
    return render(
        request,
        "teams/team_apps.html",
        {"team": found, "page": page, "rows": app_rows_for(request.user, page)},
    )


def _access_page(request: HttpRequest, team: Team, status: int = 200, **forms: Any) -> HttpResponse:
    """The Access page; ``forms`` are refused add forms shown again with their errors."""
    filters = PeopleFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    people = team_people(team, role=data.get("role") or None, search=data.get("q") or None)
    page = keyset_page(request, people, keys=("email",), size=settings.PAGE_SIZE)
    context = {
        "team": team,
        "page": page,
        "filters": filters,
        "query": page.query,
        "add_member_form": AddMemberForm(),
        "add_collaborator_form": AddCollaboratorForm(team=team),
        "invitations": pending_invitations(team),
        **forms,
    }
    if request.htmx and request.htmx.target == "member-table":  # type: ignore[attr-defined]
        return render(request, f"{ACCESS_TEMPLATE}#member-table", context)
    return render(request, ACCESS_TEMPLATE, context, status=status)


def team_access(request: HttpRequest, team: str) -> HttpResponse:
    """Members and collaborators with role, MFA and SSO status. Admins edit; others read."""
    return _access_page(request, get_team(request, team))


def _person(team: Team, user_id: int) -> User:
    person = team_people(team).filter(pk=user_id).first()
    if person is None:
        raise Http404("Not a member or collaborator of this team.")
    return person


def member_row(request: HttpRequest, team: str, user_id: int) -> HttpResponse:
    """One row of the Access table (htmx: the Cancel of a pencil edit)."""
    found = get_team(request, team)
    context = {"team": found, "person": _person(found, user_id)}
    return render(request, f"{ACCESS_TEMPLATE}#member-row", context)


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, team: str, user_id: int) -> HttpResponse:
    """The pencil: a role form in place of the row; on save the updated row comes back."""
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    person = _person(found, user_id)
    form = RoleForm(
        request.POST if request.method == "POST" else None,
        initial={"role": person.team_role or p.TeamRole.MEMBER},  # type: ignore[attr-defined]
    )
    if request.method == "POST" and change(request, services.team_member_add, form, team=found, user=person):
        return pencil_saved(
            request,
            row=f"{ACCESS_TEMPLATE}#member-row",
            context={"team": found, "person": _person(found, user_id)},
            message=f"{person.email} is now {form.cleaned_data['role']}.",
            url=_access_url(found),
        )
    context = {"team": found, "person": person, "form": form}
    return pencil_form(
        request, partial=f"{ACCESS_TEMPLATE}#member-form", page="teams/member_edit.html", context=context
    )


def _existing_member(team: Team, text: str) -> Membership | None:
    """The membership of a typed address, if it is one (the form itself says what is wrong with a bad one)."""
    try:
        return membership_of(team, clean_email(text))
    except Invalid:
        return None


@require_POST
def member_add(request: HttpRequest, team: str) -> HttpResponse:
    """Add a member. An existing member's role changes after a confirmation (SPEC 7); with invitations on,
    anyone else gets an invitation by e-mail instead of a membership (SPEC 16)."""
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    existing = _existing_member(found, request.POST.get("user", ""))
    role = request.POST.get("role", "")
    if existing is not None:
        if existing.role != role and role in p.TeamRole.values and not request.POST.get("confirm"):
            context = {"team": found, "membership": existing, "role": role}
            return render(request, "teams/member_role_confirm.html", context)
        form: AddMemberForm | InviteForm = AddMemberForm(request.POST)
        outcome = change(request, services.team_member_add, form, team=found)
        if outcome:
            before, user = existing.role, existing.user.email
            message = (
                f"Changed role of {user} from {before} to {role}."
                if before != role
                else f"{user} is already {role} of {found.name}."
            )
            return done(request, outcome, message, _access_url(found))
    elif found.invite_acceptance:
        form = InviteForm(request.POST)
        base_url = request.build_absolute_uri("/")
        outcome = change(request, invitation_send, form, team=found, base_url=base_url)
        if outcome:
            sent = outcome.result
            message = f"Invited {sent.email} to {found.name} as {sent.role}. The link is valid for 7 days."
            return done(request, outcome, message, _access_url(found))
    else:
        form = AddMemberForm(request.POST)
        outcome = change(request, services.team_member_add, form, team=found)
        if outcome:
            membership = outcome.result
            message = f"Added {membership.user.email} to {found.name} as {membership.role}."
            return done(request, outcome, message, _access_url(found))
    return _access_page(request, found, status=422, add_member_form=form)


def app_search(request: HttpRequest, team: str) -> HttpResponse:
    """The app picker's suggestions: at most 20 team apps matching ``?q=`` (or the field's own ``app``)."""
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    query = request.GET.get("q") or request.GET.get("app") or ""
    context = {"team": found, "suggestions": team_app_suggestions(found, query)}
    return render(request, f"{ACCESS_TEMPLATE}#app-options", context)


@require_POST
def collaborator_add(request: HttpRequest, team: str) -> HttpResponse:
    """Add someone outside the team to one app with view permission."""
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    form = AddCollaboratorForm(request.POST, team=found)
    outcome = change(request, team_collaborator_add, form, team=found)
    if outcome:
        grant = outcome.result
        message = f"{grant.user.email} can now view {grant.app.name}."
        return done(request, outcome, message, _access_url(found))
    return _access_page(request, found, status=422, add_collaborator_form=form)


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, team: str, user_id: int) -> HttpResponse:
    """Confirm and remove a member (optionally revoking their app grants) or a collaborator."""
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    person = _person(found, user_id)
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if person.team_role:  # type: ignore[attr-defined]
            outcome = change(request, services.team_member_remove, form, team=found, user=person)
        else:
            outcome = change(request, team_collaborator_remove, team=found, user=person)
        return done(request, outcome, f"Removed {person.email} from {found.name}.", _access_url(found))
    context = {"team": found, "person": person, "grants": team_grants_of(found, person), "form": form}
    return render(request, "teams/member_remove.html", context)


@require_POST
def team_leave(request: HttpRequest, team: str) -> HttpResponse:
    """The signed-in user leaves the team."""
    found = get_team(request, team, perm=p.LEAVE_TEAM)
    outcome = change(request, services.team_leave, team=found)
    url = reverse("home") if outcome else _access_url(found)
    return done(request, outcome, f"You left {found.name}.", url)


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


@require_POST
def team_sso(request: HttpRequest, team: str) -> HttpResponse:
    """Configure the team's OpenID Connect identity provider and SSO enforcement."""
    found = get_team(request, team, perm=p.MANAGE_SETTINGS_TEAM)
    form = _sso_form(found, request.POST)
    outcome = change(request, team_sso_configure, form, team=found)
    if outcome:
        url = reverse("teams:settings", kwargs={"team": found.name})
        return done(request, outcome, "Single sign-on settings saved.", url)
    return _settings_page(request, found, status=422, sso_form=form)


def team_audit(request: HttpRequest, team: str) -> HttpResponse | StreamingHttpResponse:
    """The team's audit events, newest first, filtered; ``?format=csv`` streams the filtered set."""
    found = get_team(request, team, perm=p.VIEW_AUDIT_TEAM)
    filters = AuditFilterForm(request.GET or None)
    events = filters.apply(AuditEvent.objects.filter(team=found)).order_by("-created_at", "-id")
    if request.GET.get("format") == "csv":
        return audit_csv_response(events, f"{found.name}-audit.csv")
    page = keyset_page(request, events, keys=("-created_at", "-id"), size=settings.PAGE_SIZE)
    context = {"team": found, "page": page, "filters": filters, "query": page.query}
    return render(request, "teams/team_audit.html", context)
