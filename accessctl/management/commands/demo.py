"""Load the demo data of SPEC section 15. Safe to run again: it only adds what is missing."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accessctl.audit.log import COMMAND, SystemActor
from accessctl.models import User
from apps.models import App, Grant
from apps.operations import app_config_update
from apps.services import app_create, app_grant_add, app_lock
from teams.models import Team
from teams.services import team_create, team_member_add, team_settings_update

PASSWORD = "accessctl-demo"
ACTOR = SystemActor("system:demo")

USERS = [
    ("admin@acme.test", "Ada Admin"),
    ("member@acme.test", "Max Member"),
    ("viewer@acme.test", "Vic Viewer"),
    ("joe@acme.com", "Joe"),
    ("collab@partner.test", "Cora Collaborator"),
]
TEAMS = {
    "acme": [("admin@acme.test", "admin"), ("member@acme.test", "member"), ("viewer@acme.test", "viewer")],
    "acme-widgets": [("admin@acme.test", "admin"), ("joe@acme.com", "member")],
}
INVITING_TEAMS = {"acme-widgets"}  # team-invite-acceptance on (SPEC 16): members:add sends invitations there
APPS = [("test", False), ("myapp", True), ("website-staging", False), ("website-prod", True)]
GRANTS = [
    ("website-staging", "member@acme.test", ["view", "deploy"]),
    ("website-staging", "collab@partner.test", ["view"]),
]
SUPPORT_EMAIL = "support@accessctl.test"


class Command(BaseCommand):
    help = "Load the demo teams, apps and logins (idempotent) and print the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {email: self._user(email, name) for email, name in USERS}
        for team_name, members in TEAMS.items():
            team = Team.objects.filter(name=team_name).first()
            if team is None:
                team = team_create(actor=ACTOR, name=team_name, admin=users[members[0][0]], origin=COMMAND)
            for email, role in members:
                team_member_add(actor=ACTOR, team=team, user=users[email], role=role, origin=COMMAND)
            if team_name in INVITING_TEAMS and not team.invite_acceptance:
                team_settings_update(actor=ACTOR, team=team, origin=COMMAND, invite_acceptance=True)
        acme = Team.objects.get(name="acme")
        for name, locked in APPS:
            app = App.objects.filter(name=name).first()
            if app is None:
                app = app_create(actor=ACTOR, name=name, team=acme, origin=COMMAND)
                app_config_update(
                    actor=ACTOR,
                    app=app,
                    origin=COMMAND,
                    changes={"LOG_LEVEL": "info", "DATABASE_URL": f"postgres://db.internal/{name}"},
                )
            if locked and not app.locked:
                app_lock(actor=ACTOR, app=app, origin=COMMAND)
        for app_name, email, perms in GRANTS:
            app = App.objects.get(name=app_name)
            if not Grant.objects.filter(app=app, user=users[email]).exists():
                app_grant_add(actor=ACTOR, app=app, user=users[email], permissions=perms, origin=COMMAND)
        support = self._user(SUPPORT_EMAIL, "Sam Support", is_staff=True)
        group = Group.objects.filter(name="support").first()
        if group is not None:
            support.groups.add(group)
        self._print_logins()

    def _user(self, email, name, **extra):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, PASSWORD, name=name, **extra)
        return user

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {PASSWORD})")
        rows = [
            ("admin@acme.test", "admin of acme and acme-widgets"),
            ("member@acme.test", "member of acme (view, deploy on website-staging)"),
            ("viewer@acme.test", "viewer of acme"),
            ("joe@acme.com", "member of acme-widgets"),
            ("collab@partner.test", "collaborator (view on website-staging)"),
            (SUPPORT_EMAIL, "support staff (Django admin, read-mostly)"),
        ]
        for email, what in rows:
            self.stdout.write(f"  {email:<26} {what}")
