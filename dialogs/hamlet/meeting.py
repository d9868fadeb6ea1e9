"""Pledges made at a hamlet meeting: tick the households, give the meeting's day, record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Column,
    ManagedMultiselect,
    Row,
    ScrollingGroup,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from bot.domain.parsers import parse_day
from bot.i18n import N_
from bot.services.errors import ServiceError
from bot.services.hamlets import collect_pledges, to_pledge
from dialogs.days import pressed_day
from dialogs.hamlet.common import (
    BackTo,
    hamlet_code,
    household_items,
    set_note,
    shown_number,
)
from dialogs.offered import OfferedMultiselect
from dialogs.states import HamletSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    now,
    on_input_error,
    tell,
    this_year,
    today,
)

CHOSEN = "pledged"  # the Multiselect's id
MSG_FUTURE = N_("The meeting cannot be later than today. Please check the date.")
MSG_TOO_OLD = N_("That is more than a year ago. Please check the date.")


def _chosen(manager: DialogManager) -> ManagedMultiselect[int]:
    widget: ManagedMultiselect[int] = manager.find(CHOSEN)  # type: ignore[assignment]
    return widget


async def get_candidates(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    year = this_year(dialog_manager)
    lines = await to_pledge(
        uow, acting_user(dialog_manager), hamlet_code(dialog_manager), year, now()
    )
    chosen = _chosen(dialog_manager).get_checked()
    return {
        "items": household_items(lines, icons=False),
        "year": year,
        "chosen": shown_number(dialog_manager, len(chosen)),
        "any_chosen": bool(chosen),
        "some": bool(lines),
        "none": not lines,
    }


async def on_open(_: CallbackQuery, __: Any, manager: DialogManager) -> None:
    await _chosen(manager).reset_checked()


async def on_day_button(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _record(callback, manager, pressed_day(manager, button))


async def on_typed_day(message: Message, _: Any, manager: DialogManager, day: date) -> None:
    await _record(message, manager, day)


async def _record(event: CallbackQuery | Message, manager: DialogManager, day: date) -> None:
    local_today = today(manager)
    try:
        if day > local_today:
            raise ServiceError(MSG_FUTURE)
        if day < local_today - timedelta(days=366):
            raise ServiceError(MSG_TOO_OLD)
        report = await collect_pledges(
            manager.middleware_data["uow"],
            acting_user(manager),
            hamlet_code(manager),
            _chosen(manager).get_checked(),
            day,
            year=this_year(manager),
            now=now(),
        )
    except ServiceError as error:
        await tell(manager, event, error)
        return
    await _chosen(manager).reset_checked()
    set_note(
        manager,
        N_("🤝 Pledges recorded: {recorded}. Already registered: {already}."),
        recorded=report.recorded,
        already=report.already,
    )
    await manager.switch_to(HamletSG.menu)


def pledges_window() -> Window:
    return Window(
        I18nFormat(
            "🤝 <b>Pledges at a meeting</b>\nTick the households that pledged for {year}, "
            "then press Next. Chosen: {chosen}",
            when="some",
        ),
        I18nFormat("🤝 Every household is already registered for {year}.", when="none"),
        ScrollingGroup(
            OfferedMultiselect(
                Format("✅ {item[1]}"),
                Format("⬜ {item[1]}"),
                id=CHOSEN,
                item_id_getter=lambda item: item[0],
                items="items",
                type_factory=int,
            ),
            id="pledge_pages",
            width=1,
            height=8,
            hide_on_single_page=True,
        ),
        Column(
            SwitchTo(Label("▶️ Next"), id="next", state=HamletSG.pledge_date, when="any_chosen"),
            BackTo(HamletSG.menu),
        ),
        UnexpectedText(),
        state=HamletSG.pledges,
        getter=get_candidates,
    )


def date_window() -> Window:
    return Window(
        I18nFormat(
            "📅 <b>When was the meeting?</b>\nChoose below, or type the date as "
            "day/month/year, for example: 25/03/2025"
        ),
        Row(
            Button(Label("Today"), id="today", on_click=on_day_button),
            Button(Label("Yesterday"), id="yesterday", on_click=on_day_button),
        ),
        Column(BackTo(HamletSG.pledges)),
        TextInput(
            id="day",
            type_factory=parse_short_day,
            on_success=on_typed_day,
            on_error=on_input_error,
        ),
        UnexpectedText(),
        state=HamletSG.pledge_date,
    )


def parse_short_day(text: str) -> date:
    """A meeting's date: a two-digit year ("25/3/25") is fine too."""
    return parse_day(text, short_year=True)
