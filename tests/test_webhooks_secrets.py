"""Webhook secrets at rest: stored encrypted, read back for signing, encrypted in place by the migration,
readable during a key rotation and re-encrypted by ``rotate_webhook_secrets``, shown only at creation."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accessctl.audit.log import COMMAND
from accessctl.models import Webhook
from accessctl.webhooks import delivery as sending
from accessctl.webhooks import services
from tests.factories import UserFactory
from tests.webhooks import Receiver

URL = "http://127.0.0.1:9/hooks"
MIGRATION = "_webhook_secrets_encrypted"  # found by name: the number changes when branches merge


def stored(hook_id) -> tuple[str, str]:
    """The columns as the database holds them, without the field's decryption."""
    with connection.cursor() as cursor:
        columns = ", ".join(connection.ops.quote_name(name) for name in ("secret", "authorization"))
        key = hook_id.hex if connection.vendor == "sqlite" else hook_id
        cursor.execute(f"SELECT {columns} FROM accessctl_webhook WHERE id = %s", [key])
        return cursor.fetchone()


def add(team_admin, app, url=URL, secret="s3cret-value", authorization="Bearer siem-token"):
    return services.webhook_add(actor=team_admin, app=app, origin=COMMAND, url=url, include=["api:app"],
                                level="notify", secret=secret, authorization=authorization)  # fmt: skip


@pytest.mark.django_db
def test_the_database_holds_neither_the_secret_nor_the_authorization_value(team_admin, app):
    hook = add(team_admin, app)

    secret, authorization = stored(hook.id)

    assert "s3cret-value" not in secret and "siem-token" not in authorization
    assert secret.startswith("gAAAAA") and authorization.startswith("gAAAAA")  # Fernet tokens
    assert (Webhook.objects.get().secret, Webhook.objects.get().authorization) == (
        "s3cret-value",
        "Bearer siem-token",
    )


@pytest.mark.django_db
def test_deliveries_are_still_signed_with_the_secret(team_admin, app, tmp_path):
    receiver = Receiver(tmp_path, "s3cret-value")
    try:
        hook = add(team_admin, app, url=receiver.url)
        ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)
        outcome = sending.attempt(str(ping.public_id))
    finally:
        receiver.stop()

    assert outcome.status == "succeeded"
    [got] = receiver.requests()
    assert got["verified"] and got["headers"]["Authorization"] == "Bearer siem-token"


@pytest.mark.django_db
def test_the_secret_is_shown_once_never_on_the_pages_after(client_as, team_admin, app):
    client = client_as(team_admin)
    created = client.post("/apps/myapp/settings/webhooks/add/",
                          {"url": URL, "include": ["api:app"], "level": "notify", "secret": "s3cret-value",
                           "authorization": "Bearer siem-token"}).content.decode()  # fmt: skip
    hook = Webhook.objects.get()
    token = stored(hook.id)[0]

    assert "s3cret-value" in created
    for path in ("/apps/myapp/settings/", f"/apps/myapp/settings/webhooks/{hook.id}/"):
        page = client.get(path).content.decode()
        assert "s3cret-value" not in page and "siem-token" not in page and token not in page


@pytest.mark.django_db
def test_the_support_console_has_no_webhook_pages(client_as):
    client = client_as(UserFactory(email="root@accessctl.test", is_staff=True, is_superuser=True))

    assert client.get("/admin/accessctl/user/").status_code == 200
    assert client.get("/admin/accessctl/webhook/").status_code == 404


@pytest.mark.django_db
def test_a_key_rotation_keeps_every_secret_readable(team_admin, app, settings):
    hook = add(team_admin, app)
    old_token = stored(hook.id)[0]
    settings.WEBHOOK_SECRET_OLD_KEYS = [settings.WEBHOOK_SECRET_KEY]
    settings.WEBHOOK_SECRET_KEY = "a-new-webhook-key-0123456789abcdefghijkl"

    assert Webhook.objects.get().secret == "s3cret-value", "read with the old key during the rotation"
    out = io.StringIO()
    call_command("rotate_webhook_secrets", stdout=out)
    assert "Re-encrypted the secrets of 1 webhooks" in out.getvalue()
    assert stored(hook.id)[0] != old_token

    settings.WEBHOOK_SECRET_OLD_KEYS = []
    assert Webhook.objects.get().secret == "s3cret-value", "the new key alone reads it after the command"
    settings.WEBHOOK_SECRET_KEY = "yet-another-key-nobody-wrote-with-0123456789"
    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_SECRET_OLD_KEYS"):
        Webhook.objects.get()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_secrets_stored_in_plain_text(team_admin, app):
    executor = MigrationExecutor(connection)
    [target] = [key for key in executor.loader.disk_migrations if key[1].endswith(MIGRATION)]
    before = executor.loader.disk_migrations[target].dependencies
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("accessctl", "Webhook")
    plain = old.objects.create(app_id=app.pk, include=["api:app"], level="notify", url=URL,
                               secret="old-plain-secret", authorization="Bearer old")  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("accessctl"))

    assert "old-plain-secret" not in stored(plain.id)[0] and "Bearer old" not in stored(plain.id)[1]
    hook = Webhook.objects.get(pk=plain.id)
    assert (hook.secret, hook.authorization) == ("old-plain-secret", "Bearer old")
