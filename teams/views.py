"""Team pages: apps, Access (members and collaborators, pencil-edit of roles), settings, audit log."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accessctl import identity
from accessctl import policy as p
from accessctl.models import AuditEvent
from accessctl.web import add_error, call, done, get_team, pencil_edit, query_without_page, submit
from apps.selectors import app_rows_for, apps_visible_to
from teams import services
from teams.collaborators import team_collaborator_add, team_collaborator_remove
from teams.forms import (
    AddCollaboratorForm,
    AddMemberForm,
    AuditFilterForm,
    PeopleFilterForm,
    RemoveForm,
    RoleForm,
    TeamSettingsForm,
    TeamSsoForm,
)
from teams.selectors import team_grants_of, team_people

ACCESS_TEMPLATE = "teams/team_access.html"


@login_required
def team_apps(request, team):
    """The team's apps (collaborators: only theirs), with lock state, my permissions and a Join button."""
    team = get_team(request, team, perm=p.LIST_APPS_TEAM)
    apps = apps_visible_to(request.user).filter(team=team)
    page = Paginator(apps, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "teams/team_apps.html",
        {"team": team, "page": page, "rows": app_rows_for(request.user, page)},
    )


def _access_context(request, team, **extra):
    filters = PeopleFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    people = team_people(team, role=data.get("role") or None, search=data.get("q") or None)
    page = Paginator(people, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    return {
        "team": team,
        "page": page,
        "filters": filters,
        "query": query,
        "add_member_form": AddMemberForm(),
        "add_collaborator_form": AddCollaboratorForm(team=team),
        **extra,
    }


@login_required
def team_access(request, team):
    """Members and collaborators with role, MFA and SSO status. Admins edit; others read."""
    team = get_team(request, team)
    context = _access_context(request, team)
    if request.htmx and request.htmx.target == "member-table":
        return render(request, f"{ACCESS_TEMPLATE}#member-table", context)
    return render(request, ACCESS_TEMPLATE, context)


def _person(team, user_id):
    person = team_people(team).filter(pk=user_id).first()
    if person is None:
        raise Http404("Not a member or collaborator of this team.")
    return person


@login_required
def member_row(request, team, user_id):
    """One row of the Access table (htmx: the Cancel of a pencil edit)."""
    team = get_team(request, team)
    return render(request, f"{ACCESS_TEMPLATE}#member-row", {"team": team, "person": _person(team, user_id)})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, team, user_id):
    """The pencil: a role form in place of the row; on save the updated row comes back."""
    team = get_team(request, team, perm=p.MANAGE_MEMBERS)
    person = _person(team, user_id)
    form = RoleForm(
        request.POST if request.method == "POST" else None,
        initial={"role": person.team_role or p.TeamRole.MEMBER},
    )
    return pencil_edit(
        request,
        form=form,
        save=lambda data: call(
            request, services.team_member_add, team=team, email=person.email, role=data["role"]
        ),
        saved=f"{person.email} is now {form.data.get('role')}.",
        back_url=reverse("teams:access", kwargs={"team": team.name}),
        template=ACCESS_TEMPLATE,
        partials=("member-row", "member-form"),
        page="teams/member_edit.html",
        context={"team": team, "person": person},
        fresh_row=lambda: {"team": team, "person": _person(team, user_id)},
    )


@login_required
@require_POST
def member_add(request, team):
    """Add a member (or change the role of one already there)."""
    team = get_team(request, team, perm=p.MANAGE_MEMBERS)
    form = AddMemberForm(request.POST)
    return submit(
        request,
        form,
        lambda data: call(request, services.team_member_add, team=team, **data),
        success=lambda _: (
            f"Added {form.cleaned_data['email']} to {team.name} as {form.cleaned_data['role']}."
        ),
        url=reverse("teams:access", kwargs={"team": team.name}),
        failure=lambda: _access_page_with(request, team, add_member_form=form),
    )


@login_required
@require_POST
def collaborator_add(request, team):
    """Add someone outside the team to one app with view permission."""
    team = get_team(request, team, perm=p.MANAGE_MEMBERS)
    form = AddCollaboratorForm(request.POST, team=team)
    return submit(
        request,
        form,
        lambda data: call(request, team_collaborator_add, team=team, **data),
        success=lambda _: f"{form.cleaned_data['email']} can now view {form.cleaned_data['app'].name}.",
        url=reverse("teams:access", kwargs={"team": team.name}),
        failure=lambda: _access_page_with(request, team, add_collaborator_form=form),
    )


