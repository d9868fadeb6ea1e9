"""/deadlines: the commune's dates for the year (registration, self-assessment,
verification); pressing one asks for a day, or removes it."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, SwitchTo

from bot.domain.criteria_model import Title
from bot.domain.deadlines import DEADLINE_LABELS, DEADLINES, Deadline, Deadlines
from bot.domain.messages import N_
from bot.domain.parsers import parse_day
from bot.i18n import day as day_text
from bot.services.deadlines import deadlines_of, set_deadline
from dialogs.commune.common import area_code, start_on_area, title_of, title_switch, year_of
from dialogs.offered import Choices
from dialogs.states import DeadlinesSG
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
PICKED = "_picked"  # dialog_data: the deadline being set
MSG_NOT_SET = N_("not set")


async def current(manager: DialogManager) -> Deadlines:
    return await deadlines_of(
        uow_of(manager),
        acting_user(manager),
        area_code(manager),
        title_of(manager),
        year_of(manager),
        now(),
    )


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, year: int) -> None:
        await deadlines_of(uow_of(manager), acting_user(manager), code, GIA_DINH, year, now())

    await start_on_area(manager, check)


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    deadlines = await current(dialog_manager)
    zone = dialog_manager.middleware_data["settings"].zone
    items = []
    for which in DEADLINES:
        day = deadlines.day(which, zone)
        label = explain(dialog_manager, DEADLINE_LABELS[which], html=False)
        shown = day_label(dialog_manager, day) if day else explain(dialog_manager, MSG_NOT_SET)
        items.append((which.value, f"{label}: {shown}"))  # layout only, no words
    title = gettext(TITLE_NAMES[title_of(dialog_manager)])
    return {"items": items, "year": str(year_of(dialog_manager)), "title": title}


async def on_pick(_: CallbackQuery, __: Any, manager: DialogManager, which: str) -> None:
    manager.dialog_data[PICKED] = Deadline(which).value  # a forged value fails here
    await manager.switch_to(DeadlinesSG.edit)


def day_label(manager: DialogManager, day: date) -> str:
    return day_text(day, manager.middleware_data["i18n"].current_locale)


def picked(manager: DialogManager) -> Deadline:
    return Deadline(manager.dialog_data[PICKED])


async def get_edit(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    which = picked(dialog_manager)
    deadlines = await current(dialog_manager)
    return {
        "label": explain(dialog_manager, DEADLINE_LABELS[which], html=False),
        "year": str(year_of(dialog_manager)),
        "is_set": deadlines.get(which) is not None,
    }


async def save(event: Message | CallbackQuery, manager: DialogManager, day: date | None) -> None:
    zone = manager.middleware_data["settings"].zone
    change = set_deadline(
        uow_of(manager),
        acting_user(manager),
        area_code(manager),
        title_of(manager),
        year_of(manager),
        picked(manager),
        day,
        now(),
        zone,
    )
    if await attempt(manager, event, change):
        await manager.switch_to(DeadlinesSG.list)


async def on_day(message: Message, _: Any, manager: DialogManager, day: date) -> None:
    await save(message, manager, day)


async def on_remove(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await save(callback, manager, None)


def list_window() -> Window:
    return Window(
        I18nFormat(
            "📅 <b>Deadlines for {year}</b>\n🏷 {title}: registering and self-assessing are "
            "open only within these dates, and confirming until the last one. Each title has "
            "its own dates. Press a line to change it."
        ),
        Choices(on_pick, widget_id="deadline"),
        title_switch(),
        Cancel(Label("⬅️ Back")),
        UnexpectedText(),
        state=DeadlinesSG.list,
        getter=get_list,
    )


def edit_window() -> Window:
    return Window(
        I18nFormat(
            "📅 <b>{label}</b> ({year})\nType the day as day/month/year, for example: 31/03/{year}"
        ),
        TextInput(id="day", type_factory=parse_day, on_success=on_day, on_error=on_input_error),
        Column(
            Button(Label("🗑 Remove this date"), id="remove", on_click=on_remove, when="is_set"),
            SwitchTo(Label("⬅️ Back"), id="back", state=DeadlinesSG.list),
        ),
        state=DeadlinesSG.edit,
        getter=get_edit,
    )


def deadlines_dialog() -> Dialog:
    return Dialog(list_window(), edit_window(), on_start=on_start)
