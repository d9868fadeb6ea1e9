"""The commune's hamlets, those in use first, and one hamlet's card with what can be done
to it; restoring a retired hamlet happens on its card."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, ScrollingGroup, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.areas import Area
from bot.domain.messages import N_
from bot.i18n import number
from bot.services.hamlet_admin import (
    commune_hamlets,
    hamlet_card,
    merge_choices,
    restore_hamlet,
    retire_plan,
)
from dialogs.commune.common import area_code, start_on_area
from dialogs.commune.hamlets.common import CODE, HAMLET, attempt, hamlet_of
from dialogs.offered import OfferedSelect
from dialogs.states import HamletsSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, acting_user, explain, now, uow_of

MSG_RETIRED_LINE = N_("💤 {name} (retired)")


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, _year: int) -> None:
        await commune_hamlets(uow_of(manager), acting_user(manager), code, now())

    await start_on_area(manager, check)


def _label(manager: DialogManager, hamlet: Area) -> str:
    if not hamlet.retired:
        return hamlet.name
    return explain(manager, MSG_RETIRED_LINE, {"name": hamlet.name}, html=False)


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    commune, hamlets = await commune_hamlets(
        uow_of(dialog_manager), acting_user(dialog_manager), area_code(dialog_manager), now()
    )
    items = [(hamlet.code, _label(dialog_manager, hamlet)) for hamlet in hamlets]
    return {"commune": commune.name, "items": items, "empty": not items}


async def get_card(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    card = await hamlet_card(
        uow_of(dialog_manager), acting_user(dialog_manager), hamlet_of(dialog_manager), now()
    )
    locale = dialog_manager.middleware_data["i18n"].current_locale
    return {
        "name": card.hamlet.name,
        "code": card.hamlet.code,
        "households": number(card.households, locale),
        "heads": number(card.heads, locale),
        "active": not card.hamlet.retired,
        "retired": card.hamlet.retired,
        "merged": card.merged_into is not None,
        "into": card.merged_into.name if card.merged_into else "",
    }


async def on_pick(callback: CallbackQuery, _: Any, manager: DialogManager, code: str) -> None:
    # a forged code is refused (and written down) here, before any card is shown
    card = await attempt(
        manager, callback, hamlet_card(uow_of(manager), acting_user(manager), code, now())
    )
    if card is not None:
        manager.dialog_data[HAMLET] = card.hamlet.code
        await manager.switch_to(HamletsSG.card)


async def on_add(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.pop(CODE, None)


async def on_merge(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    call = merge_choices(uow_of(manager), acting_user(manager), hamlet_of(manager), now())
    if await attempt(manager, callback, call) is not None:
        await manager.switch_to(HamletsSG.merge)


async def on_retire(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    call = retire_plan(uow_of(manager), acting_user(manager), hamlet_of(manager), now())
    if await attempt(manager, callback, call) is not None:
        await manager.switch_to(HamletsSG.retire)


async def on_restore(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    call = restore_hamlet(uow_of(manager), acting_user(manager), hamlet_of(manager), now())
    await attempt(manager, callback, call)


def list_window() -> Window:
    return Window(
        I18nFormat(
            "🏘 <b>Hamlets of {commune}</b>\nPress a hamlet to rename it, merge it into "
            "another or retire it."
        ),
        I18nFormat("There are no hamlets yet.", when="empty"),
        ScrollingGroup(
            OfferedSelect(
                Format("{item[1]}"),
                id="hamlet",
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_pick,
            ),
            id="hamlet_pages",
            width=1,
            height=8,
            hide_on_single_page=True,
        ),
        SwitchTo(Label("➕ Add a hamlet"), id="add", state=HamletsSG.add, on_click=on_add),
        Cancel(Label("⬅️ Back")),
        UnexpectedText(),
        state=HamletsSG.list,
        getter=get_list,
    )


def card_window() -> Window:
    return Window(
        I18nFormat(
            "🏘 <b>{name}</b>\nCode: {code}\n🏠 Households: {households}\n👤 Hamlet heads: {heads}"
        ),
        I18nFormat(
            "💤 Retired: no longer offered to families. Its history and numbers stay.",
            when="retired",
        ),
        I18nFormat("🔀 Its households moved to {into}.", when="merged"),
        Column(
            SwitchTo(Label("✏️ Rename"), id="rename", state=HamletsSG.rename),
            Button(
                Label("🔀 Merge into another hamlet"), id="merge", on_click=on_merge, when="active"
            ),
            Button(Label("🗄 Retire"), id="retire", on_click=on_retire, when="active"),
            Button(Label("♻️ Restore"), id="restore", on_click=on_restore, when="retired"),
            SwitchTo(Label("⬅️ Back"), id="to_list", state=HamletsSG.list),
        ),
        UnexpectedText(),
        state=HamletsSG.card,
        getter=get_card,
    )
