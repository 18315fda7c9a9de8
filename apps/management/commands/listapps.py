from django.core.management.base import BaseCommand, CommandError

from teams.models import Team


class Command(BaseCommand):
    help = "List a team's apps, marking locked ones (like `heroku list --team`)."

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True)

    def handle(self, *args, team, **options):
        team_obj = Team.objects.filter(name=team).first()
        if team_obj is None:
            raise CommandError(f"Couldn't find a team named {team}.")
        self.stdout.write(f"=== Apps in team {team_obj.name}")
        for app in team_obj.apps.order_by("name"):
            self.stdout.write(f"{app.name}{' (locked)' if app.locked else ''}")
