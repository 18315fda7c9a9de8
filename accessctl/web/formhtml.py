"""Forms whose fields look the same on every page load, rendered once a process.

A field's HTML goes through Django's form renderer: a widget template and its includes (a ``<select>``: one a
option), a label template, and an error-list template even when there is no error; about 2 ms of the team
Access page's CPU for its five fields. In the state every page load shows (unbound, or bound to a query string
that leaves the field empty; no errors) that HTML depends only on the form's class, prefix and ids and the
field, so ``CachedRenderForm`` keeps it per process. A form given initial data, a field with a value or an error,
and any call with arguments render as usual.

Only for forms whose fields are fixed by their class: static choices, no callable initial, no widget attributes
set per instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorList
from django.utils.safestring import SafeString

_HTML: dict[tuple[Any, ...], SafeString] = {}
"""Bounded by the code: one entry for each form class, field, kind and the few empty values."""


class QuietErrorList(ErrorList):
    """No errors render as nothing without a template render (the error-list template writes nothing either)."""

    def render(self, *args: Any, **kwargs: Any) -> SafeString:
        if not self.data:
            return SafeString("")
        return super().render(*args, **kwargs)

    __str__ = __html__ = render  # the mixin binds them to its own render


class CachedBoundField(BoundField):
    """A bound field whose widget and label, in the common empty state, are rendered once a process."""

    def _key(self, kind: str) -> tuple[Any, ...] | None:
        form = self.form
        if form.initial or self.errors:
            return None
        if form.is_bound:
            value = self.data
            if value not in (None, ""):
                return None
        else:
            value = self.field.initial
            if callable(value):
                return None
        try:
            hash(value)
        except TypeError:
            return None
        renderer = type(form.renderer)
        return (
            type(form),
            form.prefix,
            form.auto_id,
            form.label_suffix,
            form.use_required_attribute,
            form.empty_permitted,
            renderer,
            self.name,
            kind,
            form.is_bound,
            value,
        )

    def _cached(self, kind: str, render: Callable[[], Any]) -> Any:
        key = self._key(kind)
        if key is None:
            return render()
        html = _HTML.get(key)
        if html is None:
            html = _HTML[key] = render()
        return html

    def __str__(self) -> SafeString:
        return self._cached("widget", super().__str__)

    def label_tag(
        self, contents: Any = None, attrs: Any = None, label_suffix: Any = None, tag: Any = None
    ) -> SafeString:
        if contents is None and attrs is None and label_suffix is None and tag is None:
            return self._cached("label", super().label_tag)
        return super().label_tag(contents, attrs, label_suffix, tag)


class CachedRenderForm(forms.Form):
    """A form rendering its empty fields from the per-process cache (see the module's docstring)."""

    bound_field_class = CachedBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", QuietErrorList)
        super().__init__(*args, **kwargs)
