"""The API's request bodies as strict pydantic models, and the one function that reads a request into one.

Every model is strict (no coercion: ``"1"`` is not a number, ``1`` is not true) and refuses unknown fields.
An optional field is declared ``name: OptionalStr = None``: it may be left out (then it reads ``None`` and is
not in ``model_fields_set``), but an explicit ``null`` is refused like any other wrong type, as the API always
did (the validator runs only on values that were sent).
"""

from __future__ import annotations

import json
from typing import Annotated, ClassVar, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainValidator,
    RootModel,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from accessctl.api.http import ApiError
from accessctl.api.limits import check_depth

NOT_AN_OBJECT = "The request body must be a JSON object."


class Body(BaseModel):
    """Base of the request bodies: strict types, unknown fields refused, errors about a 'field'."""

    model_config = ConfigDict(strict=True, extra="forbid")
    subject: ClassVar[str] = "field"
    not_object: ClassVar[str] = NOT_AN_OBJECT
    messages: ClassVar[dict[str, str]] = {}


def _sent_not_null(kind: str) -> AfterValidator:
    """Refuse an explicit ``null`` for an optional field, with the error of its type (``kind``)."""

    def check(value: object) -> object:
        if value is None:
            raise PydanticCustomError(kind, "Input should not be null")
        return value

    return AfterValidator(check)


OptionalStr = Annotated[str | None, _sent_not_null("string_type")]
OptionalBool = Annotated[bool | None, _sent_not_null("bool_type")]
OptionalStrList = Annotated[list[str] | None, _sent_not_null("list_type")]


def _number_or_string(value: object) -> int | str:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise PydanticCustomError("number_or_string_type", "Input should be a string or a number")


# A JSON number or string, never true/false: what the CLI sends for ``ps:scale`` quantities and token expiry.
OptionalNumberOrString = Annotated[int | str | None, PlainValidator(_number_or_string)]


def _rule(message: str) -> PydanticCustomError:
    return PydanticCustomError("body_rule", message)


# --- teams ------------------------------------------------------------------------------------------------------


class MemberBody(Body):
    """PUT/PATCH /teams/{team}/members: add a member or change their role."""

    email: str
    role: str


# --- apps -------------------------------------------------------------------------------------------------------


class PersonalAppCreate(Body):
    """POST /apps: create a personal app."""

    name: OptionalStr = None
    region: OptionalStr = None
    stack: OptionalStr = None


class TeamAppCreate(Body):
    """POST /teams/apps: create a team app, locked at once with ``locked: true``."""

    name: OptionalStr = None
    team: str
    region: OptionalStr = None
    stack: OptionalStr = None
    locked: OptionalBool = None


class TeamAppPatch(Body):
    """PATCH /teams/apps/{app}: lock/unlock (``locked``) or transfer (``owner``), exactly one of them."""

    locked: OptionalBool = None
    owner: OptionalStr = None

    @model_validator(mode="after")
    def _exactly_one(self):
        if len(self.model_fields_set) != 1:
            raise _rule("Send exactly one of 'locked' or 'owner'.")
        return self


class TeamCollaboratorAdd(Body):
    """POST /teams/apps/{app}/collaborators: grant permissions, or join (no permissions, own e-mail).

    ``expires_at`` (ISO 8601) with a ``reason`` makes the grant temporary (this product's extension).
    """

    user: str
    permissions: OptionalStrList = None
    silent: OptionalBool = None
    expires_at: OptionalStr = None
    reason: OptionalStr = None


class TeamCollaboratorUpdate(Body):
    """PATCH /teams/apps/{app}/collaborators/{email}: replace the permissions."""

    permissions: list[str]


class AppPatch(Body):
    """PATCH /apps/{app}: rename and/or switch maintenance mode (at least one)."""

    name: OptionalStr = None
    maintenance: OptionalBool = None

    @model_validator(mode="after")
    def _at_least_one(self):
        if not self.model_fields_set:
            raise _rule("Send 'name' to rename the app or 'maintenance' to switch it.")
        return self


