"""The hamlet head's menu, and the hamlet in numbers."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.i18n import N_
from bot.services.errors import ServiceError
from bot.services.groups import register_hamlet
from bot.services.hamlets import hamlet_numbers, hamlets_of, to_verify
from dialogs.hamlet import files, households, meeting, remind
from dialogs.hamlet.common import (
    HAMLET,
    BackTo,
    Note,
    hamlet_code,
    place_of,
    pop_note,
    shown_number,
)
from dialogs.numbers import add_numbers, add_target
from dialogs.states import AssessmentSG, HamletSG, ProxySG
from dialogs.summaries import writer_for
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    now,
    tell,
    this_year,
    uow_of,
)


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """The first hamlet the user heads (or the one asked for, when they head it)."""
    hamlets = hamlets_of(acting_user(manager))
    asked = start_data.get(HAMLET) if isinstance(start_data, dict) else None
    manager.dialog_data[HAMLET] = asked if asked in hamlets else (hamlets[0] if hamlets else "")


async def get_menu(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    user = acting_user(dialog_manager)
    waiting = await to_verify(
        uow, user, hamlet_code(dialog_manager), this_year(dialog_manager), now()
    )
    return {
        "place": await place_of(dialog_manager),
        "waiting": shown_number(dialog_manager, len(waiting)),
        "several": len(hamlets_of(user)) > 1,
        **pop_note(dialog_manager),
    }


async def on_switch(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    hamlets = hamlets_of(acting_user(manager))
    current = hamlet_code(manager)
    following = (hamlets.index(current) + 1) if current in hamlets else 0
    manager.dialog_data.clear()
    manager.dialog_data[HAMLET] = hamlets[following % len(hamlets)] if hamlets else ""


async def on_register(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await manager.start(ProxySG.consent, data={HAMLET: hamlet_code(manager)})


async def on_community(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    """The hamlet's own self-assessment as a learning community (registered on first use)."""
    try:
        registration = await register_hamlet(
            uow_of(manager),
            acting_user(manager),
            hamlet_code(manager),
            year=this_year(manager),
            now=now(),
        )
    except ServiceError as refused:
        await tell(manager, callback, refused)
        return
    await manager.start(AssessmentSG.question, data={"registration": registration.id})


async def get_numbers(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    year = this_year(dialog_manager)
    found = await hamlet_numbers(
        uow, acting_user(dialog_manager), hamlet_code(dialog_manager), year, now()
    )
    counts = found.numbers
    lines = writer_for(dialog_manager)
    lines.add(
        N_("📊 <b>{place} in numbers, {year}</b>"),
        place=await place_of(dialog_manager),
        year=str(year),
    )
    add_numbers(lines, counts)
    lines.lines.append("")
    add_target(lines, found.target, found.missing)
    return {"text": lines.text()}


def menu_window() -> Window:
    return Window(
        Note(),
        I18nFormat("🏘 <b>My hamlet</b>: {place}\nWhat would you like to do?"),
        Column(
            SwitchTo(
                Label("🏠 Households"),
                id="households",
                state=HamletSG.households,
                on_click=households.on_all,
            ),
            Button(Label("📝 Register a family"), id="register", on_click=on_register),
            SwitchTo(
                Label("🤝 Pledges at a meeting"),
                id="pledges",
                state=HamletSG.pledges,
                on_click=meeting.on_open,
            ),
            SwitchTo(
                Label("✅ Check self-assessments ({waiting})"), id="verify", state=HamletSG.verify
            ),
            SwitchTo(Label("📊 My hamlet in numbers"), id="numbers", state=HamletSG.numbers),
            Button(
                Label("🏘 Learning hamlet: self-assessment"), id="community", on_click=on_community
            ),
            SwitchTo(
                Label("🔔 Remind families"),
                id="remind",
                state=HamletSG.remind,
                on_click=remind.on_open_remind,
            ),
            Button(Label("📤 Export to Excel"), id="export", on_click=files.on_export),
            Button(Label("🔗 Link and QR code for families"), id="link", on_click=files.on_link),
            Button(Label("🔁 Switch hamlet"), id="switch", on_click=on_switch, when="several"),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=HamletSG.menu,
        getter=get_menu,
    )


def numbers_window() -> Window:
    return Window(
        Format("{text}"),
        Column(BackTo(HamletSG.menu)),
        UnexpectedText(),
        state=HamletSG.numbers,
        getter=get_numbers,
    )
