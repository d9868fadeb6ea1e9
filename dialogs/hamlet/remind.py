"""Reminders to the families that have not registered or not self-assessed, at most one a
day each, queued in the outbox for the sender; the ones no reminder can reach are listed to
visit in person."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Column
from babel.dates import format_time

from bot.i18n import N_
from bot.services.errors import ServiceError
from bot.services.hamlets import RemindReport, remind_pending
from dialogs.hamlet.common import BackTo, hamlet_code, locale, place_of, shown_number
from dialogs.states import HamletSG
from dialogs.summaries import writer_for
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    now,
    tell,
    this_year,
)

REMINDED = "_reminded"  # dialog_data: what the last reminder did (see `on_remind`)
MAX_MESSAGE = 3500  # a list to visit is split below Telegram's 4096 characters


async def get_remind(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    done = dialog_manager.dialog_data.get(REMINDED)
    shown = done or {"queued": 0, "already": 0, "to_visit": 0, "quiet_until": None}
    queued, quiet_until = shown["queued"], shown["quiet_until"]
    return {
        "place": await place_of(dialog_manager),
        "year": this_year(dialog_manager),
        "asking": done is None,
        "done": done is not None,
        "nobody": done is not None and not (queued or shown["already"] or shown["to_visit"]),
        "queued": shown_number(dialog_manager, queued),
        "already": shown_number(dialog_manager, shown["already"]),
        "unreachable": shown_number(dialog_manager, shown["to_visit"]),
        "to_visit": bool(shown["to_visit"]),
        "soon": bool(queued) and quiet_until is None,
        "quiet": bool(queued) and quiet_until is not None,
        "time": shown_time(dialog_manager, quiet_until) if quiet_until else "",
    }


def shown_time(manager: DialogManager, iso: str) -> str:
    """The time of day where the commune is, as the user's locale writes it."""
    zone = manager.middleware_data["settings"].zone
    moment = datetime.fromisoformat(iso)
    return format_time(moment, format="short", tzinfo=zone, locale=locale(manager))


async def on_open_remind(_: CallbackQuery, __: Any, manager: DialogManager) -> None:
    manager.dialog_data.pop(REMINDED, None)


async def on_remind(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    settings, moment = manager.middleware_data["settings"], now()
    try:
        report = await remind_pending(
            manager.middleware_data["uow"],
            manager.middleware_data["composer"],
            acting_user(manager),
            hamlet_code(manager),
            this_year(manager),
            moment,
            settings.zone,
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    bulk_from = settings.quiet.ends_after(moment, settings.zone)  # `moment` unless quiet
    manager.dialog_data[REMINDED] = {
        "queued": report.queued,
        "already": report.already_today,
        "to_visit": len(report.unreachable),
        "quiet_until": bulk_from.isoformat() if bulk_from > moment else None,
    }
    if report.unreachable and callback.message is not None:
        for text in visit_list(manager, report):
            await manager.middleware_data["bot"].send_message(callback.message.chat.id, text)
        manager.show_mode = ShowMode.SEND  # the screen comes back below the list


def visit_list(manager: DialogManager, report: RemindReport) -> list[str]:
    """The households to visit in person, as messages short enough for Telegram."""
    lines = writer_for(manager)
    lines.add(
        N_("🚶 <b>Families to visit in person</b> (reminders on Telegram do not reach them):")
    )
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
            "🔔 <b>Reminders</b>\nQueued to send: {queued}\nAlready reminded today: {already}\n"
            "To visit in person: {unreachable}",
            when="done",
        ),
        I18nFormat("They will be sent in the next few minutes.", when="soon"),
        I18nFormat("It is quiet time now: they will be sent from {time}.", when="quiet"),
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
