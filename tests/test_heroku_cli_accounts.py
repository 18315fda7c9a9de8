"""The Heroku CLI's account commands against a live server: ``apps --all``, API tokens as ``authorizations``,
``sessions``, ``logout`` (which must end the token it used), and the Heroku-only commands' clear refusal."""

import io

import pytest
from django.core.management import call_command

from accessctl.audit.log import COMMAND
from accessctl.audit.models import AuditAction, AuditEvent
from accessctl.identity.models import ApiToken
from accessctl.identity.tokens import api_token_create
from accessctl.models import User
from tests.heroku_cli import run_heroku, table

pytestmark = [pytest.mark.cli, pytest.mark.django_db(transaction=True)]
ADMIN, MEMBER, COLLAB = "admin@acme.test", "member@acme.test", "collab@partner.test"
HEROKU_ONLY = "accessctl manages access only and does not run Heroku's"


@pytest.fixture
def cli(live_server, tmp_path):
    """``cli(token, *args)`` runs the CLI with that raw token; ``cli.token(email)`` makes one."""
    call_command("demo", stdout=io.StringIO())

    class Cli:
        def __call__(self, token, *args):
            return run_heroku(list(args), home=tmp_path, url=live_server.url, token=token)

        def token(self, email, name="cli"):
            return api_token_create(actor=User.objects.get(email=email), name=name, origin=COMMAND)[1]

    return Cli()


def test_apps_all_lists_every_app_one_can_see(cli):
    member = cli.token(MEMBER)
    everything = cli(member, "apps", "--all")
    assert everything.code == 0, everything.err
    assert [row[0] for row in table(everything.out)[2:]] == [
        "myapp [locked]",
        "test",
        "website-prod [locked]",
        "website-staging",
    ]
    collab = cli(cli.token(COLLAB), "apps", "--all")
    assert collab.code == 0, collab.err
    assert "website-staging" in collab.out and "website-prod" not in collab.out


def test_authorizations_create_list_info_revoke(cli):
    admin = cli.token(ADMIN, name="laptop")
    made = cli(admin, "authorizations:create", "--description", "deploy bot", "--short")
    assert made.code == 0, made.err
    new = made.out.strip()
    assert new.startswith("actl_")
    assert cli(new, "auth:whoami").out.strip() == ADMIN  # the new token works

    listed = cli(admin, "authorizations")
    assert listed.code == 0, listed.err
    rows = {row[0]: row for row in table(listed.out)[1:]}
    assert set(rows) == {"deploy bot", "laptop"} and rows["deploy bot"][2] == "global"
    token_id = rows["deploy bot"][1]
    assert token_id == str(ApiToken.objects.get(name="deploy bot").public_id)

    info = cli(admin, "authorizations:info", token_id)
    assert info.code == 0, info.err
    assert "Description: deploy bot" in info.out and f"ID:          {token_id}" in info.out
    assert "actl_" not in info.out  # the secret is shown once only

    revoked = cli(admin, "authorizations:revoke", token_id)
    assert revoked.code == 0, revoked.err
    assert "done, revoked authorization from deploy bot" in revoked.message
    gone = cli(new, "auth:whoami")  # no longer signs in
    assert gone.code == 2 and "Invalid credentials provided" in gone.message
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE, before={"name": "deploy bot"}).exists()


def test_authorizations_refuse_expiry_scopes_and_others_ids(cli):
    admin = cli.token(ADMIN)
    expiring = cli(admin, "authorizations:create", "--expires-in", "3600")
    assert expiring.code == 2 and "accessctl API tokens do not expire" in expiring.message
    scoped = cli(admin, "authorizations:create", "--scope", "read")
    assert scoped.code == 2 and "the only scope is 'global'" in scoped.message
    theirs = ApiToken.objects.get(user__email=ADMIN).public_id  # the admin's token, asked for by the member
    other = cli(cli.token(MEMBER), "authorizations:revoke", str(theirs))
    assert other.code == 2 and f"There is no authorization {theirs} on your account" in other.message
    assert cli(admin, "auth:whoami").code == 0
    made = cli(admin, "authorizations:create")
    assert made.code == 0 and "Description: Made with heroku authorizations:create" in made.out


def test_sessions_says_there_are_none_and_why(cli):
    result = cli(cli.token(MEMBER), "sessions")
    assert result.code == 0, result.err
    assert "No OAuth sessions." in result.out
    assert "accessctl has no OAuth sessions: the CLI signs in with an API token" in result.message


def test_logout_revokes_the_token_it_was_called_with(cli):
    token = cli.token(MEMBER, name="to log out")
    kept = cli.token(MEMBER, name="kept")
    assert cli(token, "auth:whoami").code == 0
    out = cli(token, "auth:logout")
    assert out.code == 0, out.err
    assert "Logging out... done" in out.message
    after = cli(token, "auth:whoami")
    assert after.code == 2 and "Invalid credentials provided" in after.message
    assert not ApiToken.objects.filter(name="to log out").exists()
    assert cli(kept, "auth:whoami").out.strip() == MEMBER  # only the token in use ends
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE, before={"name": "to log out"}).exists()
    assert cli(kept, "logout").code == 0  # the alias ends its own token the same way
    assert "Invalid credentials provided" in cli(kept, "auth:whoami").message


@pytest.mark.parametrize(
    ("args", "feature"),
    [
        (["logs", "--app", "website-staging"], "logs"),
        (["run", "bash", "--app", "website-staging"], "one-off dynos (heroku run)"),
        (["addons", "--app", "website-staging"], "add-ons"),
        (["addons:create", "heroku-postgresql", "--app", "website-staging"], "add-ons"),
        (["pipelines"], "pipelines"),
        (["domains", "--app", "website-staging"], "domains"),
        (["drains", "--app", "website-staging"], "log drains"),
        (["keys"], "SSH keys"),
        (["regions"], "regions and stacks"),
    ],
)
def test_heroku_only_commands_print_that_accessctl_does_not_run_them(cli, args, feature):
    result = cli(cli.token(MEMBER), *args)
    assert result.code == 2, (result.out, result.err)
    assert f"{HEROKU_ONLY} {feature}" in result.message
    assert "Error ID: not_implemented" in result.message


def test_auth_token_and_ps_type(cli):
    token = cli.token(MEMBER)
    printed = cli(token, "auth:token")
    assert printed.code == 0 and printed.out.strip() == token
    types = cli(token, "ps:type", "--app", "website-staging")
    assert types.code == 0, types.err
    assert table(types.out)[2][:3] == ["web", "Basic", "1"]