class CollaboratorAdd(Body):
    """POST /apps/{app}/collaborators: add a collaborator."""

    user: str
    silent: OptionalBool = None


class TransferCreate(Body):
    """POST /account/app-transfers: transfer a personal app."""

    app: str
    recipient: str
    silent: OptionalBool = None


# --- access requests (SPEC 17) ---------------------------------------------------------------------------------


class AccessRequestCreate(Body):
    """POST /apps/{app}/access-requests: ask for permissions for a duration (``PT4H``), with a reason."""

    permissions: list[str]
    duration: str
    reason: str


class AccessRequestPatch(Body):
    """PATCH /apps/{app}/access-requests/{id}: approve (``duration`` may shorten), deny (``note``) or cancel."""

    status: str
    note: OptionalStr = None
    duration: OptionalStr = None


# --- runtime ----------------------------------------------------------------------------------------------------


class ConfigVars(RootModel[dict[str, str | None]]):
    """PATCH /apps/{app}/config-vars: names to a string (set) or null (unset)."""

    model_config = ConfigDict(strict=True)
    subject: ClassVar[str] = "config var"
    not_object: ClassVar[str] = "Send config vars as a JSON object of names to strings or null."
    messages: ClassVar[dict[str, str]] = {"string_type": "must be a string (or null to unset it)"}


# --- reading a request ------------------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)

PHRASES = {
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be a number",
    "list_type": "must be an array",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "number_or_string_type": "must be a string or a number",
    "uuid_format": "must be an id (a UUID)",
    "literal_error": "must be one of: {expected}",
}


def parse_body(request, model: type[M]) -> M:
    """Read the request's JSON body into ``model``; an empty body is ``{}``.

    Malformed JSON, or JSON nested deeper than any body needs, is a 400 ``bad_request``. A key given twice (at any depth), an unknown field, a missing or
    wrongly typed field is a 422 ``invalid_params`` whose message names the field (``updates[0].quantity``).
    """
    subject = getattr(model, "subject", "field")

    def unique(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ApiError(422, "invalid_params", f"The {subject} '{key}' is given more than once.")
            seen.add(key)
        return dict(pairs)

    raw = request.body or b"{}"
    check_depth(raw)
    try:
        data = json.loads(raw, object_pairs_hook=unique)
    except ValueError:  # also UnicodeDecodeError
        raise ApiError(400, "bad_request", "The request body is not valid JSON.") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, "invalid_params", describe_error(model, error)) from None


def describe_error(model: type[BaseModel], error: ValidationError) -> str:
    """One sentence for people about the first problem (unknown fields first), naming the field's path."""
    problems = error.errors(include_url=False)
    first = min(problems, key=lambda problem: problem["type"] != "extra_forbidden")
    kind, loc = first["type"], first["loc"]
    if not loc:
        if kind in ("model_type", "dict_type"):
            return getattr(model, "not_object", NOT_AN_OBJECT)
        return first["msg"]
    subject, name = getattr(model, "subject", "field"), _path(loc)
    if kind == "missing":
        return f"The {subject} '{name}' is required."
    if kind == "extra_forbidden":
        allowed = ", ".join(sorted(_model_at(model, loc[:-1]).model_fields))
        return f"Unknown {subject} '{name}'. Allowed: {allowed}."
    phrase = {**PHRASES, **getattr(model, "messages", {})}.get(kind)
    if phrase is None:
        return f"The {subject} '{name}' is not valid: {first['msg']}."
    return f"The {subject} '{name}' {phrase.format(**first.get('ctx', {}))}."


def _path(loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_at(model: type[BaseModel], loc) -> type[BaseModel]:
    """The (nested) model that the location ``loc`` points into, e.g. ``("updates", 0)`` -> FormationUpdate."""
    for part in loc:
        if isinstance(part, str):
            annotation = model.model_fields[part].annotation
            model = next((arg for arg in (annotation, *get_args(annotation)) if _is_model(arg)), model)
    return model


def _is_model(value) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)
