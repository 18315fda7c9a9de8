"""Password changes made outside allauth, in the support console or with ``manage.py changepassword``, end
the user's sessions and revoke their API tokens with the reason shown and an e-mail, as allauth's do."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import CommandError, call_command

from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from accessctl.models import AuditEvent, User
from tests.api_client import ACCEPT
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the e-mail goes out once the change commits
NEW = "another-horse-staple-9"


@pytest.fixture
def root():
    return UserFactory(email="root@accessctl.test", is_staff=True, is_superuser=True)


def with_token(client_as, user):
    """A signed-in session and a working API token of ``user``."""
    session = client_as(user)
    raw = api_token_create(actor=user, name="laptop cli", origin=COMMAND)[1]
    assert works(session, raw)
    mail.outbox.clear()
    return session, raw


def works(client, raw) -> bool:
    answer = client.get("/account", HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {raw}")
    return answer.status_code == HTTPStatus.OK


def assert_revoked(client_as, session, user, raw, reason):
    assert not works(client_as(UserFactory(email="bystander@acme.test")), raw)
    assert session.get("/").status_code == HTTPStatus.FOUND, "the user's session ended"
    user.refresh_from_db()
    assert user.check_password(NEW)
    token = user.api_tokens.get()
    assert token.revoked_reason == reason
    [notice] = [m for m in mail.outbox if "API tokens were revoked" in m.subject]
    assert notice.to == [user.email] and "laptop cli" in notice.body
    page = client_as(user).get("/account/").content.decode()
    assert reason in page.split(f'id="token-{token.pk}"')[1].split("</tr>")[0]


def test_support_console_password_revokes_tokens_and_mails_the_user(client_as, root, member):
    session, raw = with_token(client_as, member)
    console = client_as(root)
    change_page = console.get(f"/admin/accessctl/user/{member.pk}/change/").content.decode()
    assert f'href="/admin/accessctl/user/{member.pk}/password/"' in change_page

    answer = console.post(
        f"/admin/accessctl/user/{member.pk}/password/", {"new_password1": NEW, "new_password2": NEW}
    )

    assert answer.status_code == HTTPStatus.FOUND
    assert_revoked(client_as, session, member, raw, "The password was set by support staff.")
    event = AuditEvent.objects.get(action="user.password", target_user=member)
    assert (event.actor, event.source, event.after) == (root, "admin", {"change": "set by support staff"})
    assert console.get("/admin/").status_code == HTTPStatus.OK, "the staff member's own session is untouched"


def test_support_console_refuses_mismatched_passwords_and_changes_nothing(client_as, root, member):
    session, raw = with_token(client_as, member)

    answer = client_as(root).post(
        f"/admin/accessctl/user/{member.pk}/password/", {"new_password1": NEW, "new_password2": NEW + "x"}
    )

    assert answer.status_code == HTTPStatus.OK
    assert "The two password fields didn\u2019t match." in answer.content.decode()
    assert works(session, raw) and not mail.outbox
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)


def test_only_superusers_set_passwords_of_staff(client_as, member):
    support = UserFactory(email="support@accessctl.test", is_staff=True)
    support.user_permissions.add(Permission.objects.get(codename="view_user"))  # reads accounts, no change
    changer = UserFactory(email="changer@accessctl.test", is_staff=True)
    changer.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    colleague = UserFactory(email="colleague@accessctl.test", is_staff=True)
    url = f"/admin/accessctl/user/{colleague.pk}/password/"

    assert client_as(support).post(url, {"new_password1": NEW, "new_password2": NEW}).status_code == 403
    assert client_as(support).get(f"/admin/accessctl/user/{member.pk}/password/").status_code == 403
    refused = client_as(changer).post(url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "Only superusers can set the password of a staff member or superuser." in refused.content.decode()
    assert User.objects.get(pk=colleague.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password").exists()


@pytest.fixture
def typed(monkeypatch):
    """What the operator types at the command's password prompts, in order."""
    answers: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    return answers


def test_changepassword_command_revokes_tokens_and_mails_the_user(client_as, member, typed, capsys):
    session, raw = with_token(client_as, member)
    typed.extend([NEW, NEW])

    call_command("changepassword", "Member@Acme.test")

    assert "Changed the password of member@acme.test" in capsys.readouterr().out
    assert_revoked(client_as, session, member, raw, "The password was set with manage.py changepassword.")
    event = AuditEvent.objects.get(action="user.password", target_user=member)
    assert (event.source, event.actor) == ("command", None)


def test_changepassword_command_gives_up_after_three_bad_tries(client_as, member, typed):
    session, raw = with_token(client_as, member)
    typed.extend([NEW, "typo", "short", "short", NEW, NEW + "x"])

    with pytest.raises(CommandError, match="No password set after 3 tries; nothing changed"):
        call_command("changepassword", member.email)

    assert works(session, raw) and not mail.outbox
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)


def test_changepassword_command_names_an_unknown_account(typed):
    with pytest.raises(
        CommandError, match=re.escape("There is no account with the e-mail nobody@acme.test.")
    ):
        call_command("changepassword", "nobody@acme.test")
