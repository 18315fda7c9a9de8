"""Forms of the matrix and review pages. They check the shape of the input; the services decide the rest."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accessctl.access.fields import PermissionSetFormField
from accessctl.access.policy import COLLABORATOR, AppPerm, TeamRole
from apps.models import App
from reviews.models import Decision
from teams.models import Team

ROLE_FILTER = [("", "Any role"), *TeamRole.choices, (COLLABORATOR, "collaborator")]
PERM_FILTER = [("", "Any permission"), *AppPerm.choices]


class MatrixFilterForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_FILTER, required=False, label="Role")
    app = forms.CharField(required=False, max_length=30, label="App name")
    perm = forms.ChoiceField(choices=PERM_FILTER, required=False, label="Permission")


class ReviewStartForm(forms.Form):
    """Start a review: every role and grant (no apps chosen) or the grants on the chosen apps."""

    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due date")
    apps = forms.ModelMultipleChoiceField(
        queryset=App.objects.none(),
        required=False,
        to_field_name="name",
        widget=forms.CheckboxSelectMultiple,
        label="Only these apps",
        help_text="Leave empty to review every team role and every grant.",
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["apps"])
        field.queryset = App.objects.filter(team=team).order_by("name")

    def clean_apps(self) -> list[App]:
        return list(self.cleaned_data["apps"])


class DecisionForm(forms.Form):
    """Keep, reduce (to the chosen role or permissions) or revoke one item, with an optional note."""

    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect, label="Decision")
    role = forms.ChoiceField(choices=[("", "—"), *TeamRole.choices], required=False, label="Reduce to role")
    permissions = PermissionSetFormField(label="Reduce to permissions", help_text="View always stays.")
    note = forms.CharField(required=False, max_length=1000, widget=forms.TextInput, label="Note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") != Decision.REDUCE:
            data["role"], data["permissions"] = None, None
        else:
            data["role"] = data.get("role") or None
        return data
