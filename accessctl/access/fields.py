"""A model field holding a set of app permissions as one readable column."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from accessctl.access.policy import AppPerm, normalize_perms, sorted_perms


class PermissionSetField(models.CharField):
    """Stores a permission set as ``"view,deploy,operate"`` (display order); Python sees a frozenset.

    ``view`` is always added, so a stored set can never lack it.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 40:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, frozenset):
            return value
        names = value.split(",") if isinstance(value, str) else value
        try:
            return normalize_perms(name.strip() for name in names if name.strip())
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return ",".join(sorted_perms(value))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        # Choices of a set are checked in to_python; skip CharField's scalar checks.
        if value is None and not self.null:
            raise ValidationError(self.error_messages["null"], code="null")

    def formfield(self, **kwargs):
        return PermissionSetFormField(label=capfirst(self.verbose_name), help_text=self.help_text)


class PermissionSetFormField(forms.TypedMultipleChoiceField):
    """Four checkboxes; ``view`` is always added to what was ticked."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", AppPerm.choices)
        kwargs["required"] = False
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            value = value.split(",")
        return [str(perm) for perm in (value or [])]

    def clean(self, value):
        value = super().clean(value)
        return normalize_perms(value)
