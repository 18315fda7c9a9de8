"""App transfers with Heroku's states (SPEC 9, issue 15): pending until the recipient answers, team moves at once.

Through the API (``/account/app-transfers``), the services and the home page; every refusal changes nothing.
"""

from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied

from accessctl.access.errors import Conflict
from accessctl.audit.log import Origin
from accessctl.models import AuditEvent
from apps import transfers
from apps.models import App, AppTransfer, Grant
from tests.api_client import assert_error
from tests.factories import AppFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

API = Origin("api", "127.0.0.1")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@x.test")


@pytest.fixture
def mine(member):
    return AppFactory(team=None, owner=member, name="mine")


def offer(api, sender, recipient, app="mine"):
    return api(sender, "POST", "/account/app-transfers", {"app": app, "recipient": recipient.email})


def owner_of(app):
    app.refresh_from_db()
    return app.owner or app.team


def actions():
    """The audit trail of the test, API token creation left out."""
    events = AuditEvent.objects.exclude(action="token.create").order_by("pk")
    return list(events.values_list("action", flat=True))


def test_an_offer_is_pending_and_shows_to_both_people_only(api, member, bob, mine, outsider):
    created = offer(api, member, bob)
    body = created.json()
    assert created.status_code == HTTPStatus.CREATED
    assert (body["state"], body["app"]["name"], body["owner"]["email"], body["recipient"]["email"]) == (
        "pending",
        "mine",
        member.email,
        bob.email,
    )
    assert owner_of(mine) == member and actions() == ["transfer.create"]
    for person in (member, bob):
        assert [t["id"] for t in api(person, "GET", "/account/app-transfers").json()] == [body["id"]]
        assert api(person, "GET", f"/account/app-transfers/{body['id']}").json()["state"] == "pending"
        assert api(person, "GET", "/account/app-transfers/mine").json()["id"] == body["id"]
    assert api(outsider, "GET", "/account/app-transfers").json() == []
    assert_error(
        api(outsider, "GET", f"/account/app-transfers/{body['id']}"), 404, "not_found", "app transfer"
    )


