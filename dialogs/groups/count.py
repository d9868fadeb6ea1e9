"""A member's learning-citizen self-assessment counted for the unit they work in: choose the
member, type the unit's code, then self-assess."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Column, Start, SwitchTo

from bot.services.assessments import citizen_registration
from bot.services.errors import ServiceError
from bot.services.group_roster import units_counted
from bot.services.groups import count_for_unit
from bot.services.households import overview
from dialogs.groups.common import MainMenu
from dialogs.offered import Choices
from dialogs.states import AssessmentSG, GroupsSG, HouseholdSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    current_user_id,
    now,
    tell,
    this_year,
    uow_of,
)

MEMBER = "_member"  # dialog_data: the member being counted
CITIZEN = "_citizen"  # dialog_data: that member's learning-citizen registration this year


async def get_members(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    user_id, year = current_user_id(dialog_manager), this_year(dialog_manager)
    found = await overview(uow, user_id)
    adults = [m for m in (found.members if found else []) if m.is_adult(year)]
    counted = await units_counted(uow, user_id, year)
    items = [
        (
            str(m.id),
            f"{m.name} ({m.birth_year})"
            + (f" · 🏫 {counted[m.id].name}" if m.id in counted else ""),
        )
        for m in adults
    ]
    return {"items": items, "some": bool(items), "none": not items}


async def on_member(callback: CallbackQuery, _: Any, manager: DialogManager, item: str) -> None:
    try:
        registration = await citizen_registration(
            uow_of(manager), callback.from_user.id, int(item), year=this_year(manager), now=now()
        )
    except (ServiceError, ValueError) as error:
        await tell(manager, callback, error)
        return
    manager.dialog_data[MEMBER], manager.dialog_data[CITIZEN] = int(item), registration.id
    await manager.switch_to(GroupsSG.unit_code)


async def get_member(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    user_id, year = current_user_id(dialog_manager), this_year(dialog_manager)
    member_id = int(dialog_manager.dialog_data.get(MEMBER) or 0)
    found = await overview(uow, user_id)
    member = next((m for m in (found.members if found else []) if m.id == member_id), None)
    unit = (await units_counted(uow, user_id, year)).get(member_id)
    return {"member": member.name if member else "", "unit": unit.name if unit else ""}


async def on_code(message: Message, _: Any, manager: DialogManager, code: str) -> None:
    registration_id = int(manager.dialog_data.get(CITIZEN) or 0)
    try:
        await count_for_unit(
            uow_of(manager), current_user_id(manager), registration_id, code, now()
        )
    except ServiceError as error:
        await tell(manager, message, error)
        return
    await manager.switch_to(GroupsSG.counted)


async def on_assess(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    registration = manager.dialog_data.get(CITIZEN)
    if registration:
        await manager.start(AssessmentSG.question, data={"registration": registration})


def member_window() -> Window:
    return Window(
        I18nFormat(
            "🔢 Whose learning-citizen self-assessment counts for a unit? "
            "Choose the person who works there.",
            when="some",
        ),
        I18nFormat(
            "🔢 First add the person who works in the unit as a member of your household: "
            "“🏡 My household”, then “➕ Add a member”.",
            when="none",
        ),
        Choices(on_member, when="some", widget_id="member"),
        Column(
            Start(
                Label("🏡 My household"), id="household", state=HouseholdSG.overview, when="none"
            ),
            SwitchTo(Label("◀️ Back"), id="back", state=GroupsSG.menu),
            MainMenu(),
        ),
        UnexpectedText(),
        state=GroupsSG.member,
        getter=get_members,
    )


def code_window() -> Window:
    return Window(
        I18nFormat(
            "🔑 Type the code of the unit where <b>{member}</b> works, for example: K7M2QX.\n"
            "The person who registered the unit has it."
        ),
        TextInput(id="unit_code", type_factory=str, on_success=on_code),
        Column(
            SwitchTo(Label("◀️ Back"), id="back", state=GroupsSG.member),
            MainMenu(),
        ),
        state=GroupsSG.unit_code,
        getter=get_member,
    )


def counted_window() -> Window:
    return Window(
        I18nFormat(
            "✅ The learning-citizen self-assessment of <b>{member}</b> for this year counts "
            "for <b>{unit}</b>.\nIt counts for the unit once it reaches the mark."
        ),
        Column(
            Button(Label("📋 Learning-citizen self-assessment"), id="assess", on_click=on_assess),
            SwitchTo(Label("◀️ Back"), id="back", state=GroupsSG.menu),
            MainMenu(),
        ),
        UnexpectedText(),
        state=GroupsSG.counted,
        getter=get_member,
    )
