"""The Heroku CLI's invitation commands against a live server, with the e-mail going to a real SMTP server.

The demo turns team-invite-acceptance on for acme-widgets, so there ``members:add`` invites (PUT
/teams/<t>/invitations), ``members --pending`` lists invitations and ``members:remove`` revokes them.
"""

import pytest
import requests

from teams.models import Invitation, Membership
from tests.heroku_cli import demo_cli, table
from tests.smtp import invitation_link

pytestmark = [pytest.mark.cli, pytest.mark.django_db(transaction=True)]
ADMIN, JOE = "admin@acme.test", "joe@acme.com"


@pytest.fixture
def heroku(live_server, tmp_path, mail):
    return demo_cli(live_server.url, tmp_path)


def test_members_add_invites_then_pending_lists_then_the_link_is_accepted(heroku, mail, live_server):
    added = heroku(ADMIN, "members:add", "new@partner.test", "--team", "acme-widgets", "--role", "member")
    assert added.code == 0, added.err
    assert "Inviting new@partner.test to acme-widgets as member... done" in added.message
    assert not Membership.objects.filter(user__email="new@partner.test").exists()

    pending = heroku(JOE, "members", "--team", "acme-widgets", "--pending")
    assert pending.code == 0, pending.err
    assert table(pending.out) == [["email", "role", "status"], ["new@partner.test", "member", "pending"]]
    everyone = heroku(JOE, "members", "--team", "acme-widgets")
    assert table(everyone.out)[1:] == [
        ["admin@acme.test", "admin"],
        ["joe@acme.com", "member"],
        ["new@partner.test", "member", "pending"],
    ]

    link, token = invitation_link(mail.next_to("new@partner.test"))
    assert link.startswith(live_server.url)
    session = requests.Session()
    page = session.get(link, timeout=10)
    assert "Create your account for new@partner.test" in page.text
    session.get(f"{live_server.url}/invitations/{token}/signup/", timeout=10)
    joined = session.post(
        f"{live_server.url}/invitations/{token}/signup/",
        data={
            "password1": "a-long-new-password-42",
            "password2": "a-long-new-password-42",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": link},
        timeout=10,
    )
    assert "Welcome to acme-widgets: you are now member." in joined.text
    assert Membership.objects.get(user__email="new@partner.test", team__name="acme-widgets").role == "member"
    after = heroku(JOE, "members", "--team", "acme-widgets")
    assert ["new@partner.test", "member"] in table(after.out)


def test_members_remove_revokes_an_invitation(heroku, mail):
    heroku(ADMIN, "members:add", "later@partner.test", "--team", "acme-widgets", "--role", "viewer")
    removed = heroku(ADMIN, "members:remove", "later@partner.test", "--team", "acme-widgets")
    assert removed.code == 0, removed.err
    assert "Revoking invite for later@partner.test in acme-widgets... done" in removed.message
    assert Invitation.objects.get(email="later@partner.test").revoked_at is not None


def test_members_add_of_a_member_changes_the_role_and_bad_roles_are_refused(heroku):
    changed = heroku(ADMIN, "members:add", JOE, "--team", "acme-widgets", "--role", "admin")
    assert changed.code == 0, changed.err
    assert Membership.objects.get(user__email=JOE, team__name="acme-widgets").role == "admin"
    owner = heroku(ADMIN, "members:add", "x@partner.test", "--team", "acme-widgets", "--role", "owner")
    assert owner.code == 2 and "Unknown role 'owner'" in owner.message
    assert not Invitation.objects.exists()
