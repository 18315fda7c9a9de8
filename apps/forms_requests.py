"""Forms of temporary access and access requests. Durations are picked from the team's policy; the services
check them again (a forced value gets the service's message on the field).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from accessctl.access import policy as p
from accessctl.access.fields import PermissionSetFormField

STEPS = [
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
]
PERMANENT = "permanent"
REASON_REQUIRED = "Say why you need this access: a reason is required."
NOTE_REQUIRED = "Say why you deny the request: a note is required."
REQUESTABLE = [(perm.value, perm.label) for perm in p.PERM_ORDER if perm != p.AppPerm.VIEW]


def choice_key(duration: timedelta) -> str:
    return f"{int(duration.total_seconds() // 60)}m"


def duration_choices(longest: timedelta | None, *, permanent: bool, first: str | None = None) -> list:
    """The durations up to ``longest`` (``None``: no limit), the longest itself, and permanent if allowed."""
    steps = [step for step in STEPS if longest is None or step <= longest]
    if longest is not None and longest not in steps:
        steps.append(longest)
    choices = [(choice_key(step), p.format_duration(step)) for step in steps]
    if permanent:
        choices.append((PERMANENT, "permanent"))
    return [("", first), *choices] if first else choices


def parse_choice(value: str) -> timedelta | None:
    if not value or value == PERMANENT:
        return None
    return timedelta(minutes=int(value.rstrip("m")))


class DurationField(forms.ChoiceField):
    def clean(self, value: Any) -> Any:
        return parse_choice(super().clean(value))


class RequestAccessForm(forms.Form):
    permissions = forms.MultipleChoiceField(
        choices=REQUESTABLE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one permission to request: deploy, operate or manage."},
    )
    duration = DurationField(label="For")
    reason = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": REASON_REQUIRED}
    )

    def __init__(self, *args: Any, team: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["duration"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = duration_choices(team.request_max_duration, permanent=team.request_permanent_allowed)
        field.initial = choice_key(min(timedelta(hours=4), team.request_max_duration))


class ApproveForm(forms.Form):
    duration = DurationField(required=False, label="For")
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, access_request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asked = access_request.duration
        field = self.fields["duration"]
        assert isinstance(field, forms.ChoiceField)
        shorter = duration_choices(asked, permanent=False)
        field.choices = [("", f"as asked ({p.format_duration(asked)})"), *shorter]


class DenyForm(forms.Form):
    note = forms.CharField(max_length=500, error_messages={"required": NOTE_REQUIRED})


class PencilForm(forms.Form):
    """The pencil edit: permissions, and optionally "for" a while (then a reason is required)."""

    permissions = PermissionSetFormField(label="Permissions")
    duration = DurationField(required=False, label="For")
    reason = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["duration"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "permanently"), *duration_choices(None, permanent=False)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        duration = data.pop("duration", None)
        data["expires_at"] = timezone.now() + duration if duration else None
        if duration is None:
            data.pop("reason", None)
        return data


class ExtendForm(forms.Form):
    by = DurationField(label="Extend by", choices=[(choice_key(s), p.format_duration(s)) for s in STEPS[1:6]])

    def __init__(self, *args: Any, until: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.until = until

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.until is None:
            return data
        return {"expires_at": self.until + data["by"]}
