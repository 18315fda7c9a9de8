"""A table's per-row URLs, reversed once a page instead of once a row.

``row_urls("teams:", ["member-edit"], team="acme")`` gives ``{"member_edit": "/teams/acme/access/<ROW>/edit/"}``
with a placeholder id; ``fill`` puts a row's id in its place (the row builders of ``web.rows``). The URLs stay
Django's own (``reverse``), so a changed route changes them too. Tables of apps do the same with an app-name
placeholder (``app_url``, ``fill_app``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

ROW = "2147483647"
"""A user id no row will have (the largest 32-bit id), reversed in place of each row's own."""

APP_ROW = "row-app-name-placeholder-0000000000"
"""An app name no app will have (longer than the 30 characters a name may have), a slug like every name."""


def row_urls(namespace: str, names: Iterable[str], **kwargs: str) -> dict[str, str]:
    """Each named route reversed with ``kwargs`` and the placeholder ``user_id``, keyed by its name with ``_``."""
    return {
        name.replace("-", "_"): reverse(f"{namespace}{name}", kwargs={**kwargs, "user_id": int(ROW)})
        for name in names
    }


def fill(url: str, row_id: object) -> str:
    """The URL of one row: the placeholder replaced by ``row_id``. The last one: a team or app name may hold
    the same digits (``t2147483647``), and every route puts the row's id after the name."""
    head, _, tail = url.rpartition(ROW)
    return f"{head}{row_id}{tail}"


def app_url(name: str) -> str:
    """The route ``name`` reversed with the placeholder app, for ``fill_app``."""
    return reverse(name, kwargs={"app": APP_ROW})


def fill_app(url: str, app_name: str) -> str:
    """The URL of one app's row: the placeholder replaced by its name (a slug: reversing would not quote it)."""
    return url.replace(APP_ROW, app_name, 1)
