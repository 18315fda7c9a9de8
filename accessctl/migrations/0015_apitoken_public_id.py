"""API tokens get a public uuid (the Platform API's authorization id): added empty, filled row by row, then unique."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    ApiToken = apps.get_model("accessctl", "ApiToken")
    for token in ApiToken.objects.filter(public_id=None).only("pk"):
        ApiToken.objects.filter(pk=token.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("accessctl", "0014_webhook_secrets_encrypted")]

    operations = [
        migrations.AddField(model_name="apitoken", name="public_id", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
