"""The app pages' reads as prepared queries (``accessctl.access.prepared``): the app by name, the Access page's
people and its queue of requests, the overview's formation and releases. Building and compiling their querysets cost more than running them; each is
compiled once a process, database and shape, and lists what the queryset it stands for lists."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import Case, QuerySet, When
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.prepared import PreparedQuery, Slot, instance, related_columns, with_related
from accessctl.identity.models import User
from apps.models import AccessRequest, App, Formation, Grant, Release
from apps.selectors_access import TEMPORARY_FIELDS, access_people, implicit_viewers_expression
from teams.models import Team

USER_COLUMNS = related_columns(User)
_APP_RELATED = ("team", "owner", "locked_by")


def _app_named(implicit_viewers: bool, *, name: Slot, now: Slot) -> QuerySet[Any]:
    apps = App.objects.all()
    if implicit_viewers:
        apps = apps.annotate(implicit_viewers=implicit_viewers_expression(now))
    extra = ("implicit_viewers",) if implicit_viewers else ()
    # what ``.first()`` runs: ordered by ``Meta.ordering``, one row
    return apps.filter(name=name).values_list(*related_columns(App, _APP_RELATED), *extra)[:1]


_APP_NAMED = PreparedQuery(
    App, _app_named, name=App._meta.get_field("name"), now=Grant._meta.get_field("expires_at")
)


def app_named(name: str, *, implicit_viewers: bool = False) -> App | None:
    """``App.objects.select_related("team", "owner", "locked_by").filter(name=name).first()``, annotated with
    ``implicit_viewers`` (``selectors_access.with_implicit_viewers``) if asked. One query."""
    rows = _APP_NAMED.rows((implicit_viewers,), name=name, now=timezone.now())
    if not rows:
        return None
    row = rows[0]
    return with_related(App, _APP_RELATED, row, **({"implicit_viewers": row[-1]} if implicit_viewers else {}))


_PERSON_FACTS = ("app_team_role", "app_grant", *(f"temp_{name}" for name in TEMPORARY_FIELDS))


def _people(
    team: bool, owner: bool, descending: bool, op: str | None, limit: int, **slots: Slot
) -> QuerySet[Any]:
    people = access_people(
        slots["app_id"], slots["team_id"], slots["owner_id"], slots["now"], team=team, owner=owner
    )
    people = people.order_by("-email" if descending else "email")
    if op is not None:
        people = people.filter(**{f"email__{op}": slots["email"]})
    return people.values_list(*USER_COLUMNS, *_PERSON_FACTS)[:limit]


_PEOPLE = PreparedQuery(
    User,
    _people,
    app_id=App._meta.pk,
    team_id=Team._meta.pk,
    owner_id=User._meta.pk,
    now=Grant._meta.get_field("expires_at"),
    email=User._meta.get_field("email"),
)


def app_access_people_page(app: App, *, backwards: bool, after_email: str | None, limit: int) -> list[User]:
    """What ``app_access_people(app)`` ordered by e-mail (descending when ``backwards``), past ``after_email``
    in that direction if given, lists in its first ``limit`` rows. One query."""
    op = None if after_email is None else "lt" if backwards else "gt"
    shape = (bool(app.team_id), bool(app.owner_id), backwards, op, limit)
    rows = _PEOPLE.rows(
        shape,
        app_id=app.pk,
        team_id=app.team_id,
        owner_id=app.owner_id,
        now=timezone.now(),
        email=after_email,
    )
    split = len(USER_COLUMNS)
    return [
        instance(User, USER_COLUMNS, row[:split], **dict(zip(_PERSON_FACTS, row[split:], strict=True)))
        for row in rows
    ]


_REQUEST_RELATED = ("requester", "app")


def _open_requests(mine_first: bool, limit: int | None, **slots: Slot) -> QuerySet[Any]:
    order: list[Any] = ["created_at", "id"]
    if mine_first:
        order.insert(0, Case(When(requester_id=slots["first_of"], then=0), default=1))
    found = AccessRequest.objects.filter(
        status=p.RequestStatus.PENDING, created_at__gt=slots["since"], app_id=slots["app_id"]
    ).order_by(*order)
    found = found.values_list(*related_columns(AccessRequest, _REQUEST_RELATED))
    return found if limit is None else found[:limit]


_REQUESTS = PreparedQuery(
    AccessRequest,
    _open_requests,
    app_id=App._meta.pk,
    first_of=User._meta.pk,
    since=AccessRequest._meta.get_field("created_at"),
)


def open_requests_rows(app: App, *, first_of: Any, limit: int | None, now: Any) -> list[AccessRequest]:
    """``selectors_requests.open_requests_on`` (its requesters and app loaded) as a prepared query."""
    rows = _REQUESTS.rows(
        (first_of is not None, limit),
        app_id=app.pk,
        first_of=None if first_of is None else first_of.pk,
        since=now - p.REQUEST_TTL,
    )
    return [with_related(AccessRequest, _REQUEST_RELATED, row) for row in rows]


def _of_app(model: type[Any], related: tuple[str, ...], limit: int | None, *, app_id: Slot) -> QuerySet[Any]:
    found = model.objects.filter(app_id=app_id).values_list(*related_columns(model, related))
    return found if limit is None else found[:limit]


_FORMATION = PreparedQuery(Formation, partial(_of_app, Formation, (), None), app_id=App._meta.pk)
_RELEASES = PreparedQuery(Release, partial(_of_app, Release, ("user",)), app_id=App._meta.pk)


def _known(app: App, items: list[Any]) -> list[Any]:
    for item in items:  # as a related manager does: each row's app is the app asked about, no query
        item._meta.get_field("app").set_cached_value(item, app)
    return items


def formation_of(app: App) -> list[Formation]:
    """``list(app.formation.all())`` (the overview's dynos), as a prepared query. One query."""
    return _known(app, [with_related(Formation, (), row) for row in _FORMATION.rows(app_id=app.pk)])


def latest_releases(app: App, limit: int = 10) -> list[Release]:
    """``list(app.releases.select_related("user")[:limit])`` (the overview's releases), prepared. One query."""
    rows = _RELEASES.rows((limit,), app_id=app.pk)
    return _known(app, [with_related(Release, ("user",), row) for row in rows])
