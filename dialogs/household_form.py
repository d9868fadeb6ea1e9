"""What a family's own registration and a hamlet head's registration of a family share: the
answers kept in dialog_data, the number buttons, and changing one answer from the summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button

from bot.domain.households import HouseholdForm

NUMBER_BUTTONS = 8
EDITING = "_editing"  # dialog_data: one answer is being changed from the summary


def household_form(data: Mapping[str, Any]) -> HouseholdForm:
    """The answers as the services take them (a family registered by its head pledges
    nothing)."""
    return HouseholdForm(
        hamlet_code=data["hamlet"],
        head_name=data["name"],
        phone=data["phone"],
        members_count=data["members"],
        school_age_count=data["school_age"],
        commitments=tuple(data.get("commitments", [])),
    )


def number_choices(data: Mapping[str, Any], *, members: bool) -> list[str]:
    """The number buttons: 1 to 8 members, or 0 children up to the members (8 at most)."""
    if members:
        return [str(n) for n in range(1, NUMBER_BUTTONS + 1)]
    return [str(n) for n in range(min(data.get("members", 1), NUMBER_BUTTONS) + 1)]


def set_members(data: dict[str, Any], members: int) -> None:
    """Keep the number of members; a number of children above it must be asked again."""
    data["members"] = members
    school_age = data.get("school_age")
    if school_age is not None and school_age > members:
        data["school_age"] = None
        data[EDITING] = False


@dataclass(frozen=True)
class Questions:
    """A form asked one question a window, then shown whole on a summary whose buttons each
    ask one question again."""

    summary: State
    edits: Mapping[str, State]  # a summary button's id: the question it asks again
    required: tuple[str, ...]  # the answers that may not be empty (school_age may be 0)

    def complete(self, data: Mapping[str, Any]) -> bool:
        return all(data.get(key) for key in self.required) and data.get("school_age") is not None

    async def next(self, manager: DialogManager, state: State) -> None:
        """Go on to `state`, or back to the summary when one answer was being changed."""
        if manager.dialog_data.get(EDITING) and self.complete(manager.dialog_data):
            manager.dialog_data[EDITING] = False
            await manager.switch_to(self.summary)
            return
        await manager.switch_to(state)

    async def on_edit(self, _: CallbackQuery, button: Button, manager: DialogManager) -> None:
        manager.dialog_data[EDITING] = True
        await manager.switch_to(self.edits[str(button.widget_id)])
