"""Forms of the app pages. They check shape and hand the services their inputs; the services decide what is
allowed. A form whose cleaned data are not already the service's keyword arguments says so in ``clean``.
"""

from typing import Any, cast

from django import forms

from accessctl.access.errors import DomainError
from accessctl.access.fields import PermissionSetFormField
from accessctl.access.names import NAME_RULE
from accessctl.identity.people import PersonField, recipient_for
from accessctl.web.formhtml import CachedRenderForm
from apps.models import DYNO_SIZES
from teams.models import Team


class GrantForm(forms.Form):
    permissions = PermissionSetFormField(label="Permissions")


class AddUserForm(CachedRenderForm):
    user = PersonField(create=True)
    permissions = PermissionSetFormField(label="Permissions")


class CreateAppForm(forms.Form):
    name = forms.CharField(
        max_length=30, required=False, help_text=f"{NAME_RULE}. Leave empty for a generated name."
    )
    team = forms.ChoiceField(label="Owner", required=False)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.teams = {team.name: team for team in teams}
        owner = cast(forms.ChoiceField, self.fields["team"])
        owner.choices = [("", "Me (personal app)"), *[(t, f"team {t}") for t in self.teams]]

    def clean_name(self) -> str | None:
        return self.cleaned_data["name"] or None

    def clean_team(self) -> Team | None:
        return self.teams.get(self.cleaned_data["team"])


class RenameForm(forms.Form):
    name = forms.CharField(max_length=30, label="New name", help_text=f"{NAME_RULE}.")


class TransferForm(forms.Form):
    recipient = forms.CharField(max_length=254, label="Team name or user e-mail")

    def clean_recipient(self) -> Any:
        try:
            return recipient_for(self.cleaned_data["recipient"])
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


class DeleteForm(forms.Form):
    confirm = forms.CharField(max_length=30, label="Type the app's name to confirm")

    def __init__(self, *args: Any, app: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.app = app

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"] != self.app.name:
            raise forms.ValidationError(f"Type {self.app.name} exactly to delete it.")
        return str(self.cleaned_data["confirm"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        return {}  # a confirmation only: nothing for the service


class ConfigVarForm(forms.Form):
    key = forms.CharField(max_length=100)
    value = forms.CharField(max_length=10_000, required=False, widget=forms.TextInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        return {"changes": {data["key"]: data["value"]}}


class ScaleForm(forms.Form):
    type = forms.CharField(max_length=30, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, max_value=100)
    size = forms.ChoiceField(choices=[(s, s) for s in DYNO_SIZES])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return data if self.errors else {"updates": [data]}


class DeployForm(forms.Form):
    description = forms.CharField(max_length=200, label="Release description")


class RollbackForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class RestartForm(forms.Form):
    type = forms.CharField(max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {"process_type": data.get("type") or None}


class MaintenanceForm(forms.Form):
    enabled = forms.BooleanField(required=False)
