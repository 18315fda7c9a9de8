"""`manage.py changepassword EMAIL`: set a user's password from the terminal, as an operator.

Replaces Django's command of the same name, which saves the password directly: this one goes through
``accounts.user_password_set``, so the user's other sessions end, their API tokens are revoked with the reason
shown on their account page, they are e-mailed, and the change is audited (source ``command``).
"""

import getpass
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accessctl.audit.log import COMMAND, SYSTEM
from accessctl.identity.accounts import user_password_set
from accessctl.identity.models import User

TRIES = 3


class Command(BaseCommand):
    help = "Set a user's password; their sessions end and their API tokens are revoked (they are e-mailed)."
    requires_migrations_checks = True

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="The e-mail address of the account.")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"There is no account with the e-mail {email}.")
        # Asked before any transaction opens: a prompt must not hold the database's write lock.
        password = self._ask(user)
        change = "set with manage.py changepassword"
        user_password_set(actor=SYSTEM, user=user, password=password, origin=COMMAND, change=change)
        self.stdout.write(
            f"Changed the password of {user.email}. Their sessions ended and their API tokens were revoked; "
            "they were e-mailed."
        )

    def _ask(self, user: User) -> str:
        for _ in range(TRIES):
            first = getpass.getpass(f"New password for {user.email}: ")
            if first != getpass.getpass("Again: "):
                self.stderr.write("The passwords do not match. Try again.")
                continue
            try:
                password_validation.validate_password(first, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return first
        raise CommandError(f"No password set after {TRIES} tries; nothing changed.")
