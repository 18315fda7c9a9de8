"""Request bodies of the runtime API: rollback, formation and dynos, app transfer answers.

The formation follows Heroku's published schema: ``quantity`` is an integer, a size is ``dyno_size`` (an
object with ``name`` or ``id``), and ``size`` is not a field. The Heroku CLI predates that schema: its
``ps:scale`` sends ``quantity`` as a string (``"2"``, or ``"+1"`` / ``"-1"`` for a relative change) and a
size as ``size``, which Heroku's servers accept from it. Requests from the Heroku CLI (its ``User-Agent``,
``heroku-cli/...``) are read with :class:`CliFormationPatch`, which takes that dialect; every other client
gets the schema (docs/architecture.md, "Formation bodies").
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from accessctl.api.bodies import Body, OptionalNumberOrString, OptionalStr, _rule, _sent_not_null


def _uuid(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise PydanticCustomError("uuid_format", "Input should be a UUID") from None
    return value


class Rollback(Body):
    """POST /apps/{app}/releases: roll back to the release with this id (a UUID, as the schema has it)."""

    release: Annotated[str, AfterValidator(_uuid)]


class DynoSize(Body):
    """A dyno size by ``name`` (``Standard-1X``) or ``id``: exactly one of them."""

    name: OptionalStr = None
    id: OptionalStr = None

    @model_validator(mode="after")
    def _exactly_one(self):
        if len(self.model_fields_set) != 1:
            raise _rule("Name the dyno size with exactly one of 'name' or 'id'.")
        return self


OptionalQuantity = Annotated[int | None, Field(ge=0), _sent_not_null("int_type")]
OptionalDynoSize = Annotated[DynoSize | None, _sent_not_null("model_type")]


class FormationChange(Body):
    """What a formation update changes: how many dynos and/or their size."""

    quantity: OptionalQuantity = None
    dyno_size: OptionalDynoSize = None


class FormationTypeUpdate(FormationChange):
    """PATCH /apps/{app}/formation/{type}: scale and/or resize one process type (at least one)."""

    @model_validator(mode="after")
    def _at_least_one(self):
        if not self.model_fields_set:
            raise _rule("Send 'quantity' to scale the process type and/or 'dyno_size' to resize it.")
        return self


class FormationUpdate(FormationChange):
    """One entry of a formation batch update: the process ``type`` and what changes."""

    type: str


class FormationPatch(Body):
    """PATCH /apps/{app}/formation: scale and/or resize process types."""

    updates: list[FormationUpdate]


class CliFormationUpdate(Body):
    """One entry of ``heroku ps:scale``/``ps:type``: ``quantity`` a string (maybe signed), ``size`` a name."""

    type: str
    quantity: OptionalNumberOrString = None
    size: OptionalStr = None
    dyno_size: OptionalDynoSize = None


class CliFormationPatch(Body):
    """PATCH /apps/{app}/formation as the Heroku CLI sends it."""

    updates: list[CliFormationUpdate]


class TransferAnswer(Body):
    """PATCH /account/app-transfers/{id}: the recipient accepts or declines."""

    state: Literal["accepted", "declined"]
