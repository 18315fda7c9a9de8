"""The webhook forms of the app and team settings pages. The service checks the values; the form shapes them."""

from __future__ import annotations

from typing import Any

from django import forms

from accessctl.webhooks.models import EVENT_TYPES, Level


class WebhookForm(forms.Form):
    """Add (``editing=False``) or edit a webhook; team webhooks have no event types to pick."""

    url = forms.CharField(
        label="URL", max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    include = forms.MultipleChoiceField(
        label="Event types",
        choices=[(name, name) for name in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    level = forms.ChoiceField(
        label="Level", choices=Level.choices, widget=forms.RadioSelect, initial=Level.NOTIFY
    )
    secret = forms.CharField(
        label="Signing secret", required=False, max_length=200, help_text="Leave empty to generate one."
    )
    authorization = forms.CharField(
        label="Authorization header",
        required=False,
        max_length=1000,
        help_text="Sent as the Authorization header of every delivery, e.g. Bearer <token>.",
    )

    def __init__(self, *args: Any, team_hook: bool = False, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if team_hook:
            del self.fields["include"]
        if editing:
            self.fields["secret"].help_text = "Leave empty to keep the current secret."
            self.fields["authorization"].help_text = "Leave empty to keep the current value."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.editing:  # empty means "keep"
            for name in ("secret", "authorization"):
                if not data.get(name):
                    data[name] = None
        return data
