"""Request bodies of the access-review API (SPEC 18), built like ``bodies.py``: strict, unknown fields refused."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from accessctl.api.bodies import Body, OptionalStr, OptionalStrList


def _iso_date(value: object) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_text", "must be a date like 2026-01-31")


IsoDate = Annotated[date, PlainValidator(_iso_date)]
"""A date sent as an ISO string (``"2026-01-31"``), the only JSON shape of a date."""


class ReviewCreate(Body):
    """POST /teams/{team}/access-reviews: review everything, or the grants on ``apps`` (names)."""

    due_date: IsoDate
    apps: OptionalStrList = None
    messages = {"date_text": "must be a date like 2026-01-31"}


class ItemDecision(Body):
    """PATCH /teams/{team}/access-reviews/{id}/items/{item}: keep, reduce (``permissions`` or ``role``), revoke."""

    decision: str
    permissions: OptionalStrList = None
    role: OptionalStr = None
    note: OptionalStr = None

    @model_validator(mode="after")
    def _one_target(self):
        if self.permissions is not None and self.role is not None:
            raise PydanticCustomError(
                "body_rule", "Send 'permissions' (a grant) or 'role' (a team role), not both."
            )
        return self


class ReviewPatch(Body):
    """PATCH /teams/{team}/access-reviews/{id}: ``{"status": "closed"}`` closes it and applies the decisions."""

    status: str

    @model_validator(mode="after")
    def _closed(self):
        if self.status != "closed":
            raise PydanticCustomError("body_rule", 'The only change is {"status": "closed"}.')
        return self
