from accessctl.management.base import ServiceCommand
from apps.services import app_grant_add, app_grant_remove, app_grant_update


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
        remove = sub.add_parser("remove")
        remove.add_argument("email")
        remove.add_argument("--app", required=True)

    def handle(self, *args, action, email, app, **options):
        app = self.app(app)
        if action == "add":
            grant = self.run_service(
                app_grant_add, app=app, user=self.user(email, create=True), permissions=_perms(options["permissions"])
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
