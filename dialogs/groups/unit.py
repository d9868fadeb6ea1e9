"""Registering a learning unit (an agency, school, cooperative or firm of the commune): its
name, its kind, how many staff, a summary, then the code its staff use."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, SwitchTo

from bot.domain.groups import (
    STAFF_MAX,
    STAFF_MIN,
    UNIT_KIND_LABELS,
    UNIT_NAME_MAX,
    parse_group_name,
)
from bot.domain.parsers import parse_count
from bot.services.errors import ServiceError
from bot.services.groups import register_unit
from dialogs.groups.common import MainMenu, commune_code, commune_name, kind_label
from dialogs.hamlet.common import shown_number
from dialogs.offered import Choices
from dialogs.states import AssessmentSG, UnitSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    now,
    on_input_error,
    tell,
    this_year,
    uow_of,
)


def _unit_name(text: str) -> str:
    return parse_group_name(text, maximum=UNIT_NAME_MAX)


def _staff(text: str) -> int:
    return parse_count(text, minimum=STAFF_MIN, maximum=STAFF_MAX)


async def get_unit(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    return {
        "name": data.get("name", ""),
        "kind": kind_label(str(data.get("kind", ""))),
        "staff": shown_number(dialog_manager, int(data.get("staff", 0))),
        "commune": await commune_name(dialog_manager),
        "code": data.get("code", ""),
        "year": this_year(dialog_manager),
        "items": [(kind.value, kind_label(kind.value)) for kind in UNIT_KIND_LABELS],
    }


async def on_name(_: Message, __: Any, manager: DialogManager, name: str) -> None:
    manager.dialog_data["name"] = name
    await manager.switch_to(UnitSG.summary if "staff" in manager.dialog_data else UnitSG.kind)


async def on_kind(_: CallbackQuery, __: Any, manager: DialogManager, kind: str) -> None:
    manager.dialog_data["kind"] = kind
    await manager.switch_to(UnitSG.summary if "staff" in manager.dialog_data else UnitSG.staff)


async def on_staff(_: Message, __: Any, manager: DialogManager, staff: int) -> None:
    manager.dialog_data["staff"] = staff
    await manager.switch_to(UnitSG.summary)


async def on_register(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    try:
        unit, registration = await register_unit(
            uow_of(manager),
            acting_user(manager),
            str(data.get("name", "")),
            str(data.get("kind", "")),
            int(data.get("staff", 0)),
            commune_code(manager),
            year=this_year(manager),
            now=now(),
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    data.update(code=unit.code, registration=registration.id)
    await manager.switch_to(UnitSG.done)


async def on_assess(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    registration = manager.dialog_data["registration"]
    await manager.start(AssessmentSG.question, data={"registration": registration})


def name_window() -> Window:
    return Window(
        I18nFormat(
            "🏫 <b>Register a learning unit</b> in {commune} · Step 1/4\n"
            "What is the unit's full name? For example: Trường Tiểu học Đông Hòa"
        ),
        TextInput(id="name", type_factory=_unit_name, on_success=on_name, on_error=on_input_error),
        Column(Cancel(Label("◀️ Back")), MainMenu()),
        state=UnitSG.name,
        getter=get_unit,
    )


def kind_window() -> Window:
    return Window(
        I18nFormat("🏫 What kind of unit is <b>{name}</b>? · Step 2/4"),
        Choices(on_kind, widget_id="kind"),
        Column(SwitchTo(Label("◀️ Back"), id="back", state=UnitSG.name), MainMenu()),
        UnexpectedText(),
        state=UnitSG.kind,
        getter=get_unit,
    )


def staff_window() -> Window:
    return Window(
        I18nFormat(
            "👥 How many people work in <b>{name}</b>? · Step 3/4\n"
            "Type the number of staff, for example: 25"
        ),
        TextInput(id="staff", type_factory=_staff, on_success=on_staff, on_error=on_input_error),
        Column(SwitchTo(Label("◀️ Back"), id="back", state=UnitSG.kind), MainMenu()),
        state=UnitSG.staff,
        getter=get_unit,
    )


def summary_window() -> Window:
    return Window(
        I18nFormat(
            "📋 <b>Please check</b> · Step 4/4\n"
            "🏫 Unit: <b>{name}</b>\nKind: {kind}\n👥 Staff: {staff}\n📍 {commune}"
        ),
        Column(
            Button(Label("✅ Register"), id="register", on_click=on_register),
            SwitchTo(Label("✏️ Change name"), id="rename", state=UnitSG.name),
            SwitchTo(Label("◀️ Back"), id="back", state=UnitSG.staff),
            MainMenu(),
        ),
        UnexpectedText(),
        state=UnitSG.summary,
        getter=get_unit,
    )


def done_window() -> Window:
    return Window(
        I18nFormat(
            "✅ <b>{name}</b> is registered as a learning unit for {year}.\n"
            "🔑 Unit code: <b>{code}</b>\n\n"
            "Give this code to your staff: each of them opens “👥 Clans and units”, presses "
            "“🔢 My learning-citizen self-assessment counts for a unit” and types it.\n"
            "⏳ The commune will confirm that the unit is real."
        ),
        I18nFormat("\nNext: the unit's self-assessment."),
        Column(
            Button(Label("📋 Self-assessment"), id="assess", on_click=on_assess),
            Cancel(Label("👥 Clans and units")),
            MainMenu(),
        ),
        UnexpectedText(),
        state=UnitSG.done,
        getter=get_unit,
    )


def unit_dialog() -> Dialog:
    return Dialog(name_window(), kind_window(), staff_window(), summary_window(), done_window())
