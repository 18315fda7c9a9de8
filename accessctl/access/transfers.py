"""The rules of app transfers between people (SPEC 9): who answers a pending transfer and who withdraws it.

Pure, like ``policy`` (which re-exports the table below): plain facts in, answers out. Starting a transfer
is the app action ``transfer_app`` of the catalog; these rules take the transfer itself as the object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from accessctl.access.catalog import ANSWER_TRANSFER, CANCEL_TRANSFER


class Person(Protocol):
    user_id: int | None
    is_active: bool


class TransferLike(Protocol):
    sender_id: int
    recipient_id: int | None


def can_answer_transfer(access: Person, transfer: TransferLike) -> bool:
    """Only the person an app is offered to accepts or declines it (a team recipient never waits)."""
    return access.is_active and access.user_id is not None and access.user_id == transfer.recipient_id


def can_cancel_transfer(access: Person, transfer: TransferLike) -> bool:
    """Only the person who offered the app withdraws the offer."""
    return access.is_active and access.user_id is not None and access.user_id == transfer.sender_id


TRANSFER_PERMISSIONS: Mapping[str, Callable[[Any, Any], bool]] = MappingProxyType(
    {ANSWER_TRANSFER: can_answer_transfer, CANCEL_TRANSFER: can_cancel_transfer}
)
"""The permissions asked with an app transfer as the object."""
