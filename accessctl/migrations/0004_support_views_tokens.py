"""Support staff may see API tokens (prefix and last use) in the console."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="support").first()
    if group is not None:
        group.permissions.add(Permission.objects.get(content_type__app_label="accessctl", codename="view_apitoken"))


class Migration(migrations.Migration):
    dependencies = [("accessctl", "0003_support_group"), ("apps", "0002_app_admin_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
