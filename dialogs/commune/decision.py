"""The commune's decision, asked the same way wherever the commune recognises (households in
/recognize, a group from its card): its number, then its day, never later than today."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo

from bot.domain.messages import N_
from bot.domain.parsers import parse_day
from bot.domain.recognition import Decision, parse_decision_number
from bot.i18n import day as day_text
from bot.services.errors import ServiceError
from dialogs.widgets import I18nFormat, Label, on_input_error, tell, today

NUMBER = "_number"  # dialog_data: the decision's number
DAY = "_day"  # dialog_data: the decision's day (ISO)
MSG_FUTURE = N_("The decision cannot be dated later than today. Please check the date.")


def decision_of(manager: DialogManager) -> Decision:
    """The decision the number and day windows were given."""
    data = manager.dialog_data
    return Decision(data[NUMBER], date.fromisoformat(data[DAY]))


def decision_shown(manager: DialogManager) -> dict[str, str]:
    """The decision's number and day, as a confirmation shows them."""
    decision = decision_of(manager)
    locale = manager.middleware_data["i18n"].current_locale
    return {"decision": decision.number, "day": day_text(decision.day, locale)}


def number_window(state: State, *, then: State, back: State) -> Window:
    """Asks the decision's number, then goes on to `then` (the day)."""

    async def on_number(_: Message, __: Any, manager: DialogManager, value: str) -> None:
        manager.dialog_data[NUMBER] = value
        await manager.switch_to(then)

    return Window(
        I18nFormat("📄 What is the <b>number of the decision</b>? For example: 125/QĐ-UBND"),
        TextInput(
            id="number",
            type_factory=parse_decision_number,
            on_success=on_number,
            on_error=on_input_error,
        ),
        SwitchTo(Label("⬅️ Back"), id="back", state=back),
        state=state,
    )


def day_window(state: State, *, then: State, back: State) -> Window:
    """Asks the decision's day (typed, or today), then goes on to `then` (the confirmation)."""

    async def set_day(event: Message | CallbackQuery, manager: DialogManager, day: date) -> None:
        if day > today(manager):
            await tell(manager, event, ServiceError(MSG_FUTURE))
            return
        manager.dialog_data[DAY] = day.isoformat()
        await manager.switch_to(then)

    async def on_day(message: Message, _: Any, manager: DialogManager, day: date) -> None:
        await set_day(message, manager, day)

    async def on_today(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
        await set_day(callback, manager, today(manager))

    return Window(
        I18nFormat(
            "📅 What is the <b>date of the decision</b>? Type it as day/month/year, for "
            "example: 20/12/2026"
        ),
        Button(Label("📅 Today"), id="today", on_click=on_today),
        TextInput(id="day", type_factory=parse_day, on_success=on_day, on_error=on_input_error),
        SwitchTo(Label("⬅️ Back"), id="back", state=back),
        state=state,
    )
