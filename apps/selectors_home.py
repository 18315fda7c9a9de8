"""Home's lists as prepared queries (``accessctl.access.prepared``): the page of apps a user may view and their
pending transfers. Building and compiling the querysets cost more than running them; each is compiled once a
process, database and shape, and lists what the queryset it stands for lists."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accessctl.access.facts import access_for
from accessctl.access.prepared import (
    PreparedQuery,
    Slot,
    bound_list,
    list_slots,
    related_columns,
    slot_list,
    with_related,
)
from accessctl.identity.models import User
from apps.models import App, AppTransfer, TransferState
from apps.selectors import PENDING_TRANSFERS_SHOWN, visible_apps_of, visible_ids
from teams.models import Team

_APP_RELATED = ("team", "owner")


def _apps_page(
    teams: int, apps: int, blocked: int, backwards: bool, after: bool, limit: int, **slots: Slot
) -> QuerySet[Any]:
    found = App.objects.filter(
        visible_apps_of(slot_list(slots, "team", teams), slot_list(slots, "app", apps), slots["user_id"])
    ).exclude(team_id__in=slot_list(slots, "blocked", blocked))
    found = found.order_by("-name" if backwards else "name")
    if after:
        found = found.filter(**{"name__lt" if backwards else "name__gt": slots["name"]})
    return found.values_list(*related_columns(App, _APP_RELATED))[:limit]


_APPS_PAGE = PreparedQuery(
    App,
    _apps_page,
    user_id=User._meta.pk,
    name=App._meta.get_field("name"),
    **list_slots("team", Team._meta.pk),
    **list_slots("app", App._meta.pk),
    **list_slots("blocked", Team._meta.pk),
)


def visible_apps_page(
    user: Any, blocked: list[int], *, backwards: bool, after_name: str | None, limit: int
) -> list[App] | None:
    """What ``apps_visible_to(user).exclude(team_id__in=blocked)`` by name (descending when ``backwards``),
    past ``after_name`` in that direction if given, lists in its first ``limit`` rows, with team and owner
    loaded. One query; ``None`` (run the queryset) for an inactive user or lists too long to prepare."""
    access = access_for(user)
    if not access.is_active or access.user_id is None:
        return None
    teams, apps = visible_ids(access)
    lists = [bound_list("team", teams), bound_list("app", apps), bound_list("blocked", blocked)]
    if any(bound is None for bound in lists):
        return None
    sizes: list[int] = []
    values: dict[str, Any] = {}
    for size, bound in filter(None, lists):
        sizes.append(size)
        values.update(bound)
    shape = (*sizes, backwards, after_name is not None, limit)
    rows = _APPS_PAGE.rows(shape, user_id=access.user_id, name=after_name, **values)
    return [with_related(App, _APP_RELATED, row) for row in rows]


_TRANSFER_RELATED = ("app", "sender", "recipient", "recipient_team", "previous_team")


def _pending_transfers(**slots: Slot) -> QuerySet[Any]:
    found = AppTransfer.objects.filter(Q(sender=slots["user_id"]) | Q(recipient=slots["user_id"]))
    found = found.filter(state=TransferState.PENDING)
    return found.values_list(*related_columns(AppTransfer, _TRANSFER_RELATED))[:PENDING_TRANSFERS_SHOWN]


_PENDING_TRANSFERS = PreparedQuery(AppTransfer, _pending_transfers, user_id=User._meta.pk)


def pending_transfers_rows(user: Any) -> list[AppTransfer]:
    """``selectors.pending_transfers_for`` (the app, its sender and recipients loaded) as a prepared query."""
    rows = _PENDING_TRANSFERS.rows(user_id=user.pk)
    return [with_related(AppTransfer, _TRANSFER_RELATED, row) for row in rows]
