"""/targets: the target of the area and of each area just below it for a year, its own or
inherited from above; pressing one asks for a percentage, or lets it inherit again."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.criteria_model import Title
from bot.domain.messages import N_
from bot.domain.parsers import parse_percent
from bot.i18n import percent
from bot.services.targets import TargetLine, set_target, targets_of
from dialogs.commune.common import YEAR, area_code, start_on_area, title_of, title_switch, year_of
from dialogs.offered import Choices
from dialogs.states import TargetsSG
from dialogs.summaries import TITLE_NAMES
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    attempt,
    explain,
    now,
    on_input_error,
    uow_of,
)

GIA_DINH = Title.GIA_DINH.value
PICKED = "_picked"  # dialog_data: the code of the area whose target is being set
MSG_NOT_SET = N_("not set")
MSG_INHERITED = N_("{value}, from above")
MSG_NATIONAL = N_("{value}, national")


async def lines_of(manager: DialogManager) -> list[TargetLine]:
    return await targets_of(
        uow_of(manager),
        acting_user(manager),
        area_code(manager),
        title_of(manager),
        year_of(manager),
        now(),
    )


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, year: int) -> None:
        await targets_of(uow_of(manager), acting_user(manager), code, GIA_DINH, year, now())

    await start_on_area(manager, check)


def _shown(line: TargetLine, locale: str, manager: DialogManager) -> str:
    if line.applies is None:
        value = explain(manager, MSG_NOT_SET, html=False)
    else:
        value = percent(line.applies / 100, locale)
        if line.own is None:
            source = MSG_NATIONAL if line.national else MSG_INHERITED
            value = explain(manager, source, {"value": value}, html=False)
    return f"{line.area.name}: {value}"


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    locale = dialog_manager.middleware_data["i18n"].current_locale
    lines = await lines_of(dialog_manager)
    items = [(line.area.code, _shown(line, locale, dialog_manager)) for line in lines]
    year = year_of(dialog_manager)
    return {
        "items": items,
        "year": str(year),
        "prev": str(year - 1),
        "next": str(year + 1),
        "title": gettext(TITLE_NAMES[title_of(dialog_manager)]),
    }


async def on_pick(_: CallbackQuery, __: Any, manager: DialogManager, code: str) -> None:
    manager.dialog_data[PICKED] = code
    await manager.switch_to(TargetsSG.edit)


async def on_year(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = 1 if button.widget_id == "next_year" else -1
    manager.dialog_data[YEAR] = year_of(manager) + step


async def get_edit(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    picked = dialog_manager.dialog_data.get(PICKED)
    lines = {line.area.code: line for line in await lines_of(dialog_manager)}
    line = lines.get(str(picked)) or next(iter(lines.values()))
    return {
        "area": line.area.name,
        "year": str(year_of(dialog_manager)),
        "own": line.own is not None,
        "title": gettext(TITLE_NAMES[title_of(dialog_manager)]),
    }


async def save(event: Message | CallbackQuery, manager: DialogManager, value: int | None) -> None:
    code, actor = str(manager.dialog_data.get(PICKED)), acting_user(manager)
    title, year = title_of(manager), year_of(manager)
    change = set_target(uow_of(manager), actor, code, title, year, value, now())
    if await attempt(manager, event, change):
        await manager.switch_to(TargetsSG.list)


async def on_percent(message: Message, _: Any, manager: DialogManager, value: int) -> None:
    await save(message, manager, value)


async def on_inherit(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await save(callback, manager, None)


def list_window() -> Window:
    return Window(
        I18nFormat(
            "🎯 <b>Targets for {year}</b>\n🏷 {title}: the share to be recognised. An area "
            "without its own target takes the one above it, and at the top the national one. "
            "Press an area to change it."
        ),
        Choices(on_pick, widget_id="area"),
        title_switch(),
        Row(
            Button(Format("◀️ {prev}"), id="prev_year", on_click=on_year),
            Button(Format("{next} ▶️"), id="next_year", on_click=on_year),
        ),
        Cancel(Label("⬅️ Back")),
        UnexpectedText(),
        state=TargetsSG.list,
        getter=get_list,
    )


def edit_window() -> Window:
    return Window(
        I18nFormat(
            "🎯 <b>{area}, {year}</b>\n🏷 {title}: what share should be recognised? Type a "
            "percentage, for example: 70"
        ),
        TextInput(
            id="percent",
            type_factory=parse_percent,
            on_success=on_percent,
            on_error=on_input_error,
        ),
        Column(
            Button(
                Label("↩️ Use the target from above"), id="inherit", on_click=on_inherit, when="own"
            ),
            SwitchTo(Label("⬅️ Back"), id="back", state=TargetsSG.list),
        ),
        state=TargetsSG.edit,
        getter=get_edit,
    )


def targets_dialog() -> Dialog:
    return Dialog(list_window(), edit_window(), on_start=on_start)
