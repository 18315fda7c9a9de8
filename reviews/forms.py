"""Forms of the matrix and review pages. They check the shape of the input; the services decide the rest."""

from __future__ import annotations

import re
from typing import Any

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


class AppNamesInput(forms.TextInput):
    """A text box of app names; also reads several values of the field (``apps=a&apps=b``) as one list."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if hasattr(data, "getlist"):
            return ", ".join(value for value in data.getlist(name) if value) or None
        return data.get(name)


class ReviewStartForm(forms.Form):
    """Start a review: every role and grant (no apps named) or the grants on the named apps.

    The apps are typed by name, not picked from a list of every team app: that list grew with the team.
    """

    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due date")
    apps = forms.CharField(
        required=False,
        max_length=3000,
        widget=AppNamesInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "aria-describedby": "apps-help"}
        ),
        label="Only these apps",
        help_text="App names, separated by commas or spaces. Leave empty to review every team role and grant.",
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_apps(self) -> list[App]:
        names = [name for name in dict.fromkeys(re.split(r"[\s,]+", self.cleaned_data["apps"] or "")) if name]
        found = {app.name: app for app in App.objects.filter(team=self.team, name__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise forms.ValidationError(
                f"No app named {', '.join(unknown)} in {self.team.name}. Check the names on the team's Apps page."
            )
        return [found[name] for name in names]


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