def _access_page_with(request, team, **forms):
    """The Access page again, with a refused add form showing its errors."""
    return render(request, ACCESS_TEMPLATE, _access_context(request, team, **forms), status=422)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, team, user_id):
    """Confirm and remove a member (optionally revoking their app grants) or a collaborator."""
    team = get_team(request, team, perm=p.MANAGE_MEMBERS)
    person = _person(team, user_id)
    grants = team_grants_of(team, person)
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if person.team_role:
            revoke = form.cleaned_data["revoke_grants"]
            _, error = call(
                request, services.team_member_remove, team=team, email=person.email, revoke_grants=revoke
            )
        else:
            _, error = call(request, team_collaborator_remove, team=team, email=person.email)
        url = reverse("teams:access", kwargs={"team": team.name})
        return done(request, f"Removed {person.email} from {team.name}.", url, error=error)
    return render(
        request, "teams/member_remove.html", {"team": team, "person": person, "grants": grants, "form": form}
    )


@login_required
@require_POST
def team_leave(request, team):
    """The signed-in user leaves the team."""
    team = get_team(request, team, perm=p.LEAVE_TEAM)
    _, error = call(request, services.team_leave, team=team)
    url = reverse("home") if error is None else reverse("teams:access", kwargs={"team": team.name})
    return done(request, f"You left {team.name}.", url, error=error)


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request, team):
    """Rename, join permissions, require MFA."""
    team = get_team(request, team, perm=p.MANAGE_SETTINGS_TEAM)
    initial = {"name": team.name, "join_permissions": team.join_permissions, "require_mfa": team.require_mfa}
    form = TeamSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated, error = call(request, services.team_settings_update, team=team, **form.cleaned_data)
        if error is None:
            messages.success(request, "Team settings saved.")
            return redirect("teams:settings", team=updated.name)
        add_error(form, error)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "teams/team_settings.html",
        {"team": team, "form": form, "sso_form": _sso_form(team)},
        status=status,
    )


def _sso_form(team, data=None):
    app = team.sso_app
    initial = {"issuer": app.settings.get("server_url", ""), "client_id": app.client_id} if app else {}
    return TeamSsoForm(data, initial={**initial, "enforced": team.sso_enforced})


@login_required
@require_POST
def team_sso(request, team):
    """Configure the team's OpenID Connect identity provider and SSO enforcement."""
    team = get_team(request, team, perm=p.MANAGE_SETTINGS_TEAM)
    form = _sso_form(team, request.POST)
    if form.is_valid():
        _, error = call(request, identity.team_sso_configure, team=team, **form.cleaned_data)
        if error is None:
            messages.success(request, "Single sign-on settings saved.")
            return redirect("teams:settings", team=team.name)
        add_error(form, error)
    settings_form = TeamSettingsForm(
        initial={
            "name": team.name,
            "join_permissions": team.join_permissions,
            "require_mfa": team.require_mfa,
        }
    )
    context = {"team": team, "form": settings_form, "sso_form": form}
    return render(request, "teams/team_settings.html", context, status=422)


@login_required
def team_audit(request, team):
    """The team's audit events, newest first, filtered; ``?format=csv`` streams the filtered set."""
    team = get_team(request, team, perm=p.VIEW_AUDIT_TEAM)
    filters = AuditFilterForm(request.GET or None)
    events = filters.apply(AuditEvent.objects.filter(team=team)).order_by("-created_at", "-id")
    if request.GET.get("format") == "csv":
        return _audit_csv(team, events)
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    return render(
        request, "teams/team_audit.html", {"team": team, "page": page, "filters": filters, "query": query}
    )


class _Echo:
    def write(self, value):
        return value


AUDIT_COLUMNS = ["time", "actor", "action", "app", "target", "before", "after", "source", "ip"]


def _audit_csv(team, events):
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(AUDIT_COLUMNS)
        for e in events.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    e.created_at.isoformat(),
                    e.actor_label,
                    e.action,
                    e.app_name,
                    e.target_email,
                    e.before or "",
                    e.after or "",
                    e.source,
                    e.ip or "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{team.name}-audit.csv"'
    return response
