"""The webhook API as the Heroku CLI calls it: Basic token auth, the secret once, 422s naming the field, the
rules of who manages which webhooks, and refused SSRF targets."""

import base64
import json

import pytest

from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from accessctl.models import AuditEvent, Webhook
from accessctl.webhooks import services
from tests.api_client import assert_error
from tests.factories import AppFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
WEBHOOKS = "application/vnd.heroku+json; version=3.webhooks"
HOOK = {"include": ["api:collaborator"], "level": "notify", "url": "https://93.184.215.14/hooks"}


@pytest.fixture
def cli(client):
    """Calls as ``heroku webhooks:*`` builds them: ``version=3.webhooks`` and ``Basic base64(":" + token)``."""
    tokens = {}

    def call(user, method, path, data=None, authorization=None):
        if user.pk not in tokens:
            tokens[user.pk] = api_token_create(actor=user, name="cli", origin=COMMAND)[1]
        basic = base64.b64encode(f":{tokens[user.pk]}".encode()).decode()
        kwargs = {"HTTP_ACCEPT": WEBHOOKS, "HTTP_AUTHORIZATION": authorization or f"Basic {basic}"}
        if data is not None:
            kwargs.update(data=json.dumps(data), content_type="application/json")
        return getattr(client, method.lower())(path, **kwargs)

    return call


def test_add_answers_the_generated_secret_once_and_never_again(cli, app, team_admin):
    response = cli(team_admin, "POST", "/apps/myapp/webhooks", HOOK)

    assert response.status_code == 201, response.content
    secret = response["Heroku-Webhook-Secret"]
    assert len(secret) == 64
    hook = response.json()
    assert (hook["include"], hook["level"], hook["url"], hook["app"]["name"]) == (
        ["api:collaborator"],
        "notify",
        HOOK["url"],
        "myapp",
    )
    listed = cli(team_admin, "GET", "/apps/myapp/webhooks")
    shown = cli(team_admin, "GET", f"/apps/myapp/webhooks/{hook['id']}")
    for answer in (listed, shown):
        assert answer.status_code == 200
        assert secret not in answer.content.decode() and "Heroku-Webhook-Secret" not in answer
    audit = AuditEvent.objects.get(action="webhook.add")
    assert secret not in json.dumps(audit.after)


def test_a_given_secret_and_authorization_are_kept(cli, app, team_admin):
    body = {**HOOK, "secret": "s3cret", "authorization": "Bearer receiver-token"}
    response = cli(team_admin, "POST", "/apps/myapp/webhooks", body)

    assert response.status_code == 201
    assert response["Heroku-Webhook-Secret"] == "s3cret"
    hook = Webhook.objects.get()
    assert (hook.secret, hook.authorization) == ("s3cret", "Bearer receiver-token")


