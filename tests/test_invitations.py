"""Invitations by e-mail (SPEC 16), end to end: the pages and the API send mail to a real SMTP server process on
127.0.0.1, and the tests follow the link from the received message with the browser-less client.
"""

import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accessctl.audit.log import COMMAND
from accessctl.models import AuditEvent, User
from teams.invitations import ALREADY_MEMBER, invitation_send
from teams.models import Invitation, Membership, Team
from tests.api_client import assert_error
from tests.factories import UserFactory
from tests.smtp import invitation_link

INVITES = "application/vnd.heroku+json; version=3.team-invitations"
pytestmark = pytest.mark.django_db(transaction=True)  # real commits: the e-mail leaves on commit


@pytest.fixture
def inviting(team):
    team.invite_acceptance = True
    team.save()
    return team


def _invite_by_page(client, email, role="member"):
    return client.post("/teams/acme/access/add-member/", {"user": email, "role": role}, follow=True)


def _link_to(mail, email):
    """The link of the next invitation e-mail to ``email``."""
    return invitation_link(mail.next_to(email))


def test_admin_turns_invitations_on_in_settings(client_as, team, team_admin, api):
    client = client_as(team_admin)
    assert "team-invite-acceptance" in client.get("/teams/acme/settings/").content.decode()
    features = {f["name"]: f["enabled"] for f in api(team_admin, "GET", "/teams/acme/features").json()}
    assert features["team-invite-acceptance"] is False
    client.post(
        "/teams/acme/settings/",
        {"name": "acme", "join_permissions": ["view"], "invite_acceptance": "on"},
    )
    team.refresh_from_db()
    assert team.invite_acceptance
    features = {f["name"]: f["enabled"] for f in api(team_admin, "GET", "/teams/acme/features").json()}
    assert features == {"org-access-controls": True, "team-invite-acceptance": True}
    assert api(team_admin, "GET", "/teams/acme").json()["type"] == "team"  # the CLI probes invitations then
    assert AuditEvent.objects.filter(action="team.settings", after__invite_acceptance=True).exists()


def test_new_person_invited_by_page_signs_up_through_the_link_while_sign_up_is_closed(
    mail, client_as, inviting, team_admin, settings
):
    settings.ACCOUNT_ALLOW_REGISTRATION = False
    admin = client_as(team_admin)
    page = _invite_by_page(admin, "New.Person@Example.test", "viewer").content.decode()
    assert "Invited new.person@example.test to acme as viewer." in page
    assert not User.objects.filter(email="new.person@example.test").exists()  # nothing granted yet
    access = admin.get("/teams/acme/access/").content.decode()
    assert (
        'id="invitations"' in access and "new.person@example.test" in access and "admin@acme.test" in access
    )
    link, token = _link_to(mail, "new.person@example.test")
    stored = Invitation.objects.get(email="new.person@example.test")
    assert token not in stored.digest and len(stored.digest) == 64  # only a digest is stored
    assert stored.expires_at - stored.sent_at == timedelta(days=7)

    visitor = Client()
    landing = visitor.get(link.replace("http://testserver", ""))
    assert "Create your account for new.person@example.test" in landing.content.decode()
    assert "Sign Up Closed" in visitor.get("/accounts/signup/").content.decode()  # closed for everyone else
    joined = visitor.post(
        f"/invitations/{token}/signup/",
        {"password1": "a-long-new-password-42", "password2": "a-long-new-password-42"},
        follow=True,
    )
    assert "Welcome to acme: you are now viewer." in joined.content.decode()
    user = User.objects.get(email="new.person@example.test")
    assert Membership.objects.get(team=inviting, user=user).role == "viewer"
    assert joined.context["user"] == user  # signed in
    assert AuditEvent.objects.filter(action="invitation.accept", target_user=user).count() == 1

    again = Client().get(f"/invitations/{token}/")
    assert again.status_code == HTTPStatus.GONE and "already been used" in again.content.decode()


