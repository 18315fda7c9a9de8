from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accessctl.audit import log as audit
from accessctl.audit.log import COMMAND, SYSTEM
from accessctl.audit.models import AuditAction
from accessctl.identity.models import User


class Command(BaseCommand):
    help = (
        "Make a user support staff: staff status and the 'support' group (read everything, lock/unlock apps)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    @transaction.atomic
    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"There is no account with the e-mail {email}.")
        group = Group.objects.filter(name="support").first()
        if group is None:
            raise CommandError("The 'support' group is missing: run `python manage.py migrate` first.")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group)
        audit.record(
            actor=SYSTEM,
            action=AuditAction.USER_FLAGS,
            origin=COMMAND,
            target_user=user,
            after={"is_staff": True, "groups": ["support"]},
        )
        self.stdout.write(f"{user.email} is now support staff (staff status, group 'support').")
