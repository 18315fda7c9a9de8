"""Support staff may see app transfers (read-only) in the console."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name="support").first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.add(Permission.objects.get(content_type__app_label="apps", codename="view_apptransfer"))


class Migration(migrations.Migration):
    dependencies = [("apps", "0004_app_transfer_states"), ("accessctl", "0016_transfer_and_dyno_stop_audit_actions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
