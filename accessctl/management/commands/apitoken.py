from django.core.management.base import BaseCommand, CommandError

from accessctl.access.errors import DomainError
from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from accessctl.models import User


class Command(BaseCommand):
    help = "Create an API token for a user and print it (for scripts and the Heroku CLI's HEROKU_API_KEY)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="created by manage.py apitoken")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active account with the e-mail {email}.")
        try:
            _, raw = api_token_create(actor=user, name=name, origin=COMMAND)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(raw)