def test_existing_account_accepts_signed_in_and_nobody_else_can(
    mail, client_as, inviting, team_admin, outsider
):
    _invite_by_page(client_as(team_admin), outsider.email, "member")
    _, token = _link_to(mail, outsider.email)
    intruder = UserFactory(email="intruder@else.test")
    other = client_as(intruder)
    page = other.get(f"/invitations/{token}/").content.decode()
    assert "you are signed in as intruder@else.test" in page
    refused = other.post(f"/invitations/{token}/")
    assert (
        refused.status_code == HTTPStatus.FORBIDDEN
        and "This invitation is for outsider@else.test" in refused.content.decode()
    )
    assert not Membership.objects.filter(team=inviting, user=intruder).exists()

    anonymous = Client().get(f"/invitations/{token}/").content.decode()
    assert "Sign in as outsider@else.test to accept" in anonymous
    invited = client_as(outsider)
    assert "Accept and join acme" in invited.get(f"/invitations/{token}/").content.decode()
    accepted = invited.post(f"/invitations/{token}/", follow=True)
    assert "Welcome to acme: you are now member." in accepted.content.decode()
    assert Membership.objects.get(team=inviting, user=outsider).role == "member"


def test_revoked_resent_and_expired_links_grant_nothing(mail, client_as, inviting, team_admin, outsider):
    admin = client_as(team_admin)
    _invite_by_page(admin, outsider.email)
    _, first = _link_to(mail, outsider.email)
    invitation = Invitation.objects.get(email=outsider.email)
    admin.post(f"/teams/acme/access/invitations/{invitation.public_id}/resend/")
    _, second = _link_to(mail, outsider.email)
    assert first != second
    invited = client_as(outsider)
    stale = invited.post(f"/invitations/{first}/")
    assert stale.status_code == HTTPStatus.GONE and "not valid" in stale.content.decode()

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = invited.post(f"/invitations/{second}/")
    assert expired.status_code == HTTPStatus.GONE and "expired" in expired.content.decode()
    assert "expired" in admin.get("/teams/acme/access/").content.decode()

    admin.post(f"/teams/acme/access/invitations/{invitation.public_id}/resend/")
    _, third = _link_to(mail, outsider.email)
    page = admin.post(f"/teams/acme/access/invitations/{invitation.public_id}/revoke/", follow=True)
    assert f"Revoked the invitation to {outsider.email}." in page.content.decode()
    revoked = invited.post(f"/invitations/{third}/")
    assert revoked.status_code == HTTPStatus.GONE and "revoked" in revoked.content.decode()
    assert not Membership.objects.filter(team=inviting, user=outsider).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="invitation.").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["invitation.create", "invitation.resend", "invitation.resend", "invitation.revoke"]
    )


def test_collaborators_may_be_invited_to_become_members(mail, client_as, inviting, team_admin, collaborator):
    _invite_by_page(client_as(team_admin), collaborator.email, "member")
    _, token = _link_to(mail, collaborator.email)
    client_as(collaborator).post(f"/invitations/{token}/")
    assert Membership.objects.get(team=inviting, user=collaborator).role == "member"


def test_bad_invitations_say_why_and_grant_nothing(mail, client_as, inviting, team_admin, viewer):
    admin = client_as(team_admin)
    owner = _invite_by_page(admin, "x@new.test", "owner")
    assert owner.status_code == 422 and "Select a valid choice" in owner.content.decode()
    with pytest.raises(Exception, match="already a member of acme"):
        invitation_send(
            actor=team_admin,
            team=inviting,
            email=viewer.email,
            role="viewer",
            origin=COMMAND,
            base_url="http://x/",
        )
    assert ALREADY_MEMBER.startswith("{email} is already a member")
    assert Invitation.objects.count() == 0 and mail.messages() == []


def test_existing_member_added_again_changes_role_after_a_confirmation(
    client_as, inviting, team_admin, viewer
):
    admin = client_as(team_admin)
    confirm = admin.post("/teams/acme/access/add-member/", {"user": viewer.email, "role": "admin"})
    assert "Change role to admin" in confirm.content.decode()
    assert Membership.objects.get(team=inviting, user=viewer).role == "viewer"
    done = admin.post(
        "/teams/acme/access/add-member/", {"user": viewer.email, "role": "admin", "confirm": "1"}, follow=True
    )
    assert "Changed role of viewer@acme.test from viewer to admin." in done.content.decode()
    assert Membership.objects.get(team=inviting, user=viewer).role == "admin"
    assert Invitation.objects.count() == 0


# --- the API ----------------------------------------------------------------------------------------------------


