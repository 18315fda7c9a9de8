"""Invitation pages: resend and revoke (team admins), and the link's page where the invited person accepts.

The link's page is public: it says whose invitation it is and how to accept it (sign in with the invited
address, create the account through the link, or the team's SSO). Creating an account through the link is
allowed even when sign-up is closed, for the invited address only. A used, revoked, expired or unknown link
shows why and grants nothing; so does a signed-in user with another address.
"""

from __future__ import annotations

from allauth.account.utils import perform_login
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accessctl.access import policy as p
from accessctl.access.errors import DomainError
from accessctl.audit.log import Origin
from accessctl.identity.models import User
from accessctl.web.changes import change, done
from accessctl.web.keyset import keyset_page
from accessctl.web.lookups import get_team
from teams.invitations import (
    invitation_accept,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    pending_invitations_of,
    refusal,
)
from teams.models import Invitation, Team

PAGE = "teams/invitation.html"
ACCOUNT_EXISTS = "An account with {email} exists already: sign in with it to accept the invitation."


def _invitation(team: Team, public_id: str) -> Invitation:
    invitation = Invitation.objects.filter(
        team=team, public_id=public_id, accepted_at=None, revoked_at=None
    ).first()
    if invitation is None:
        raise Http404("There is no such pending invitation.")
    return invitation


def _back(request: HttpRequest, team: Team) -> str:
    """Where a resend or revoke returns: the list of every invitation when taken there, else the Access page."""
    name = "teams:invitations" if request.POST.get("back") == "invitations" else "teams:access"
    return reverse(name, kwargs={"team": team.name})


def team_invitations(request: HttpRequest, team: str) -> HttpResponse:
    """Every pending invitation of the team, a keyset page (by e-mail) at a time; the Access page shows the first."""
    found = get_team(request, team)
    page = keyset_page(request, pending_invitations_of(found), keys=("email",), size=settings.PAGE_SIZE)
    context = {"team": found, "page": page, "can_manage": request.user.has_perm(p.MANAGE_MEMBERS, found)}
    return render(request, "teams/team_invitations.html", context)


@require_POST
def invitation_resend_view(request: HttpRequest, team: str, public_id: str) -> HttpResponse:
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    invitation = _invitation(found, public_id)
    base_url = request.build_absolute_uri("/")
    outcome = change(request, invitation_resend, team=found, email=invitation.email, base_url=base_url)
    message = f"Sent the invitation to {invitation.email} again. The new link is valid for 7 days."
    return done(request, outcome, message, _back(request, found))


@require_POST
def invitation_revoke_view(request: HttpRequest, team: str, public_id: str) -> HttpResponse:
    found = get_team(request, team, perm=p.MANAGE_MEMBERS)
    invitation = _invitation(found, public_id)
    outcome = change(request, invitation_revoke, team=found, email=invitation.email)
    return done(request, outcome, f"Revoked the invitation to {invitation.email}.", _back(request, found))


def _page(request: HttpRequest, token: str, status: int = 200, **extra: object) -> HttpResponse:
    invitation = invitation_for_token(token)
    problem = refusal(invitation)
    context: dict[str, object] = {"invitation": invitation, "token": token, "problem": problem, **extra}
    if problem is None and invitation is not None:
        user = request.user
        context["wrong_user"] = user.is_authenticated and user.email.lower() != invitation.email
        existing = User.objects.filter(email__iexact=invitation.email).first()
        context["has_account"] = existing is not None and not existing.is_pending
    return render(request, PAGE, context, status=problem.status if problem else status)


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the invitation and how to accept it. POST (signed in as the invited address): accept it."""
    if request.method == "GET" or not request.user.is_authenticated:
        return _page(request, token)
    invitation = invitation_for_token(token)
    if invitation is None:
        return _page(request, token)
    try:
        membership = invitation_accept(
            actor=request.user, invitation=invitation, origin=Origin.from_request(request)
        )
    except DomainError as error:
        return _page(request, token, status=error.status, error=error.message)
    messages.success(request, f"Welcome to {membership.team.name}: you are now {membership.role}.")
    return redirect("teams:apps", team=membership.team.name)


class SignupForm(forms.Form):
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password (again)", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.email = email

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords differ. Type the same password twice.")
        elif one:
            try:
                password_validation.validate_password(one, User(email=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_signup(request: HttpRequest, token: str) -> HttpResponse:
    """Create the invited address's account through the link (open even when sign-up is closed), then accept."""
    invitation = invitation_for_token(token)
    if refusal(invitation) is not None or invitation is None or request.user.is_authenticated:
        return _page(request, token)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None and not existing.is_pending:
        return _page(request, token, status=409, error=ACCOUNT_EXISTS.format(email=invitation.email))
    form = SignupForm(request.POST if request.method == "POST" else None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = existing or User.objects.create_user(invitation.email)
                user.set_password(
                    form.cleaned_data["password1"]
                )  # a pending account: the link proves the address
                user.save(update_fields=["password"])
                membership = invitation_accept(
                    actor=user, invitation=invitation, origin=Origin.from_request(request)
                )
        except DomainError as error:
            return _page(request, token, status=error.status, error=error.message)
        messages.success(request, f"Welcome to {membership.team.name}: you are now {membership.role}.")
        return perform_login(
            request,
            user,
            email_verification="none",
            redirect_url=reverse("teams:apps", kwargs={"team": membership.team.name}),
            signup=True,
        )
    return render(
        request,
        "teams/invitation_signup.html",
        {"invitation": invitation, "token": token, "form": form},
        status=422 if form.errors else 200,
    )
