"""Encrypt the webhook secrets and authorization values already stored (they were plain text).

The columns first become plain text columns wide enough for a token, the values are encrypted in place, then
the fields become ``EncryptedTextField`` (same column, no schema change). Backwards decrypts them again.
"""

from django.db import migrations, models

import accessctl.webhooks.fields

FIELDS = ("secret", "authorization")


def _convert(apps, convert):
    Webhook = apps.get_model("accessctl", "Webhook")  # plain text fields here: values read and written raw
    for hook in Webhook.objects.only("pk", *FIELDS).iterator():
        values = {name: convert(getattr(hook, name)) for name in FIELDS}
        Webhook.objects.filter(pk=hook.pk).update(**values)


def encrypt_existing(apps, schema_editor):
    _convert(apps, accessctl.webhooks.fields.encrypt)


def decrypt_existing(apps, schema_editor):
    _convert(apps, accessctl.webhooks.fields.decrypt)


class Migration(migrations.Migration):
    dependencies = [("accessctl", "0013_webhook_delivery_claim")]

    operations = [
        migrations.AlterField(model_name="webhook", name="secret", field=models.TextField()),
        migrations.AlterField(model_name="webhook", name="authorization", field=models.TextField(blank=True)),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="webhook", name="secret", field=accessctl.webhooks.fields.EncryptedTextField()
        ),
        migrations.AlterField(
            model_name="webhook",
            name="authorization",
            field=accessctl.webhooks.fields.EncryptedTextField(blank=True),
        ),
    ]
