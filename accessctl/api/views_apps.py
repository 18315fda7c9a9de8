"""Platform API: apps, team apps, collaborators (contract E14-E29; transfers in ``views_transfers``)."""

from django.db.models import Q
from django.http import Http404

from accessctl.access import policy as p
from accessctl.access.errors import Invalid
from accessctl.access.facts import access_for
from accessctl.api import bodies as b
from accessctl.api import serializers as s
from accessctl.api import views_links as links
from accessctl.api.bodies import parse_body
from accessctl.api.http import ApiError, api_view, json_response, origin, ranged
from accessctl.api.views_requests import expiry_of
from accessctl.identity.people import recipient_for, user_for_email
from accessctl.identity.signin import hidden_team_ids
from accessctl.web.lookups import get_app, get_team
from apps import services, transfers
from apps.models import App
from apps.operations import app_maintenance_set
from apps.selectors import app_access_rows
from apps.temporary import temporary_grant_give

REGIONS = ("us", "eu")
STACKS = ("heroku-22", "heroku-24")
NOT_IN_PIPELINE = "This app is not in a pipeline."


def _joined(request, app) -> bool:
    return access_for(request.user).grant_on(app.pk) is not None


def _app_json(request, app):
    return s.app(app, joined=_joined(request, app))


def _reload(app):
    return App.objects.select_related("team", "owner").get(pk=app.pk)


def _create_attrs(data: b.PersonalAppCreate | b.TeamAppCreate) -> dict:
    attrs = {}
    if data.region is not None:
        if data.region not in REGIONS:
            raise Invalid(f"Unknown region {data.region}. Use one of: {', '.join(REGIONS)}.", field="region")
        attrs["region"] = data.region
    if data.stack is not None:
        if data.stack not in STACKS:
            raise Invalid(f"Unknown stack {data.stack}. Use one of: {', '.join(STACKS)}.", field="stack")
        attrs["stack"] = data.stack
    return attrs


@api_view("GET")
def user_apps(request):
    """E14: apps the caller owns or holds a grant on, without those of teams whose sign-in policy the token fails."""
    grants = access_for(request.user).held()
    apps = (
        App.objects.filter(Q(pk__in=list(grants)) | Q(owner=request.user))
        .exclude(team_id__in=list(hidden_team_ids(request)))
        .select_related("team", "owner")
    )
    return ranged(
        request,
        apps,
        allowed=("name", "id", "updated_at"),
        fields={"id": "public_id"},
        serialize=lambda app: _app_json(request, app),
    )


@api_view("GET", "POST")
def personal_apps(request):
    """GET: every app the caller can see (``heroku apps --all``); E16 (POST): create a personal app."""
    if request.method == "GET":
        return links.all_apps(request)
    data = parse_body(request, b.PersonalAppCreate)
    app = services.app_create(
        actor=request.user, name=data.name, origin=origin(request), **_create_attrs(data)
    )
    return json_response(_app_json(request, _reload(app)), status=201)


@api_view("POST")
def team_apps_create(request):
    """E15: create a team app (``locked: true`` locks it at once)."""
    data = parse_body(request, b.TeamAppCreate)
    team = get_team(request, data.team, perm=p.LIST_APPS_TEAM, page_facts=False)
    app = services.app_create(
        actor=request.user, name=data.name, team=team, origin=origin(request), **_create_attrs(data)
    )
    if data.locked:
        services.app_lock(actor=request.user, app=app, origin=origin(request))
    return json_response(_app_json(request, _reload(app)), status=201)


def _team_app(request, name):
    app = get_app(request, name)
    if not app.team_id:
        raise ApiError(422, "invalid_params", f"{app.name} is a personal app, not a team app.")
    return app


@api_view("GET", "PATCH")
def team_app(request, app):
    """E17 read a team app; E18 lock/unlock it (``locked``) or transfer it (``owner``). The CLI's
    ``apps:transfer <team>`` sends ``owner`` for a personal app too: that moves it into the team."""
    if request.method == "GET":
        return json_response(_app_json(request, _team_app(request, app)))
    data = parse_body(request, b.TeamAppPatch)  # exactly one of locked / owner
    if data.locked is not None:
        found = _team_app(request, app)
        found = services.app_set_locked(
            actor=request.user, app=found, locked=data.locked, origin=origin(request)
        )
    else:
        found = get_app(request, app)
        recipient = recipient_for(data.owner or "", field="owner")
        transfer = transfers.app_transfer_create(
            actor=request.user, app=found, recipient=recipient, origin=origin(request)
        )
        found = transfer.app
    return json_response(_app_json(request, _reload(found)))


