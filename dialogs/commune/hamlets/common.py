"""What the /hamlets windows share: the hamlet at hand, and calling a service kindly."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager

from bot.services.errors import ServiceError
from dialogs.widgets import tell

HAMLET = "_hamlet"  # dialog_data: the code of the hamlet whose card is open
INTO = "_into"  # dialog_data: the code of the hamlet to merge into, until confirmed
CODE = "_code"  # dialog_data: the code typed for the hamlet being added

T = TypeVar("T")


def hamlet_of(manager: DialogManager) -> str:
    return str(manager.dialog_data.get(HAMLET) or "")


async def attempt(
    manager: DialogManager, event: Message | CallbackQuery, call: Awaitable[T]
) -> T | None:
    """The service's answer; a refusal is told to the user (None), the window stays."""
    try:
        return await call
    except ServiceError as refused:
        await tell(manager, event, refused)
        return None
