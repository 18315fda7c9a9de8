"""The ``support`` group: read everything support staff need, and lock/unlock apps (through the services)."""

from django.db import migrations

SUPPORT_PERMISSIONS = [
    ("accessctl", "view_user"),
    ("accessctl", "view_auditevent"),
    ("teams", "view_team"),
    ("teams", "view_membership"),
    ("apps", "view_app"),
    ("apps", "view_grant"),
    ("apps", "view_formation"),
    ("apps", "view_release"),
    ("apps", "lock_app"),
]


def create_support_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="support")
    for app_label, codename in SUPPORT_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_support_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="support").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accessctl", "0002_initial"),
        ("apps", "0001_initial"),
        ("teams", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_support_group, remove_support_group)]
