"""Turning an e-mail address typed into a form, the API or a command into an account.

This is the entry points' job, not the services': services take ``User`` objects. Where an entry point may
add someone new (a member, a collaborator, a team's first admin), ``create=True`` makes a pending account
without a usable password; the person signs in by password reset or SSO. Call it inside the transaction of
the change, so that a refused change leaves no account behind.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accessctl.access.errors import DomainError, Invalid, NotFound
from accessctl.identity.addresses import imitation_problem, normalise, skeleton
from accessctl.identity.models import User
from teams.models import Team

BAD_EMAIL = "The {field} '{email}' is not a valid e-mail address. Check it and type it again."
LOOK_ALIKE = (
    "The {field} is refused: its domain {domain} {problem}. Type the address in plain letters, or ask the "
    "person for it again."
)
NO_ACCOUNT = "There is no account with the e-mail {email}."
UNKNOWN_TEAM = "Couldn't find a team named {name}."


def clean_email(email: str, *, field: str = "email") -> str:
    """The address normalised (NFKC, stripped, lower case); ``Invalid`` naming ``field`` when it is not an
    address, or when its domain mixes alphabets or imitates the domain of an existing account.
    """
    email = normalise(email)
    try:
        if len(email) > 254 or any(unicodedata.category(char) == "Cc" for char in email):
            raise ValidationError("too long, or a control character (PostgreSQL text cannot hold NUL)")
        validate_email(email)
    except ValidationError:
        raise Invalid(BAD_EMAIL.format(email=_shown(email), field=field), field=field) from None
    domain = email.rpartition("@")[2]
    if not domain.isascii():
        # Only the accounts whose domain reads the same as this one can be imitated: ask for those, never for
        # every address (an account in another alphabet with the same skeleton was refused on its own way in).
        look_alikes = User.objects.filter(email__iendswith=f"@{skeleton(domain)}").values_list(
            "email", flat=True
        )
        problem = imitation_problem(domain, {address.rpartition("@")[2] for address in look_alikes})
        if problem is not None:
            raise Invalid(LOOK_ALIKE.format(field=field, domain=_shown(domain), problem=problem), field=field)
    return email


def _shown(text: str) -> str:
    """Safe to repeat in a message: at most 80 characters, control and direction characters as escapes."""
    text = text[:80]
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def user_for_email(email: str, *, create: bool = False, field: str = "email") -> User:
    """The account with this e-mail; with ``create``, a new pending account when there is none."""
    email = clean_email(email, field=field)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if not create:
            raise NotFound(NO_ACCOUNT.format(email=email), field=field)
        user = User.objects.create_user(email)
    return user


def recipient_for(text: str, *, field: str = "recipient") -> Team | User:
    """Where an app transfer goes: a user by e-mail (with an ``@``), else a team by name."""
    text = (text or "").strip()
    if "@" in text:
        return user_for_email(text, field=field)
    team = Team.objects.filter(name=text).first()
    if team is None:
        raise NotFound(UNKNOWN_TEAM.format(name=text), field=field)
    return team


class PersonField(forms.EmailField):
    """A form field for someone's e-mail address whose cleaned value is their account.

    ``create=True`` makes a pending account for a new address (see :func:`user_for_email`): use such a form
    only through ``web.changes.change``, which validates it inside the transaction of the change.
    """

    def __init__(self, *, create: bool = False, **kwargs: Any):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("label", "E-mail")
        super().__init__(**kwargs)
        self.create = create

    def clean(self, value: Any) -> User:
        email = super().clean(value)
        try:
            return user_for_email(email, create=self.create)
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
