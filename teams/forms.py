"""Forms of the team pages. They validate shape; the services decide what is allowed."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from accessctl.access.fields import PermissionSetFormField
from accessctl.access.names import NAME_RULE
from accessctl.access.policy import COLLABORATOR, TeamRole
from accessctl.audit.models import AuditAction, AuditEvent
from accessctl.identity.people import PersonField
from apps.models import App
from teams.models import Team


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=TeamRole.choices)


class AddMemberForm(forms.Form):
    user = PersonField(create=True)
    role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER)


class InviteForm(forms.Form):
    """Add member while invitations are on: the address stays an address until the person accepts."""

    user = forms.EmailField(max_length=254, label="E-mail")
    role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {"email": data["user"], "role": data["role"]} if "user" in data and "role" in data else data


class AddCollaboratorForm(forms.Form):
    user = PersonField(create=True)
    app = forms.ModelChoiceField(queryset=App.objects.none(), empty_label="Pick an app", to_field_name="name")

    def __init__(self, *args: Any, team: Team, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["app"]).queryset = App.objects.filter(team=team).order_by("name")


class RemoveForm(forms.Form):
    revoke_grants = forms.BooleanField(
        required=False, initial=True, label="Also revoke these app permissions"
    )


class TeamSettingsForm(forms.Form):
    name = forms.CharField(max_length=30, help_text=f"{NAME_RULE}.")
    join_permissions = PermissionSetFormField(
        label="Join permissions",
        help_text="What a member gets when they join an unlocked app. View is always on.",
    )
    require_mfa = forms.BooleanField(
        required=False,
        label="Require MFA",
        help_text="Members without MFA (and not on SSO) must enrol first.",
    )
    invite_acceptance = forms.BooleanField(
        required=False,
        label="Invite new members by e-mail (team-invite-acceptance)",
        help_text="Adding someone who is not yet a member sends an invitation link, valid 7 days; they join "
        "when they accept it signed in with that address.",
    )


class PeopleFilterForm(forms.Form):
    role = forms.ChoiceField(
        required=False, choices=[("", "All roles"), *TeamRole.choices, (COLLABORATOR, "collaborator")]
    )
    q = forms.CharField(required=False, max_length=254, label="Search e-mail")


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=254, label="Actor e-mail")
    target = forms.CharField(required=False, max_length=254, label="Target e-mail")
    app = forms.CharField(required=False, max_length=30)
    action = forms.ChoiceField(
        required=False, choices=[("", "All actions"), *AuditAction.choices]
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The start date must be on or before the end date.")
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow an AuditEvent queryset by the valid filters."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("actor"):
            events = events.filter(actor_label__icontains=data["actor"])
        if data.get("target"):
            events = events.filter(target_email__icontains=data["target"])
        if data.get("app"):
            events = events.filter(app_name=data["app"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("since"):
            events = events.filter(created_at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(created_at__date__lte=data["until"])
        return events


class TeamSsoForm(forms.Form):
    issuer = forms.URLField(
        max_length=200,
        label="Issuer URL",
        assume_scheme="https",
        help_text="The OpenID Connect issuer, e.g. https://idp.example.com",
    )
    client_id = forms.CharField(max_length=191, label="Client ID")
    secret = forms.CharField(
        max_length=191,
        required=False,
        label="Client secret",
        widget=forms.PasswordInput,
        help_text="Leave empty to keep the current secret.",
    )
    enforced = forms.BooleanField(
        required=False,
        label="Enforce SSO",
        help_text="Members must sign in through this IdP to reach the team. Collaborators are exempt.",
    )