def test_the_recipient_is_told_by_e_mail_once_the_offer_commits(
    api, member, bob, mine, mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer(api, member, bob)
    message = mail.next_to(bob.email)
    assert message["Subject"] == "member@acme.test offers you the app mine"
    body = message.get_payload(decode=True).decode()
    assert "Accept or decline it on your home page: http" in body
    with django_capture_on_commit_callbacks(execute=True) as sent:
        refused = offer(api, member, UserFactory(email="carol@x.test"))  # refused: no e-mail
    assert sent == []
    assert refused.status_code == HTTPStatus.CONFLICT
    assert [m["To"] for m in mail.messages()] == [bob.email]


def test_the_recipient_accepts_and_the_sender_stays_a_collaborator(api, member, bob, mine):
    offer(api, member, bob)
    answer = api(bob, "PATCH", "/account/app-transfers/mine", {"state": "accepted"})
    assert answer.status_code == HTTPStatus.OK and answer.json()["state"] == "accepted"
    assert owner_of(mine) == bob
    assert Grant.objects.get(app=mine, user=member).permissions == {"view", "deploy", "operate"}
    event = AuditEvent.objects.get(action="app.transfer")
    assert (event.actor, event.before, event.after) == (bob, {"owner": member.email}, {"owner": bob.email})
    again = api(bob, "PATCH", "/account/app-transfers/mine", {"state": "declined"})
    assert_error(again, 409, "conflict", "already accepted")


def test_the_recipient_declines_and_nothing_moves(api, member, bob, mine):
    offer(api, member, bob)
    answer = api(bob, "PATCH", "/account/app-transfers/mine", {"state": "declined"})
    assert answer.json()["state"] == "declined" and owner_of(mine) == member
    assert actions() == ["transfer.create", "transfer.decline"] and not Grant.objects.exists()
    assert offer(api, member, bob).json()["state"] == "pending"  # a declined app may be offered again


def test_only_the_recipient_answers_and_only_the_sender_cancels(api, member, bob, mine):
    offer(api, member, bob)
    refused = api(member, "PATCH", "/account/app-transfers/mine", {"state": "accepted"})
    assert_error(refused, 403, "forbidden")
    assert_error(api(bob, "DELETE", "/account/app-transfers/mine"), 403, "forbidden")
    assert owner_of(mine) == member and actions() == ["transfer.create"]
    cancelled = api(member, "DELETE", "/account/app-transfers/mine")
    assert cancelled.status_code == HTTPStatus.OK and cancelled.json()["state"] == "pending"
    assert not AppTransfer.objects.exists() and actions() == ["transfer.create", "transfer.cancel"]
    assert_error(api(bob, "GET", "/account/app-transfers/mine"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"state": "done"}, "The field 'state' must be one of: 'accepted' or 'declined'."),
        ({"state": "pending"}, "The field 'state' must be one of"),
        ({}, "The field 'state' is required."),
        ({"state": True}, "The field 'state' must be one of"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_field(api, member, bob, mine, body, text):
    offer(api, member, bob)
    assert_error(api(bob, "PATCH", "/account/app-transfers/mine", body), 422, "invalid_params", text)
    assert owner_of(mine) == member and AppTransfer.objects.get().state == "pending"


def test_one_pending_offer_per_app_and_none_to_oneself(api, member, bob, mine, outsider):
    offer(api, member, bob)
    assert_error(offer(api, member, outsider), 409, "conflict", "already offered to bob@x.test")
    assert_error(offer(api, member, member), 409, "conflict", "already belongs to member@acme.test")
    assert AppTransfer.objects.count() == 1


def test_only_the_owner_offers_a_personal_app(api, member, bob, mine):
    Grant.objects.create(app=mine, user=bob, permissions={"view", "deploy", "operate"})
    assert_error(offer(api, bob, UserFactory(email="carol@x.test")), 403, "forbidden")
    assert not AppTransfer.objects.exists() and owner_of(mine) == member


def test_acceptance_fails_once_the_sender_no_longer_owns_the_app(member, bob, mine, team):
    pending = transfers.app_transfer_create(actor=member, app=mine, recipient=bob, origin=API)
    mine.owner, mine.team = None, team
    mine.save()
    with pytest.raises(Conflict, match=r"no longer belongs to member@acme\.test"):
        transfers.app_transfer_accept(actor=bob, transfer=pending, origin=API)
    assert owner_of(mine) == team


def test_into_a_team_completes_at_once_as_accepted(api, member, mine, team):
    body = api(member, "POST", "/account/app-transfers", {"app": "mine", "recipient": "acme"}).json()
    assert (body["state"], body["recipient"]["email"]) == ("accepted", "acme@herokumanager.com")
    assert owner_of(mine) == team and actions() == ["app.transfer"]
    assert Grant.objects.get(app=mine, user=member).permissions == {"view", "deploy", "operate", "manage"}


def test_the_clis_personal_to_team_patch_moves_the_app(api, member, mine, team):
    answer = api(member, "PATCH", "/teams/apps/mine", {"owner": "acme"})
    assert answer.status_code == HTTPStatus.OK and answer.json()["owner"]["email"] == "acme@herokumanager.com"
    assert owner_of(mine) == team
    assert AppTransfer.objects.get().state == "accepted"


def test_a_viewer_cannot_move_a_personal_app_into_the_team(api, viewer, team):
    app = AppFactory(team=None, owner=viewer, name="theirs")
    assert_error(api(viewer, "PATCH", "/teams/apps/theirs", {"owner": "acme"}), 403, "forbidden")
    assert owner_of(app) == viewer and not AppTransfer.objects.exists()


def test_a_team_app_goes_to_a_person_at_once_by_its_admin_only(api, team_admin, member, app, bob):
    Grant.objects.create(app=app, user=member, permissions={"view", "manage"})
    assert_error(api(member, "PATCH", "/teams/apps/myapp", {"owner": bob.email}), 403, "forbidden")
    with pytest.raises(PermissionDenied):
        transfers.app_transfer_create(actor=member, app=app, recipient=bob, origin=API)
    body = api(team_admin, "POST", "/account/app-transfers", {"app": "myapp", "recipient": bob.email}).json()
    assert (body["state"], body["owner"]["email"]) == ("accepted", "acme@herokumanager.com")
    assert owner_of(app) == bob and not Grant.objects.filter(app=app).exists()


def test_a_team_app_to_another_team_needs_admin_of_both(api, team_admin, app):
    beta = TeamFactory(name="beta")
    assert_error(api(team_admin, "PATCH", "/teams/apps/myapp", {"owner": "beta"}), 403, "forbidden")
    MembershipFactory(team=beta, user=team_admin, role="admin")
    assert api(team_admin, "PATCH", "/teams/apps/myapp", {"owner": "beta"}).status_code == HTTPStatus.OK
    assert owner_of(app) == beta


# --- the page side -------------------------------------------------------------------------------------------


def test_home_shows_the_offer_to_both_with_their_own_buttons(client_as, member, bob, mine):
    pending = transfers.app_transfer_create(actor=member, app=mine, recipient=bob, origin=API)
    theirs = client_as(bob).get("/").content.decode()
    assert 'id="pending-transfers"' in theirs and f"/transfers/{pending.public_id}/accept/" in theirs
    assert f"/transfers/{pending.public_id}/cancel/" not in theirs
    own = client_as(member).get("/").content.decode()
    assert f"/transfers/{pending.public_id}/cancel/" in own and "/accept/" not in own


def test_accepting_on_the_page_moves_the_app(client_as, member, bob, mine):
    pending = transfers.app_transfer_create(actor=member, app=mine, recipient=bob, origin=API)
    forced = client_as(member).post(f"/transfers/{pending.public_id}/accept/")
    assert forced.status_code == HTTPStatus.FORBIDDEN and owner_of(mine) == member
    response = client_as(bob).post(f"/transfers/{pending.public_id}/accept/", follow=True)
    assert "mine is yours now." in response.content.decode() and owner_of(mine) == bob
    assert 'id="pending-transfers"' not in response.content.decode()


def test_declining_and_cancelling_on_the_page(client_as, member, bob, mine, outsider):
    pending = transfers.app_transfer_create(actor=member, app=mine, recipient=bob, origin=API)
    assert client_as(outsider).post(f"/transfers/{pending.public_id}/decline/").status_code == 404
    client_as(bob).post(f"/transfers/{pending.public_id}/decline/")
    assert AppTransfer.objects.get().state == "declined" and owner_of(mine) == member
    again = transfers.app_transfer_create(actor=member, app=mine, recipient=bob, origin=API)
    client_as(member).post(f"/transfers/{again.public_id}/cancel/")
    assert not AppTransfer.objects.filter(state="pending").exists() and App.objects.get().owner == member


def test_the_settings_form_says_an_offer_waits(client_as, member, bob, mine):
    response = client_as(member).post("/apps/mine/settings/transfer/", {"recipient": bob.email}, follow=True)
    assert "Offered mine to bob@x.test: it moves when they accept." in response.content.decode()
    assert owner_of(mine) == member and AppTransfer.objects.get().state == "pending"
