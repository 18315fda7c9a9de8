"""Platform API: config vars, releases, formation and dynos (contract E30-E40)."""

from accessctl.access import policy as p
from accessctl.api import serializers as s
from accessctl.api.bodies import ConfigVars, FormationPatch, Rollback, parse_body
from accessctl.api.http import ApiError, api_view, json_response, origin, ranged
from accessctl.web.lookups import get_app
from apps import operations
from apps.models import Release


@api_view("GET", "PATCH")
def config_vars(request, app):
    """E30 read config vars (deploy or manage); E31 set (string) or unset (null) them, making a release."""
    app = get_app(
        request, app, perm=p.EDIT_CONFIG_APP, refusal="Config vars need the deploy or manage permission."
    )
    if request.method == "PATCH":
        changes = parse_body(request, ConfigVars).root
        operations.app_config_update(actor=request.user, app=app, changes=changes, origin=origin(request))
        app.refresh_from_db(fields=["config_vars"])
    return json_response(app.config_vars)


def _current(app):
    return app.releases.order_by("-version").first()


@api_view("GET", "POST")
def releases(request, app):
    """E32 list releases (Range on version, e.g. ``version ..; max=15, order=desc``); E34 roll back."""
    app = get_app(request, app)
    if request.method == "POST":
        data = parse_body(request, Rollback)
        target = _find_release(app, data.release)
        release = operations.app_rollback(
            actor=request.user, app=app, version=target.version, origin=origin(request)
        )
        return json_response(s.release(release, app, current=True), status=201)
    current = _current(app)
    return ranged(
        request,
        app.releases.select_related("user"),
        allowed=("version",),
        serialize=lambda r: s.release(r, app, current=current is not None and r.pk == current.pk),
    )


def _find_release(app, ident: str) -> Release:
    ident = ident.strip().lower().removeprefix("v")
    lookup: dict[str, object] = {"version": int(ident)} if ident.isdigit() else {"public_id": ident}
    try:
        release = app.releases.select_related("user").filter(**lookup).first()
    except Exception:  # a malformed UUID
        release = None
    if release is None:
        raise ApiError(404, "not_found", "Couldn't find that release.")
    return release


@api_view("GET")
def release_detail(request, app, release):
    """E33: one release by version number or id."""
    app = get_app(request, app)
    found = _find_release(app, release)
    current = _current(app)
    return json_response(s.release(found, app, current=found.pk == current.pk))


@api_view("GET", "PATCH")
def formation(request, app):
    """E35 read the formation; E36 scale or resize (``quantity`` may be a string, also ``+1`` / ``-1``)."""
    app = get_app(request, app)
    if request.method == "PATCH":
        data = parse_body(request, FormationPatch)
        updates = [update.model_dump(exclude_unset=True) for update in data.updates]
        items = operations.app_scale(actor=request.user, app=app, updates=updates, origin=origin(request))
        return json_response([s.formation(item, app) for item in items])
    return json_response([s.formation(item, app) for item in app.formation.all()])


@api_view("GET", "DELETE")
def dynos(request, app):
    """E37 list dynos; E38 restart them all."""
    app = get_app(request, app)
    if request.method == "DELETE":
        operations.app_restart(actor=request.user, app=app, origin=origin(request))
        return json_response({}, status=202)
    current = _current(app)
    return json_response([dyno for item in app.formation.all() for dyno in s.dynos(item, app, current)])


@api_view("DELETE")
def dyno(request, app, dyno):
    """E39: restart one dyno (``web.1``)."""
    app = get_app(request, app)
    operations.app_restart(actor=request.user, app=app, dyno=dyno, origin=origin(request))
    return json_response({}, status=202)


@api_view("DELETE")
def formation_type(request, app, process_type):
    """E40: restart the dynos of one process type."""
    app = get_app(request, app)
    operations.app_restart(actor=request.user, app=app, process_type=process_type, origin=origin(request))
    return json_response({}, status=202)
