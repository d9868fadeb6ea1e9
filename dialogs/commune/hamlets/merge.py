"""Merging a hamlet into another of the commune, and retiring one: each says first what it
will do (households moved, heads' roles and invitations ended), then waits for a Yes."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, ScrollingGroup, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.i18n import number
from bot.services.hamlet_admin import (
    Handover,
    merge_choices,
    merge_hamlets,
    merge_plan,
    retire_hamlet,
    retire_plan,
)
from dialogs.commune.hamlets.common import HAMLET, INTO, attempt, hamlet_of
from dialogs.offered import OfferedSelect
from dialogs.states import HamletsSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, acting_user, now, uow_of


def _counts(manager: DialogManager, hand: Handover) -> dict[str, str]:
    locale = manager.middleware_data["i18n"].current_locale
    return {
        "households": number(hand.households, locale),
        "heads": number(hand.heads, locale),
        "invites": number(hand.invites, locale),
    }


async def get_merge(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    hamlet, choices = await merge_choices(
        uow_of(dialog_manager), acting_user(dialog_manager), hamlet_of(dialog_manager), now()
    )
    return {"name": hamlet.name, "items": [(a.code, a.name) for a in choices]}


async def on_into(callback: CallbackQuery, _: Any, manager: DialogManager, code: str) -> None:
    # a forged code (another commune's hamlet, a retired one) is refused here
    call = merge_plan(uow_of(manager), acting_user(manager), hamlet_of(manager), code, now())
    if await attempt(manager, callback, call) is not None:
        manager.dialog_data[INTO] = code
        await manager.switch_to(HamletsSG.confirm_merge)


def _into(manager: DialogManager) -> str:
    return str(manager.dialog_data.get(INTO) or "")


async def get_confirm_merge(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    hand, into = await merge_plan(
        uow_of(dialog_manager),
        acting_user(dialog_manager),
        hamlet_of(dialog_manager),
        _into(dialog_manager),
        now(),
    )
    return {"source": hand.hamlet.name, "target": into.name, **_counts(dialog_manager, hand)}


async def on_merge(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    call = merge_hamlets(
        uow_of(manager), acting_user(manager), hamlet_of(manager), _into(manager), now()
    )
    if await attempt(manager, callback, call) is not None:
        manager.dialog_data[HAMLET] = manager.dialog_data.pop(INTO)
        await manager.switch_to(HamletsSG.card)


async def get_retire(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    hand = await retire_plan(
        uow_of(dialog_manager), acting_user(dialog_manager), hamlet_of(dialog_manager), now()
    )
    return {"name": hand.hamlet.name, **_counts(dialog_manager, hand)}


async def on_retire(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    call = retire_hamlet(uow_of(manager), acting_user(manager), hamlet_of(manager), now())
    if await attempt(manager, callback, call) is not None:
        await manager.switch_to(HamletsSG.card)


def merge_window() -> Window:
    return Window(
        I18nFormat(
            "🔀 <b>Merge {name} into which hamlet?</b>\nAll its households will move there."
        ),
        ScrollingGroup(
            OfferedSelect(
                Format("{item[1]}"),
                id="into",
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_into,
            ),
            id="into_pages",
            width=1,
            height=8,
            hide_on_single_page=True,
        ),
        SwitchTo(Label("⬅️ Back"), id="to_card", state=HamletsSG.card),
        UnexpectedText(),
        state=HamletsSG.merge,
        getter=get_merge,
    )


def confirm_merge_window() -> Window:
    return Window(
        I18nFormat(
            "🔀 <b>Merge {source} into {target}?</b>\n"
            "🏠 Households that move to {target}: {households}\n"
            "👤 Hamlet heads of {source} who lose that role: {heads}\n"
            "✉️ Open invitations to head {source}, withdrawn: {invites}\n"
            "Then {source} is retired; its history stays."
        ),
        Column(
            Button(Label("✅ Yes, merge"), id="merge", on_click=on_merge),
            SwitchTo(Label("⬅️ Back"), id="to_merge", state=HamletsSG.merge),
        ),
        UnexpectedText(),
        state=HamletsSG.confirm_merge,
        getter=get_confirm_merge,
    )


def retire_window() -> Window:
    return Window(
        I18nFormat(
            "🗄 <b>Retire {name}?</b>\nFamilies choosing their place will no longer see it. Its "
            "history and numbers stay, and you can restore it from its card.\n"
            "👤 Hamlet heads who lose that role: {heads}\n"
            "✉️ Open invitations withdrawn: {invites}"
        ),
        Column(
            Button(Label("✅ Yes, retire"), id="retire", on_click=on_retire),
            SwitchTo(Label("⬅️ Back"), id="to_card", state=HamletsSG.card),
        ),
        UnexpectedText(),
        state=HamletsSG.retire,
        getter=get_retire,
    )