def test_api_invites_lists_accepts_and_revokes(mail, api, inviting, team_admin, member, outsider):
    sent = api(
        team_admin,
        "PUT",
        "/teams/acme/invitations",
        {"email": outsider.email, "role": "member"},
        HTTP_ACCEPT=INVITES,
    )
    assert sent.status_code == HTTPStatus.CREATED
    assert (
        sent.json()["user"]["email"] == outsider.email
        and sent.json()["invited_by"]["email"] == team_admin.email
    )
    listed = api(member, "GET", "/teams/acme/invitations", HTTP_ACCEPT=INVITES).json()
    assert [(i["user"]["email"], i["role"]) for i in listed] == [(outsider.email, "member")]
    _, token = _link_to(mail, outsider.email)
    info = api(outsider, "GET", f"/teams/invitations/{token}")
    assert info.status_code == 200 and info.json()["team"]["name"] == "acme"
    assert_error(
        api(member, "POST", f"/teams/invitations/{token}/accept"), 403, "forbidden", "This invitation is for"
    )
    accepted = api(outsider, "POST", f"/teams/invitations/{token}/accept")
    assert accepted.status_code == HTTPStatus.CREATED and accepted.json()["role"] == "member"
    assert_error(
        api(outsider, "POST", f"/teams/invitations/{token}/accept"), 410, "gone", "already been used"
    )
    assert_error(api(outsider, "GET", "/teams/invitations/inv_nope"), 404, "not_found", "invitation")

    api(
        team_admin,
        "PUT",
        "/teams/acme/invitations",
        {"email": "later@new.test", "role": "viewer"},
        HTTP_ACCEPT=INVITES,
    )
    revoked = api(team_admin, "DELETE", "/teams/acme/invitations/later@new.test", HTTP_ACCEPT=INVITES)
    assert revoked.status_code == 200
    assert api(member, "GET", "/teams/acme/invitations", HTTP_ACCEPT=INVITES).json() == []
    assert_error(
        api(team_admin, "DELETE", "/teams/acme/invitations/later@new.test", HTTP_ACCEPT=INVITES),
        422,
        "invalid_params",
        "no pending invitation",
    )


@pytest.mark.parametrize(
    ("body", "status", "error_id", "text"),
    [
        ({"email": "x@new.test", "role": "owner"}, 422, "invalid_params", "Unknown role 'owner'"),
        ({"email": "x@new.test", "role": "collaborator"}, 422, "invalid_params", "Unknown role"),
        ({"email": "not-an-email", "role": "member"}, 422, "invalid_params", "not a valid e-mail"),
        ({"email": "member@acme.test", "role": "member"}, 409, "conflict", "already a member of acme"),
    ],
)
def test_api_refuses_bad_invitations(mail, api, inviting, team_admin, member, body, status, error_id, text):
    assert_error(
        api(team_admin, "PUT", "/teams/acme/invitations", body, HTTP_ACCEPT=INVITES), status, error_id, text
    )
    assert Invitation.objects.count() == 0 and mail.messages() == []


def test_api_put_invitation_of_a_member_with_another_role_changes_the_role(api, inviting, team_admin, viewer):
    answer = api(
        team_admin,
        "PUT",
        "/teams/acme/invitations",
        {"email": viewer.email, "role": "member"},
        HTTP_ACCEPT=INVITES,
    )
    assert answer.status_code == 200 and answer.json()["role"] == "member"
    assert Invitation.objects.count() == 0


def test_api_invitations_need_the_feature_and_an_admin(api, team, team_admin, member):
    assert_error(
        api(
            team_admin,
            "PUT",
            "/teams/acme/invitations",
            {"email": "x@new.test", "role": "member"},
            HTTP_ACCEPT=INVITES,
        ),
        409,
        "conflict",
        "Invitations are off for acme",
    )
    team.invite_acceptance = True
    team.save()
    assert_error(
        api(
            member,
            "PUT",
            "/teams/acme/invitations",
            {"email": "x@new.test", "role": "member"},
            HTTP_ACCEPT=INVITES,
        ),
        403,
        "forbidden",
    )
    assert Invitation.objects.count() == 0


def test_demo_turns_invitations_on_for_acme_widgets(db):
    call_command("demo", stdout=io.StringIO())
    assert dict(Team.objects.values_list("name", "invite_acceptance")) == {
        "acme": False,
        "acme-widgets": True,
    }