def _collaborator(request, app, email):
    for row in app_access_rows(app).rows:
        if row.user.email.lower() == email.lower():
            return s.collaborator(app, row)
    return {}


@api_view("GET", "POST")
def team_app_collaborators(request, app):
    """GET: list the team app's collaborators; E19: add a user with permissions, or (no permissions, the
    caller's own e-mail) join the app."""
    app = _team_app(request, app)
    if request.method == "GET":
        return links.collaborator_list(request, app)
    data = parse_body(request, b.TeamCollaboratorAdd)
    email = data.user
    if data.permissions is None and email.lower() == request.user.email.lower():
        services.app_join(actor=request.user, app=app, origin=origin(request))
    elif data.expires_at is not None:  # a temporary grant (this product's extension)
        user = user_for_email(email, create=True, field="user")
        temporary_grant_give(
            actor=request.user,
            app=app,
            user=user,
            permissions=data.permissions if data.permissions is not None else ["view"],
            expires_at=expiry_of(data.expires_at),
            reason=data.reason or "",
            origin=origin(request),
        )
    else:
        perms = data.permissions if data.permissions is not None else ["view"]
        user = user_for_email(email, create=True, field="user")
        services.app_grant_add(
            actor=request.user, app=app, user=user, permissions=perms, origin=origin(request)
        )
    return json_response(_collaborator(request, app, email), status=201)


@api_view("GET", "PATCH", "DELETE")
def team_app_collaborator(request, app, email):
    """GET one collaborator; E20 (PATCH) replace their permissions; DELETE remove them (yourself: leave)."""
    app = _team_app(request, app)
    if request.method == "GET":
        return links.collaborator_info(request, app, email)
    if request.method == "DELETE":
        return links.collaborator_remove(request, app, email)
    data = parse_body(request, b.TeamCollaboratorUpdate)
    user = user_for_email(email, field="user")
    services.app_grant_update(
        actor=request.user, app=app, user=user, permissions=data.permissions, origin=origin(request)
    )
    return json_response(_collaborator(request, app, email))


@api_view("GET", "PATCH", "DELETE")
def app_detail(request, app):
    """E21 read an app; E22 rename it or switch maintenance; E23 delete it."""
    app = get_app(request, app)
    if request.method == "GET":
        return json_response(_app_json(request, app))
    if request.method == "DELETE":
        answer = _app_json(request, app)
        services.app_delete(actor=request.user, app=app, origin=origin(request))
        return json_response(answer)
    data = parse_body(request, b.AppPatch)  # at least one of name / maintenance
    if data.maintenance is not None:
        app_maintenance_set(actor=request.user, app=app, enabled=data.maintenance, origin=origin(request))
    if data.name is not None:
        app = services.app_rename(actor=request.user, app=app, name=data.name, origin=origin(request))
    return json_response(_app_json(request, _reload(app)))


@api_view("GET", "POST")
def app_collaborators(request, app):
    """E24 list who has access (admins and implicit team viewers are not listed); E25 add a collaborator."""
    app = get_app(request, app)
    if request.method == "GET":
        return links.collaborator_list(request, app)
    data = parse_body(request, b.CollaboratorAdd)
    user = user_for_email(data.user, create=True, field="user")
    services.app_grant_add(actor=request.user, app=app, user=user, origin=origin(request))
    return json_response(_collaborator(request, app, data.user), status=201)


@api_view("GET", "DELETE")
def app_collaborator(request, app, email):
    """GET one collaborator (404 naming the address if none); E26 remove one (removing yourself: leaving)."""
    app = get_app(request, app)
    if request.method == "GET":
        return links.collaborator_info(request, app, email)
    return links.collaborator_remove(request, app, email)


@api_view("GET")
def app_addons(request, app):
    """E28: add-ons are not managed here; always an empty list."""
    get_app(request, app)
    return json_response([])


@api_view("GET")
def app_pipeline_couplings(request, app):
    """E29: pipelines are not managed here; 404 is what the CLI expects for 'none'."""
    get_app(request, app)
    raise Http404(NOT_IN_PIPELINE)