def test_basic_auth_takes_only_an_api_token_never_the_account_password(cli, app, team_admin):
    team_admin.set_password("correct horse battery")
    team_admin.save()
    password = base64.b64encode(b"admin@acme.test:correct horse battery").decode()

    refused = cli(team_admin, "GET", "/apps/myapp/webhooks", authorization=f"Basic {password}")

    assert_error(refused, 401, "unauthorized")
    assert cli(team_admin, "GET", "/apps/myapp/webhooks").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**HOOK, "include": ["api:dyno"]}, "include"),
        ({**HOOK, "include": []}, "include"),
        ({**HOOK, "url": "not a url"}, "url"),
        ({**HOOK, "url": "ftp://example.com/x"}, "url"),
        ({k: v for k, v in HOOK.items() if k != "level"}, "level"),
        ({**HOOK, "level": "sometimes"}, "level"),
        ({**HOOK, "include": "api:app"}, "include"),
        ({**HOOK, "colour": "red"}, "colour"),
    ],
    ids=[
        "unknown-type",
        "no-type",
        "bad-url",
        "not-http",
        "missing-level",
        "bad-level",
        "not-a-list",
        "unknown-field",
    ],
)
def test_bad_input_is_422_naming_the_field(cli, app, team_admin, body, field):
    response = cli(team_admin, "POST", "/apps/myapp/webhooks", body)

    assert_error(response, 422, "invalid_params", field)
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://172.16.5.4/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
        "http://93.184.215.14/hooks",
        "https://user:pw@93.184.215.14/hooks",
    ],
)
def test_production_refuses_private_and_plain_http_targets(cli, app, team_admin, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    response = cli(team_admin, "POST", "/apps/myapp/webhooks", {**HOOK, "url": url})

    assert_error(response, 422, "invalid_params", "url")
    assert not Webhook.objects.exists()


def test_update_changes_what_is_sent_and_turns_a_disabled_hook_back_on(cli, app, team_admin):
    hook = services.webhook_add(actor=team_admin, app=app, origin=COMMAND, **HOOK)
    Webhook.objects.filter(pk=hook.pk).update(disabled_at="2026-01-01T00:00:00Z", disabled_reason="failing")

    response = cli(
        team_admin,
        "PATCH",
        f"/apps/myapp/webhooks/{hook.id}",
        {"include": ["api:app", "api:release"], "level": "sync"},
    )

    assert response.status_code == 200, response.content
    assert (response.json()["include"], response.json()["level"], response.json()["enabled"]) == (
        ["api:app", "api:release"],
        "sync",
        True,
    )
    assert_error(
        cli(team_admin, "PATCH", f"/apps/myapp/webhooks/{hook.id}", {"level": "x"}),
        422,
        "invalid_params",
        "level",
    )


def test_remove_deletes_the_hook_and_says_so_in_the_audit_log(cli, app, team_admin):
    hook = services.webhook_add(actor=team_admin, app=app, origin=COMMAND, **HOOK)

    response = cli(team_admin, "DELETE", f"/apps/myapp/webhooks/{hook.id}")

    assert response.status_code == 200 and response.json()["id"] == str(hook.id)
    assert not Webhook.objects.exists()
    assert AuditEvent.objects.filter(action="webhook.remove", app=app).count() == 1
    assert_error(cli(team_admin, "GET", f"/apps/myapp/webhooks/{hook.id}"), 404, "not_found")


@pytest.mark.parametrize(
    ("kind", "status"),
    [("admin", 201), ("member-manage", 201), ("member-deploy", 403), ("viewer", 403), ("outsider", 404)],
)
def test_admins_and_manage_holders_manage_an_apps_webhooks(cli, team, team_admin, kind, status):
    app = AppFactory(team=team, name="myapp")
    user = team_admin if kind == "admin" else UserFactory(email=f"{kind}@x.test")
    if kind.startswith("member") or kind == "viewer":
        MembershipFactory(team=team, user=user, role="viewer" if kind == "viewer" else "member")
    if kind.startswith("member-"):
        GrantFactory(app=app, user=user, permissions=f"view,{kind.split('-')[1]}")

    response = cli(user, "POST", "/apps/myapp/webhooks", HOOK)

    assert response.status_code == status, response.content
    listing = cli(user, "GET", "/apps/myapp/webhooks")
    assert listing.status_code == (200 if status == 201 else status)


def test_a_personal_apps_owner_manages_its_webhooks(cli, db):
    owner = UserFactory(email="owner@x.test")
    AppFactory(owner=owner, team=None, name="mine")

    assert cli(owner, "POST", "/apps/mine/webhooks", HOOK).status_code == 201


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 201), ("member", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_admins_manage_team_webhooks(cli, team, team_admin, member, viewer, outsider, who, status):
    user = {"admin": team_admin, "member": member, "viewer": viewer, "outsider": outsider}[who]
    body = {"url": "https://93.184.215.14/team", "level": "sync"}

    response = cli(user, "POST", "/teams/acme/webhooks", body)

    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["team"]["name"] == "acme" and response.json()["include"] == ["*"]
        assert response["Heroku-Webhook-Secret"]


def test_team_webhooks_take_no_include(cli, team, team_admin):
    body = {"url": "https://93.184.215.14/team", "level": "sync", "include": ["api:app"]}

    assert_error(cli(team_admin, "POST", "/teams/acme/webhooks", body), 422, "invalid_params", "include")


def test_deliveries_filter_by_status_and_refuse_an_unknown_one(cli, app, team_admin):
    assert cli(team_admin, "GET", "/apps/myapp/webhook-deliveries?eq[status]=failed").json() == []
    assert_error(
        cli(team_admin, "GET", "/apps/myapp/webhook-deliveries?eq[status]=lost"),
        422,
        "invalid_params",
        "lost",
    )


@pytest.mark.parametrize(
    ("env", "allowed"), [({"DJANGO_ENV": "production"}, "False"), ({"DEBUG": "1"}, "True")]
)
def test_private_targets_are_refused_in_production_and_allowed_in_development(env, allowed):
    import secrets

    from tests.processes import manage

    extra = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "access.example.com",
        "WEBHOOK_SECRET_KEY": secrets.token_urlsafe(32),
    }
    command = "from django.conf import settings; print(settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)"
    result = manage("shell", "-c", command, **extra, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == allowed  # after the shell's "objects imported" line
