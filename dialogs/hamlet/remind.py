"""Reminders to the families that have not registered or not self-assessed, at most one a
day each; the ones Telegram cannot reach are listed to visit in person."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Column

from bot.i18n import N_
from bot.services.errors import ServiceError
from bot.services.hamlets import RemindReport, remind_pending
from dialogs.hamlet.common import BackTo, hamlet_code, place_of, shown_number
from dialogs.states import HamletSG
from dialogs.summaries import writer_for
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    notifier,
    now,
    tell,
    this_year,
)

REMINDED = "_reminded"  # dialog_data: [sent, already today, unreachable] of the last reminder
MAX_MESSAGE = 3500  # a list to visit is split below Telegram's 4096 characters


async def get_remind(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    done = dialog_manager.dialog_data.get(REMINDED)
    sent, already, unreachable = done or (0, 0, 0)
    return {
        "place": await place_of(dialog_manager),
        "year": this_year(dialog_manager),
        "asking": done is None,
        "done": done is not None,
        "nobody": done is not None and not (sent or already or unreachable),
        "sent": shown_number(dialog_manager, sent),
        "already": shown_number(dialog_manager, already),
        "unreachable": shown_number(dialog_manager, unreachable),
        "to_visit": bool(unreachable),
    }


async def on_open_remind(_: CallbackQuery, __: Any, manager: DialogManager) -> None:
    manager.dialog_data.pop(REMINDED, None)


async def on_remind(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    settings = manager.middleware_data["settings"]
    try:
        report = await remind_pending(
            manager.middleware_data["uow"],
            notifier(manager),
            acting_user(manager),
            hamlet_code(manager),
            this_year(manager),
            now(),
            settings.zone,
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    manager.dialog_data[REMINDED] = [report.sent, report.already_today, len(report.unreachable)]
    if report.unreachable and callback.message is not None:
        for text in visit_list(manager, report):
            await manager.middleware_data["bot"].send_message(callback.message.chat.id, text)
        manager.show_mode = ShowMode.SEND  # the screen comes back below the list


def visit_list(manager: DialogManager, report: RemindReport) -> list[str]:
    """The households to visit in person, as messages short enough for Telegram."""
    lines = writer_for(manager)
    lines.add(N_("🚶 <b>Families to visit in person</b> (not reachable on Telegram):"))
    for line in report.unreachable:
        name, phone = html.escape(line.head_name or "—"), html.escape(line.phone or "—")
        lines.lines.append(f"• {name} · {phone}")
    messages, current = [], ""
    for line_text in lines.lines:
        if current and len(current) + len(line_text) + 1 > MAX_MESSAGE:
            messages.append(current)
            current = ""
        current = f"{current}\n{line_text}" if current else line_text
    return [*messages, current]


def remind_window() -> Window:
    return Window(
        I18nFormat(
            "🔔 <b>Remind families</b>\nSend a reminder to every family of {place} that has "
            "not registered for {year} or not finished its self-assessment? "
            "A family gets at most one reminder a day.",
            when="asking",
        ),
        I18nFormat(
            "🔔 <b>Reminders</b>\nSent: {sent}\nAlready reminded today: {already}\n"
            "To visit in person: {unreachable}",
            when="done",
        ),
        I18nFormat("The families to visit are listed in the message above.", when="to_visit"),
        I18nFormat(
            "Nobody to remind: every family has registered and self-assessed.", when="nobody"
        ),
        Column(
            Button(
                Label("🔔 Yes, send the reminders"), id="send", on_click=on_remind, when="asking"
            ),
            BackTo(HamletSG.menu),
        ),
        UnexpectedText(),
        state=HamletSG.remind,
        getter=get_remind,
    )
