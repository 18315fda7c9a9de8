"""Shared shape of the thin management commands: resolve objects, call one service, report."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accessctl.audit import COMMAND, SYSTEM
from accessctl.errors import DomainError


class ServiceCommand(BaseCommand):
    """A command that runs one service as the system actor, with source ``command``."""

    actor = SYSTEM
    origin = COMMAND

    def run_service(self, service, **kwargs):
        try:
            return service(actor=self.actor, origin=self.origin, **kwargs)
        except (DomainError, PermissionDenied) as error:
            raise CommandError(str(error)) from error

    def user(self, email, *, create=False):
        from teams.services import user_for_email

        try:
            return user_for_email(email, create=create)
        except DomainError as error:
            raise CommandError(str(error)) from error

    def team(self, name):
        from teams.models import Team

        return self.get_or_fail(Team, f"Couldn't find a team named {name}.", name=name)

    def app(self, name):
        from apps.models import App

        return self.get_or_fail(App, f"Couldn't find an app named {name}.", name=name)

    def get_or_fail(self, model, message, **lookup):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            raise CommandError(message)
        return obj
