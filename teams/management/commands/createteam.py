from accessctl.management.base import ServiceCommand
from teams.services import team_create


class Command(ServiceCommand):
    help = "Create a team with a first admin (a pending account is created if the e-mail is new)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--admin", required=True, metavar="EMAIL")

    def handle(self, *args, name, admin, **options):
        admin_user = self.user(admin, create=True)
        team = self.run_service(team_create, name=name, admin=admin_user)
        self.stdout.write(f"Created team {team.name} with admin {admin_user.email}.")
