"""Platform API: the read links a team admin needs (collaborator lists and info, everyone's access to a team's
apps, one member's apps, every app one can see). The change views of ``views_apps`` call the helpers here."""

from django.db.models import Q
from django.http import Http404

from accessctl.access import policy as p
from accessctl.access.facts import access_for
from accessctl.api import serializers as s
from accessctl.api.http import api_view, json_response, origin, ranged
from accessctl.identity.models import User
from accessctl.identity.people import clean_email, user_for_email
from accessctl.identity.signin import hidden_team_ids
from accessctl.web.lookups import get_team
from apps import services
from apps.models import App
from apps.selectors import app_access_rows, apps_visible_to
from reviews.matrix import team_people_facts

NOT_A_COLLABORATOR = "{email} is not a collaborator on {app}. List them with `heroku access --app {app}`."
NOT_IN_TEAM = (
    "{email} is neither a member nor a collaborator of {team}. List them with `heroku members --team {team}`."
)


def _listed_rows(app):
    """Who is listed on an app: everyone with access except admins (they hold it through their role)."""
    return [row for row in app_access_rows(app).rows if row.reason != p.Reason.ADMIN_ROLE]


def collaborator_list(request, app):
    """GET /apps/{app}/collaborators and /teams/apps/{app}/collaborators: ranged by e-mail."""
    return ranged(
        request,
        _listed_rows(app),
        allowed=("email",),
        serialize=lambda row: s.collaborator(app, row),
        key=lambda row, field: getattr(row.user, field),
    )


def _listed(app, email):
    email = clean_email(email, field="email")
    row = next((row for row in _listed_rows(app) if row.user.email.lower() == email.lower()), None)
    return email, (s.collaborator(app, row) if row is not None else None)


def collaborator_info(request, app, email):
    """One collaborator of the app (404 naming the address when they are none)."""
    email, found = _listed(app, email)
    if found is None:
        raise Http404(NOT_A_COLLABORATOR.format(email=email, app=app.name))
    return json_response(found)


def collaborator_remove(request, app, email):
    """Remove a collaborator (one's own address: leave the app); answers who was removed. Someone without
    access is refused by the service, which says why."""
    email, found = _listed(app, email)
    if email == request.user.email.lower():
        services.app_leave(actor=request.user, app=app, origin=origin(request))
    else:
        user = user_for_email(email, field="user")
        services.app_grant_remove(actor=request.user, app=app, user=user, origin=origin(request))
    return json_response(found or {})


def all_apps(request):
    """GET /apps: every app the caller can see (personal, collaborated, their teams'), as ``/users/~/apps``."""
    apps = (
        apps_visible_to(request.user)
        .exclude(team_id__in=list(hidden_team_ids(request)))
        .select_related("team", "owner")
    )
    grants = access_for(request.user).held()
    return ranged(
        request,
        apps,
        allowed=("name", "id", "updated_at"),
        fields={"id": "public_id"},
        serialize=lambda app: s.app(app, joined=app.pk in grants),
    )


@api_view("GET")
def team_member_apps(request, team, email):
    """GET /teams/{team}/members/{email}/apps: the team's apps that member or collaborator can see."""
    team = get_team(request, team, perm=p.VIEW_MATRIX_TEAM, page_facts=False)
    email = clean_email(email, field="email")
    person = next((x for x in team_people_facts(team) if x.email.lower() == email.lower()), None)
    if person is None:
        raise Http404(NOT_IN_TEAM.format(email=email, team=team.name))
    apps = apps_visible_to(User.objects.get(pk=person.user_id)).filter(team=team).select_related("team")
    grants = access_for(request.user).held()
    return ranged(request, apps, allowed=("name",), serialize=lambda app: s.app(app, joined=app.pk in grants))


def _access_entry(person, app, perms, public_ids) -> dict:
    return {
        "app": {"id": str(app.public_id), "name": app.name},
        "user": {"id": str(public_ids[person.user_id]), "email": person.email},
        "role": person.role,
        "permissions": [s.permission(perm) for perm in p.sorted_perms(perms)],
        "expires_at": s.iso(person.expiries.get(app.pk)),
    }


@api_view("GET")
def team_access(request, team):
    """GET /teams/{team}/permissions: who holds which permissions on which of the team's apps through a grant,
    one entry per grant (its permissions as ``policy.resolve`` gives them), ordered by e-mail then app name and
    ranged on that (``Range: email ..; max=200``). Admins hold everything and members and viewers view every
    app through their role (``/teams/{team}/members``): listing each of those per app would only repeat the
    role, so they are left out, as on the app's Access list. Five queries whatever the size."""
    team = get_team(request, team, perm=p.VIEW_MATRIX_TEAM, page_facts=False)
    apps = {app.pk: app for app in App.objects.filter(team=team)}
    public_ids = dict(
        User.objects.filter(Q(memberships__team=team) | Q(grants__app__team=team))
        .distinct()
        .values_list("pk", "public_id")
    )
    rows = []
    for person in team_people_facts(team):
        for app_id in person.facts.grants:
            app = apps[app_id]
            perms, reason = p.resolve(person.facts, app)
            if perms and reason == p.Reason.GRANT:
                rows.append((f"{person.email} {app.name}", person, app, perms))
    return ranged(
        request,
        rows,
        allowed=("email",),
        serialize=lambda row: _access_entry(row[1], row[2], row[3], public_ids),
        key=lambda row, _: row[0],
    )
