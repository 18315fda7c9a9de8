"""`manage.py housekeeping`: start the hourly housekeeping chain if it is not running (the release step)."""

from typing import Any

from django.core.management.base import BaseCommand

from accessctl.tasks import schedule_housekeeping


class Command(BaseCommand):
    help = (
        "Queue the hourly housekeeping task (expired sessions, expired temporary access, stranded webhook "
        "deliveries) unless it is already queued."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_housekeeping():
            self.stdout.write("Queued housekeeping; a worker (manage.py db_worker) runs it.")
        else:
            self.stdout.write("Housekeeping is already queued.")
