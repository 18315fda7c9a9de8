"""Team pages: apps, Access (members and collaborators, pencil-edit of roles), settings, audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accessctl.access import policy as p
from accessctl.access.errors import Invalid
from accessctl.access.facts import access_for
from accessctl.audit.export import audit_csv_response
from accessctl.audit.models import AuditEvent
from accessctl.identity.models import User
from accessctl.identity.people import clean_email
from accessctl.web.changes import change, done, pencil_form, pencil_saved
from accessctl.web.keyset import PreparedRows, keyset_page
from accessctl.web.lookups import get_team
from accessctl.web.rowurls import row_urls
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
)
from teams.invitations import first_pending_invitations, invitation_send
from teams.models import Team
from teams.selectors import (
    membership_of,
    team_admin_count,
    team_app_suggestions,
    team_grants_of,
    team_people,
    team_people_page,
)

ACCESS_TEMPLATE = "teams/team_access.html"
ADD_MEMBER_ID = "add-member-%s"  # two add forms on one page: ids of their own (no two id_user)
ADD_COLLABORATOR_ID = "add-collaborator-%s"
GRANTS_SHOWN = 20  # the remove page names the first; the removal acts on every grant
INVITATIONS_SHOWN = 10  # the Access page shows the first ones; the rest are a link away (teams:invitations)


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


def last_admin_context(request: HttpRequest, team: Team, *, fresh: bool = False) -> dict[str, Any]:
    """The admin count for the rows' last-admin rule, and whether it holds the signed-in user back; ``fresh``
    after a change made by this request (the loaded team's count is from before it).
    """
    admins = team_admin_count(team, fresh=fresh)
    my_role = access_for(request.user).role_in(team.pk)
    return {
        "admins": admins,
        "i_am_last_admin": p.is_last_admin(role=my_role, admins=admins),
        "last_admin_reason": p.LAST_ADMIN_REASON.format(team=team.name),
    }


def row_context(request: HttpRequest, team: Team, *, fresh: bool = False) -> dict[str, Any]:
    """What each Access row needs, worked out once a page: the last-admin rule's count, whether the user
    manages members (one ``has_perm``, not one a row) and the rows' URLs (reversed once)."""
    return {
        "can_manage": request.user.has_perm(p.MANAGE_MEMBERS, team),
        "row_urls": row_urls("teams:", ("member-edit", "member-remove"), team=team.name),
        **last_admin_context(request, team, fresh=fresh),
    }


def _access_page(request: HttpRequest, team: Team, status: int = 200, **forms: Any) -> HttpResponse:
    """The Access page; ``forms`` are refused add forms shown again with their errors."""
    filters = PeopleFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    role, search = data.get("role") or None, data.get("q") or None

    def fetch(backwards: bool, cursor: list[Any] | None, limit: int) -> list[Any] | None:
        if search:  # rare, and its pattern needs the ORM's escaping: the queryset
            return None
        after = cursor[0] if cursor is not None else None
        return team_people_page(team, role=role, backwards=backwards, after_email=after, limit=limit)

    people = PreparedRows(User, fetch, lambda: team_people(team, role=role, search=search))
    page = keyset_page(request, people, keys=("email",), size=settings.PAGE_SIZE)
    invitations = first_pending_invitations(team, INVITATIONS_SHOWN + 1)
    context = {
        "team": team,
        "page": page,
        "filters": filters,
        "query": page.query,
        "add_member_form": AddMemberForm(auto_id=ADD_MEMBER_ID),
        "add_collaborator_form": AddCollaboratorForm(team=team, auto_id=ADD_COLLABORATOR_ID),
        "invitations": invitations[:INVITATIONS_SHOWN],
        "more_invitations": len(invitations) > INVITATIONS_SHOWN,
        **row_context(request, team),
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
    context = {"team": found, "person": _person(found, user_id), **row_context(request, found)}
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
    before = person.team_role  # type: ignore[attr-defined]
    if request.method == "POST" and change(request, services.team_member_add, form, team=found, user=person):
        after = _person(found, user_id)
        return pencil_saved(
            request,
            row=f"{ACCESS_TEMPLATE}#member-row",
            context={"team": found, "person": after, **row_context(request, found, fresh=True)},
            message=_role_message(person.email, before, after.team_role),  # type: ignore[attr-defined]
            url=_access_url(found),
        )
    context = {"team": found, "person": person, "form": form}
    return pencil_form(
        request, partial=f"{ACCESS_TEMPLATE}#member-form", page="teams/member_edit.html", context=context
    )


def _role_message(email: str, before: str | None, after: str, team: Team | None = None) -> str:
    """What an add or a role change did, in words: added, changed from one role to another, or nothing."""
    if before is None:
        return f"Added {email} to {team.name} as {after}." if team else f"Added {email} as {after}."
    if before == after:
        return f"{email} is already a member ({after}); nothing changed."
    return f"Changed role of {email} from {before} to {after}."


def _existing_role(team: Team, email: str) -> str | None:
    """The role the typed e-mail already has in the team (``None`` for someone new or a malformed address)."""
    try:
        membership = membership_of(team, clean_email(email))
    except Invalid:
        return None  # the form reports the address when it is validated
    return membership.role if membership else None


@require_POST
def member_add(request: HttpRequest, team: str) -> HttpResponse:
    """Add a member. An existing member's role changes after a confirmation on the Access page (SPEC 7, 16);
    with invitations on, anyone else gets an invitation by e-mail instead of a membership (SPEC 16)."""
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    before = _existing_role(found, request.POST.get("user", ""))
    wanted = request.POST.get("role")
    if (
        before is not None
        and before != wanted
        and not request.POST.get("confirm")
        and wanted in p.TeamRole.values
    ):
        form: AddMemberForm | InviteForm = AddMemberForm(request.POST, auto_id=ADD_MEMBER_ID)
        confirm = {"email": form["user"].value(), "before": before, "after": wanted}
        return _access_page(request, found, add_member_form=form, confirm_role=confirm)
    if before is None and found.invite_acceptance:
        form = InviteForm(request.POST, auto_id=ADD_MEMBER_ID)
        base_url = request.build_absolute_uri("/")
        outcome = change(request, invitation_send, form, team=found, base_url=base_url)
        if outcome:
            sent = outcome.result
            message = f"Invited {sent.email} to {found.name} as {sent.role}. The link is valid for 7 days."
            return done(request, outcome, message, _access_url(found))
    else:
        form = AddMemberForm(request.POST, auto_id=ADD_MEMBER_ID)
        outcome = change(request, services.team_member_add, form, team=found)
        if outcome:
            membership = outcome.result
            message = _role_message(membership.user.email, before, membership.role, found)
            if before == membership.role:
                messages.info(request, message)
                return redirect(_access_url(found))
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
    form = AddCollaboratorForm(request.POST, team=found, auto_id=ADD_COLLABORATOR_ID)
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
    grants = team_grants_of(found, person, limit=GRANTS_SHOWN + 1)
    context = {
        "team": found,
        "person": person,
        "grants": grants[:GRANTS_SHOWN],
        "more_grants": len(grants) > GRANTS_SHOWN,
        "form": form,
        **last_admin_context(request, found),
    }
    return render(request, "teams/member_remove.html", context)


@require_POST
def team_leave(request: HttpRequest, team: str) -> HttpResponse:
    """The signed-in user leaves the team."""
    found = get_team(request, team, perm=p.LEAVE_TEAM)
    outcome = change(request, services.team_leave, team=found)
    url = reverse("home") if outcome else _access_url(found)
    return done(request, outcome, f"You left {found.name}.", url)


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
