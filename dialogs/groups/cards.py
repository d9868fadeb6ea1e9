"""A clan's or unit's card for the person who registered it: the code to share, this year's
registration and its families or staff, and the self-assessment."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo

from bot.domain.groups import GroupKind, GroupRef
from bot.services.group_roster import GroupCard, clan_card, unit_card
from bot.services.groups import register_again
from dialogs.groups.common import MainMenu, kind_label, status_text
from dialogs.groups.menu import CLAN, UNIT
from dialogs.hamlet.common import shown_number
from dialogs.states import AssessmentSG, GroupsSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    attempt,
    current_user_id,
    now,
    this_year,
    uow_of,
)

REGISTRATION = "_registration"  # dialog_data: the open card's registration for this year


def _card(manager: DialogManager, card: GroupCard) -> dict[str, Any]:
    manager.dialog_data[REGISTRATION] = card.registration.id if card.registration else None
    return {
        "name": card.name,
        "code": card.code,
        "commune": card.commune_name,
        "year": this_year(manager),
        "status": status_text(manager, card.registration),
        "registered": card.registration is not None,
        "unregistered": card.registration is None,
    }


async def get_clan(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    card = await clan_card(
        uow,
        current_user_id(dialog_manager),
        int(dialog_manager.dialog_data.get(CLAN) or 0),
        this_year(dialog_manager),
        now(),
    )
    return {
        **_card(dialog_manager, card),
        "confirmed": shown_number(dialog_manager, card.confirmed),
        "asked": shown_number(dialog_manager, card.asked),
    }


async def get_unit(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    unit, card = await unit_card(
        uow,
        current_user_id(dialog_manager),
        int(dialog_manager.dialog_data.get(UNIT) or 0),
        this_year(dialog_manager),
        now(),
    )
    return {
        **_card(dialog_manager, card),
        "kind": kind_label(unit.kind),
        "staff": shown_number(dialog_manager, unit.staff_count),
        "unit_confirmed": unit.confirmed,
        "unit_waiting": not unit.confirmed,
    }


async def on_assess(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    registration = manager.dialog_data.get(REGISTRATION)
    if registration:
        await manager.start(AssessmentSG.question, data={"registration": registration})


async def on_register_again(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    """A clan or unit of an earlier year registers for this one."""
    on_clan = manager.current_context().state == GroupsSG.clan
    kind, key = (GroupKind.CLAN, CLAN) if on_clan else (GroupKind.UNIT, UNIT)
    ref = GroupRef(kind, str(manager.dialog_data.get(key) or 0))
    year = this_year(manager)
    await attempt(
        manager,
        callback,
        register_again(uow_of(manager), acting_user(manager), ref, year=year, now=now()),
    )


def _buttons() -> Column:
    return Column(
        Button(Label("📋 Self-assessment"), id="assess", on_click=on_assess, when="registered"),
        Button(
            Label("📝 Register for {year}"),
            id="again",
            on_click=on_register_again,
            when="unregistered",
        ),
        SwitchTo(Label("◀️ Back"), id="back", state=GroupsSG.menu),
        MainMenu(),
    )


def clan_window() -> Window:
    return Window(
        I18nFormat(
            "👥 <b>{name}</b> · Learning clan\n📍 {commune}\n"
            "🔑 Clan code: <b>{code}</b>\n"
            "👨‍👩‍👧 Families: {confirmed} confirmed of {asked} listed\n"
            "📋 {year}: {status}\n\n"
            "Each family listed says yes from its own menu; only those that did count."
        ),
        _buttons(),
        UnexpectedText(),
        state=GroupsSG.clan,
        getter=get_clan,
    )


def unit_window() -> Window:
    return Window(
        I18nFormat(
            "🏫 <b>{name}</b> · {kind}\n📍 {commune}\n"
            "🔑 Unit code: <b>{code}</b>\n"
            "👥 Staff: {staff}\n"
            "📋 {year}: {status}\n\n"
            "Give the code to your staff: each of them opens “👥 Clans and units” and "
            "presses “🔢 My learning-citizen self-assessment counts for a unit”."
        ),
        I18nFormat("✅ The commune confirmed the unit.", when="unit_confirmed"),
        I18nFormat("⏳ The commune has not confirmed the unit yet.", when="unit_waiting"),
        _buttons(),
        UnexpectedText(),
        state=GroupsSG.unit,
        getter=get_unit,
    )
