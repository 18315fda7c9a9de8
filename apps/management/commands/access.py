from django.core.management.base import CommandError
from django.utils import timezone

from accessctl.access.policy import format_duration, parse_duration
from accessctl.management.base import ServiceCommand
from apps.services import app_grant_add, app_grant_remove, app_grant_update
from apps.temporary import temporary_grant_give


def _perms(text):
    return [name.strip() for name in text.split(",") if name.strip()]


class Command(ServiceCommand):
    help = "Manage app access: add a user with permissions, update their permissions, remove them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for action in ("add", "update"):
            cmd = sub.add_parser(action)
            cmd.add_argument("email")
            cmd.add_argument("--app", required=True)
            cmd.add_argument(
                "--permissions", default="view", help="comma-separated: view,deploy,operate,manage"
            )
        add = sub.choices["add"]
        add.add_argument("--for", dest="duration", help="temporary: 4h, 90m, 1d or PT4H (needs --reason)")
        add.add_argument("--reason", default="", help="why the temporary access is needed")
        remove = sub.add_parser("remove")
        remove.add_argument("email")
        remove.add_argument("--app", required=True)

    def handle(self, *args, action, email, app, **options):
        app = self.app(app)
        if action == "add" and options.get("duration"):
            try:
                duration = parse_duration(options["duration"])
            except ValueError as error:
                raise CommandError(f"--for: {error}") from None
            if duration is None:
                raise CommandError("--for: give a duration, or leave --for out for permanent access.")
            grant = self.run_service(
                temporary_grant_give,
                app=app,
                user=self.user(email, create=True),
                permissions=_perms(options["permissions"]),
                expires_at=timezone.now() + duration,
                reason=options["reason"],
            )
            perms = ", ".join(sorted(grant.permissions))
            until = grant.expires_at.strftime("%Y-%m-%d %H:%M %Z")
            self.stdout.write(
                f"Adding {email} access to the app {app.name} with {perms} permissions "
                f"for {format_duration(duration)} (until {until})... done"
            )
        elif action == "add":
            grant = self.run_service(
                app_grant_add,
                app=app,
                user=self.user(email, create=True),
                permissions=_perms(options["permissions"]),
            )
            perms = ", ".join(sorted(grant.permissions))
            self.stdout.write(f"Adding {email} access to the app {app.name} with {perms} permissions... done")
        elif action == "update":
            grant = self.run_service(
                app_grant_update, app=app, user=self.user(email), permissions=_perms(options["permissions"])
            )
            perms = ",".join(sorted(grant.permissions))
            self.stdout.write(f"Updating {email} in application {app.name} with {perms} permissions... done")
        else:
            self.run_service(app_grant_remove, app=app, user=self.user(email))
            self.stdout.write(f"Removing {email} access from the app {app.name}... done")
