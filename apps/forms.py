"""Forms of the app pages. They check shape; the services decide what is allowed."""

from django import forms

from accessctl.fields import PermissionSetFormField
from accessctl.names import NAME_RULE
from apps.models import DYNO_SIZES


class GrantForm(forms.Form):
    permissions = PermissionSetFormField(label="Permissions")


class AddUserForm(forms.Form):
    email = forms.EmailField(max_length=254, label="E-mail")
    permissions = PermissionSetFormField(label="Permissions")


class CreateAppForm(forms.Form):
    name = forms.CharField(
        max_length=30, required=False, help_text=f"{NAME_RULE}. Leave empty for a generated name."
    )
    team = forms.ChoiceField(label="Owner", required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [
            ("", "Me (personal app)"),
            *[(t.name, f"team {t.name}") for t in teams],
        ]


class RenameForm(forms.Form):
    name = forms.CharField(max_length=30, label="New name", help_text=f"{NAME_RULE}.")


class TransferForm(forms.Form):
    recipient = forms.CharField(max_length=254, label="Team name or user e-mail")


class DeleteForm(forms.Form):
    confirm = forms.CharField(max_length=30, label="Type the app's name to confirm")

    def __init__(self, *args, app, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app

    def clean_confirm(self):
        if self.cleaned_data["confirm"] != self.app.name:
            raise forms.ValidationError(f"Type {self.app.name} exactly to delete it.")
        return self.cleaned_data["confirm"]


class ConfigVarForm(forms.Form):
    key = forms.CharField(max_length=100)
    value = forms.CharField(max_length=10_000, required=False, widget=forms.TextInput)


class ScaleForm(forms.Form):
    type = forms.CharField(max_length=30, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, max_value=100)
    size = forms.ChoiceField(choices=[(s, s) for s in DYNO_SIZES])


class DeployForm(forms.Form):
    description = forms.CharField(max_length=200, label="Release description")


class RollbackForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class RestartForm(forms.Form):
    type = forms.CharField(max_length=30, required=False)


class MaintenanceForm(forms.Form):
    enabled = forms.BooleanField(required=False)
