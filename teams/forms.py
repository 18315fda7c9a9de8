"""Forms of the team pages. They validate shape; the services decide what is allowed."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from accessctl.access import policy as p
from accessctl.access.fields import PermissionSetFormField
from accessctl.access.names import NAME_RULE
from accessctl.access.policy import COLLABORATOR, TeamRole
from accessctl.audit.models import AuditAction, AuditEvent
from accessctl.identity.people import PersonField
from accessctl.web.formhtml import CachedRenderForm
from apps.forms_requests import STEPS, DurationField, choice_key
from apps.models import App
from teams.models import Team


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=TeamRole.choices)


class AddMemberForm(CachedRenderForm):
    user = PersonField(create=True)
    role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER)


UNKNOWN_APP = "{team} has no app named \u201c{name}\u201d. Type the name of one of the team's apps."


class InviteForm(forms.Form):
    """Add member while invitations are on: the address stays an address until the person accepts."""

    user = forms.EmailField(max_length=254, label="E-mail")
    role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {"email": data["user"], "role": data["role"]} if "user" in data and "role" in data else data


class AddCollaboratorForm(CachedRenderForm):
    """The app is a typed name (search-as-you-type suggests up to 20), resolved within the team on submit:
    the page never renders a list of every team app.
    """

    user = PersonField(create=True)
    app = forms.CharField(max_length=30, label="App")

    def __init__(self, *args: Any, team: Team, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_app(self) -> App:
        """The team's app of that name (one indexed query), or an error on the ``app`` field."""
        name = self.cleaned_data["app"].strip().lower()
        app = App.objects.filter(team=self.team, name=name).first()
        if app is None:
            raise forms.ValidationError(UNKNOWN_APP.format(team=self.team.name, name=name))
        return app


class RemoveForm(forms.Form):
    revoke_grants = forms.BooleanField(
        required=False, initial=True, label="Also revoke these app permissions"
    )


LONGEST_CHOICES = [(choice_key(step), p.format_duration(step)) for step in STEPS[1:]]
YES_NO = [("", "unchanged"), ("yes", "yes"), ("no", "no")]


class YesNoField(forms.ChoiceField):
    """A yes/no select; left out of a post, it changes nothing (unlike a checkbox)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=YES_NO, required=False, **kwargs)

    def clean(self, value: Any) -> bool | None:
        chosen = super().clean(value)
        return None if not chosen else chosen == "yes"


class RequestPolicyForm(forms.Form):
    """The team's access-request policy (SPEC 17), part of the settings form."""

    request_max_duration = DurationField(
        label="Longest temporary access", required=False, choices=[("", "unchanged"), *LONGEST_CHOICES]
    )
    request_permanent_allowed = YesNoField(label="Permanent access may be requested")
    request_locked_apps = YesNoField(label="Locked apps accept requests")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {key: value for key, value in data.items() if value is not None}


class TeamSettingsForm(RequestPolicyForm):
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


class PeopleFilterForm(CachedRenderForm):
    role = forms.ChoiceField(
        required=False, choices=[("", "All roles"), *TeamRole.choices, (COLLABORATOR, "collaborator")]
    )
    q = forms.CharField(required=False, max_length=254, label="Search e-mail")


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=254, label="Actor e-mail")
    target = forms.CharField(required=False, max_length=254, label="Target e-mail")
    app = forms.CharField(required=False, max_length=30)
    action = forms.ChoiceField(required=False, choices=[("", "All actions"), *AuditAction.choices])
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
    create_accounts = forms.BooleanField(
        required=False,
        label="Create accounts on first sign-in",
        help_text="Someone without an account who signs in through this IdP gets one, in this team.",
    )
    role = forms.ChoiceField(
        choices=[("member", "member"), ("viewer", "viewer")],
        required=False,
        label="Role of new accounts",
        help_text="The role an account created by its first SSO sign-in gets (never admin).",
    )

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or "member"
