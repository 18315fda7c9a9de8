from accessctl.management.base import ServiceCommand
from apps.services import app_lock, app_unlock


class Command(ServiceCommand):
    help = "Lock a team app (or unlock it with --unlock)."

    def add_arguments(self, parser):
        parser.add_argument("app")
        parser.add_argument("--unlock", action="store_true")

    def handle(self, *args, app, unlock, **options):
        app = self.app(app)
        if unlock:
            self.run_service(app_unlock, app=app)
            self.stdout.write(f"Unlocking {app.name}... done")
        else:
            self.run_service(app_lock, app=app)
            self.stdout.write(f"Locking {app.name}... done")
