"""Shared shape of the thin management commands: resolve objects, call one service, report."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from accessctl.access.errors import DomainError
from accessctl.audit.log import COMMAND, SYSTEM
from accessctl.identity.models import User
from accessctl.identity.people import user_for_email
from apps.models import App
from teams.models import Team


class ServiceCommand(BaseCommand):
    """A command that runs one change as the system actor, with source ``command``, in one transaction."""

    actor = SYSTEM
    origin = COMMAND

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            with transaction.atomic():  # an account made for an e-mail goes with a refused change
                return super().execute(*args, **options)
        except (DomainError, PermissionDenied) as error:
            raise CommandError(str(error)) from error

    def run_service(self, service: Any, **kwargs: Any) -> Any:
        return service(actor=self.actor, origin=self.origin, **kwargs)

    def user(self, email: str, *, create: bool = False) -> User:
        return user_for_email(email, create=create)

    def team(self, name: str) -> Team:
        return self.get_or_fail(Team, f"Couldn't find a team named {name}.", name=name)

    def app(self, name: str) -> App:
        return self.get_or_fail(App, f"Couldn't find an app named {name}.", name=name)

    def get_or_fail(self, model: type[models.Model], message: str, **lookup: Any) -> Any:
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            raise CommandError(message)
        return obj
