from accessctl.access.policy import TeamRole
from accessctl.management.base import ServiceCommand
from teams.services import team_member_add, team_member_remove, team_member_set_role


class Command(ServiceCommand):
    help = "Manage team members: add (or change role), set a role, remove."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for action in ("add", "set"):
            cmd = sub.add_parser(action, help=f"{action} a member's role")
            cmd.add_argument("email")
            cmd.add_argument("--team", required=True)
            cmd.add_argument("--role", required=True, choices=TeamRole.values)
        remove = sub.add_parser(
            "remove", help="remove a member (their app grants stay unless --revoke-grants)"
        )
        remove.add_argument("email")
        remove.add_argument("--team", required=True)
        remove.add_argument("--revoke-grants", action="store_true")

    def handle(self, *args, action, email, team, **options):
        team = self.team(team)
        if action == "add":
            self.run_service(
                team_member_add, team=team, user=self.user(email, create=True), role=options["role"]
            )
            self.stdout.write(f"Adding {email} to {team.name} as {options['role']}... done")
        elif action == "set":
            self.run_service(team_member_set_role, team=team, user=self.user(email), role=options["role"])
            self.stdout.write(f"Adding {email} to {team.name} as {options['role']}... done")
        else:
            revoked = self.run_service(
                team_member_remove, team=team, user=self.user(email), revoke_grants=options["revoke_grants"]
            )
            self.stdout.write(f"Removing {email} from {team.name}... done")
            if revoked:
                self.stdout.write(f"Revoked grants on: {', '.join(revoked)}")
