"""A model field holding a set of app permissions as one readable column."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from accessctl.access.roles import AppPerm, normalize_perms, sorted_perms

PermSet = frozenset[AppPerm]

if TYPE_CHECKING:
    _CharField = models.CharField[Iterable[str] | str, PermSet]
else:
    _CharField = models.CharField


def _normalize(names: Iterable[str]) -> PermSet:
    return normalize_perms(name.strip() for name in names if name.strip())


@functools.lru_cache(maxsize=256)
def _parse(value: str) -> PermSet:
    # every row of a grant or team table converts its column: a few distinct strings, each parsed once (the
    # set is frozen, so rows may share it)
    return _normalize(value.split(","))


class PermissionSetField(_CharField):
    """Stores a permission set as ``"view,deploy,operate"`` (display order); Python sees a frozenset.

    ``view`` is always added, so a stored set can never lack it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 40:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> PermSet | None:
        return self.to_python(value)

    def to_python(self, value: Any) -> PermSet | None:
        if value is None or isinstance(value, frozenset):
            return value
        try:
            return _parse(value) if isinstance(value, str) else _normalize(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error

    def get_prep_value(self, value: Any) -> str | None:
        perms = self.to_python(value)
        if perms is None:
            return None
        return ",".join(sorted_perms(perms))

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        # Choices of a set are checked in to_python; skip CharField's scalar checks.
        if value is None and not self.null:
            raise ValidationError(self.error_messages["null"], code="null")

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return PermissionSetFormField(label=capfirst(self.verbose_name), help_text=self.help_text)


class PermissionSetFormField(forms.TypedMultipleChoiceField):
    """Four checkboxes; ``view`` is always added to what was ticked."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", AppPerm.choices)
        kwargs["required"] = False
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = value.split(",")
        return [str(perm) for perm in (value or [])]

    def clean(self, value: Any) -> PermSet:
        return normalize_perms(super().clean(value))
