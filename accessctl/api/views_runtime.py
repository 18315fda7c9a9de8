"""Platform API: config vars, releases, formation and dynos (contract E30-E40, and the links of issue 15)."""

from accessctl.access import policy as p
from accessctl.api import bodies_runtime as rb
from accessctl.api import serializers as s
from accessctl.api.bodies import ConfigVars, parse_body
from accessctl.api.http import ApiError, api_view, json_response, origin, ranged
from accessctl.web.lookups import get_app
from apps import operations
from apps.models import DYNO_SIZES, Release

CONFIG_REFUSAL = "Config vars need the deploy or manage permission."


@api_view("GET", "PATCH")
def config_vars(request, app):
    """E30 read config vars (deploy or manage); E31 set (string) or unset (null) them, making a release."""
    app = get_app(request, app, perm=p.EDIT_CONFIG_APP, refusal=CONFIG_REFUSAL)
    if request.method == "PATCH":
        changes = parse_body(request, ConfigVars).root
        operations.app_config_update(actor=request.user, app=app, changes=changes, origin=origin(request))
        app.refresh_from_db(fields=["config_vars"])
    return json_response(app.config_vars)


def _current(app):
    return app.releases.order_by("-version").first()


@api_view("GET", "POST")
def releases(request, app):
    """E32 list releases (Range on version, e.g. ``version ..; max=15, order=desc``); E34 roll back to the
    release whose id (a UUID) the body names."""
    app = get_app(request, app)
    if request.method == "POST":
        data = parse_body(request, rb.Rollback)
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


@api_view("GET")
def release_config_vars(request, app, release):
    """The config vars a release ran with (``heroku releases:info``); secrets, like the app's own."""
    app = get_app(request, app, perm=p.EDIT_CONFIG_APP, refusal=CONFIG_REFUSAL)
    return json_response(_find_release(app, release).config_vars)


SIZE_IDS = {s.dyno_size_ref(size)["id"]: size for size in DYNO_SIZES}


def _size(update, index: int | None) -> str | None:
    """The size name an update asks for: ``dyno_size`` by name or id, or (the CLI's) ``size``."""
    ref = update.dyno_size
    if ref is None:
        return getattr(update, "size", None)
    if ref.name is not None:
        return ref.name
    if ref.id not in SIZE_IDS:
        where = "dyno_size.id" if index is None else f"updates[{index}].dyno_size.id"
        raise ApiError(
            422, "invalid_params", f"The field '{where}' names no dyno size: use its name instead."
        )
    return SIZE_IDS[ref.id]


def _change(update, index: int | None, process_type: str) -> dict:
    change: dict = {"type": process_type}
    if update.quantity is not None:
        change["quantity"] = update.quantity
    size = _size(update, index)
    if size is not None:
        change["size"] = size
    return change


def _is_heroku_cli(request) -> bool:
    return request.headers.get("User-Agent", "").startswith("heroku-cli/")


@api_view("GET", "PATCH")
def formation(request, app):
    """E35 read the formation; E36 scale or resize (schema types; the CLI's dialect from the CLI)."""
    app = get_app(request, app)
    if request.method == "PATCH":
        data: rb.CliFormationPatch | rb.FormationPatch
        if _is_heroku_cli(request):
            data = parse_body(request, rb.CliFormationPatch)
        else:
            data = parse_body(request, rb.FormationPatch)
        entries: list[rb.FormationUpdate | rb.CliFormationUpdate] = list(data.updates)
        updates = [_change(entry, n, entry.type) for n, entry in enumerate(entries)]
        items = operations.app_scale(actor=request.user, app=app, updates=updates, origin=origin(request))
        return json_response([s.formation(item, app) for item in items])
    return json_response([s.formation(item, app) for item in app.formation.all()])


def _process(app, process_type: str):
    item = app.formation.filter(type=process_type).first()
    if item is None:
        raise ApiError(404, "not_found", f"No such process type {process_type} on {app.name}.")
    return item


@api_view("GET", "PATCH")
def formation_info(request, app, process_type):
    """One process type of the formation; PATCH scales and/or resizes it (``quantity``, ``dyno_size``)."""
    app = get_app(request, app)
    if request.method == "PATCH":
        data = parse_body(request, rb.FormationTypeUpdate)
        _process(app, process_type)
        update = _change(data, None, process_type)
        items = operations.app_scale(actor=request.user, app=app, updates=[update], origin=origin(request))
        return json_response(s.formation(next(i for i in items if i.type == process_type), app))
    return json_response(s.formation(_process(app, process_type), app))


@api_view("GET", "DELETE")
def dynos(request, app):
    """E37 list dynos; E38 restart them all."""
    app = get_app(request, app)
    if request.method == "DELETE":
        operations.app_restart(actor=request.user, app=app, origin=origin(request))
        return json_response({}, status=202)
    current = _current(app)
    return json_response([dyno for item in app.formation.all() for dyno in s.dynos(item, app, current)])


@api_view("GET", "DELETE")
def dyno(request, app, dyno):
    """One dyno (``web.1``) by name or id; E39 restart it."""
    app = get_app(request, app)
    if request.method == "DELETE":
        operations.app_restart(actor=request.user, app=app, dyno=dyno, origin=origin(request))
        return json_response({}, status=202)
    current = _current(app)
    for item in app.formation.all():
        for found in s.dynos(item, app, current):
            if dyno in (found["name"], found["id"]):
                return json_response(found)
    raise ApiError(404, "not_found", f"Couldn't find the dyno {dyno} on {app.name}.")


@api_view("POST")
def dyno_stop(request, app, dyno):
    """``heroku ps:stop --dyno-name web.1``: stop one dyno (the formation starts it again)."""
    app = get_app(request, app)
    operations.app_dynos_stop(actor=request.user, app=app, dyno=dyno, origin=origin(request))
    return json_response({}, status=202)


@api_view("POST")
def formation_stop(request, app, process_type):
    """``heroku ps:stop --process-type web``: stop the dynos of one process type."""
    app = get_app(request, app)
    operations.app_dynos_stop(actor=request.user, app=app, process_type=process_type, origin=origin(request))
    return json_response({}, status=202)


@api_view("DELETE")
def formation_type(request, app, process_type):
    """E40: restart the dynos of one process type."""
    app = get_app(request, app)
    operations.app_restart(actor=request.user, app=app, process_type=process_type, origin=origin(request))
    return json_response({}, status=202)
