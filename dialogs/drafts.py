"""Keeping a dialog's answers as a draft when the user leaves it half-way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram_dialog import DialogManager

from bot.services.drafts import save_draft

# Dialogs whose dialog_data is worth keeping when left unfinished, by state group name.
DRAFT_DIALOGS: set[str] = {"AreaSG", "RegistrationSG"}


def user_entered_something(data: dict[str, Any]) -> bool:
    """Keys starting with "_" are bookkeeping; `_auto` lists values the dialog chose itself."""
    chosen_for_user = set(data.get("_auto", ()))
    return any(
        value
        for key, value in data.items()
        if not key.startswith("_") and key not in chosen_for_user
    )


def dialog_name(manager: DialogManager) -> str | None:
    context = manager.current_context() if manager.has_context() else None
    return context.state.group.__name__ if context else None


async def stash_current_dialog(manager: DialogManager, uow: Any, user_id: int) -> bool:
    """Save the open dialog's answers as a draft; True when something was kept."""
    name = dialog_name(manager)
    if name not in DRAFT_DIALOGS:
        return False
    assert name is not None
    data = dict(manager.current_context().dialog_data)
    if not user_entered_something(data):
        return False
    return await save_draft(uow, user_id, name, data, datetime.now(UTC))


async def stash_on_leave(result: Any, manager: DialogManager) -> None:
    """A dialog's on_close: left without finishing (result None), keep what was entered."""
    if result is None:
        user_id = int(manager.middleware_data["event_from_user"].id)
        await stash_current_dialog(manager, manager.middleware_data["uow"], user_id)
