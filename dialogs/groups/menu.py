"""👥 Clans and units: the family's clan (say yes or no when asked, or leave it), the clans and
units the user registered, and where to register one."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Start, SwitchTo

from bot.domain.messages import N_
from bot.services.errors import NotAllowed, ServiceError
from bot.services.group_roster import clan_card, home_commune, my_groups, unit_card
from bot.services.groups import MSG_NOT_IN_CLAN, confirm_clan, leave_clan
from dialogs.groups.common import COMMUNE
from dialogs.hamlet.common import Note, pop_note, set_note
from dialogs.offered import Choices
from dialogs.states import AreaSG, ClanSG, GroupsSG, UnitSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    attempt,
    current_user_id,
    notifier,
    now,
    tell,
    this_year,
    uow_of,
)

CLAN = "clan"  # dialog_data: the id of the clan whose card is open
UNIT = "unit"  # dialog_data: the id of the unit whose card is open
FAMILY_CLAN = "_family_clan"  # dialog_data: the clan the family is in or asked to join
MSG_CONFIRMED = N_("✅ Thank you: your family is in {name}.")
MSG_DECLINED = N_("Noted: your family is not in {name}.")
MSG_LEFT = N_("🚪 Your family has left {name}.")
MSG_PLACE_FIRST = N_("Please choose your commune and hamlet first.")


async def get_menu(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    groups = await my_groups(uow, current_user_id(dialog_manager))
    clan = groups.clan
    dialog_manager.dialog_data[FAMILY_CLAN] = clan.id if clan else None
    items = [(f"c{c.id}", f"👥 {c.name}") for c in groups.clans]
    items += [(f"u{u.id}", f"🏫 {u.name}") for u in groups.units]
    return {
        **pop_note(dialog_manager),
        "clan": clan.name if clan else "",
        "asked": clan is not None and not groups.confirmed,
        "in_clan": clan is not None and groups.confirmed,
        "no_clan": clan is None and groups.has_household,
        "items": items,
        "represents": bool(items),
        "has_commune": groups.commune is not None,
        "no_commune": groups.commune is None,
        "commune": groups.commune.name if groups.commune else "",
        "household": groups.has_household,
    }


async def on_confirm(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    clan_id = int(manager.dialog_data.get(FAMILY_CLAN) or 0)
    try:
        clan = await confirm_clan(
            uow_of(manager), callback.from_user.id, clan_id, now(), notifier(manager)
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    set_note(manager, MSG_CONFIRMED, name=clan.name)


async def on_decline(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await _leave(callback, manager, MSG_DECLINED)


async def on_ask_leave(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    """Ask only a family still in a clan: the button may be from before it left (or before
    its household was erased from another phone)."""
    groups = await my_groups(uow_of(manager), callback.from_user.id)
    if groups.clan is None:
        await tell(manager, callback, NotAllowed(MSG_NOT_IN_CLAN))
        return
    await manager.switch_to(GroupsSG.leave)


async def on_leave(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await _leave(callback, manager, MSG_LEFT)
    await manager.switch_to(GroupsSG.menu)


async def _leave(callback: CallbackQuery, manager: DialogManager, note: str) -> None:
    uow, user_id = uow_of(manager), callback.from_user.id
    groups = await my_groups(uow, user_id)
    if await attempt(manager, callback, leave_clan(uow, user_id, now(), notifier(manager))):
        set_note(manager, note, name=groups.clan.name if groups.clan else "")


async def on_group(callback: CallbackQuery, _: Any, manager: DialogManager, item: str) -> None:
    kind, number = item[:1], int(item[1:] or 0)
    uow, user_id, year = uow_of(manager), callback.from_user.id, this_year(manager)
    card = clan_card if kind == "c" else unit_card
    if await attempt(manager, callback, card(uow, user_id, number, year, now())):
        manager.dialog_data[CLAN if kind == "c" else UNIT] = number
        await manager.switch_to(GroupsSG.clan if kind == "c" else GroupsSG.unit)


async def on_register(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    commune = await home_commune(uow_of(manager), callback.from_user.id)
    if commune is None:
        await tell(manager, callback, ServiceError(MSG_PLACE_FIRST))
        return
    state = ClanSG.name if button.widget_id == "new_clan" else UnitSG.name
    await manager.start(state, data={COMMUNE: commune.code})


async def get_leave(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    groups = await my_groups(uow, current_user_id(dialog_manager))
    return {"clan": groups.clan.name if groups.clan else ""}


def menu_window() -> Window:
    return Window(
        Note(),
        I18nFormat("👥 <b>Clans and units</b>"),
        I18nFormat(
            "\nYour family is listed in the learning clan <b>{clan}</b>. "
            "Is your family in this clan?",
            when="asked",
        ),
        I18nFormat("\n👥 Your family's clan: <b>{clan}</b> ✅", when="in_clan"),
        I18nFormat(
            "\nYour family is not in a learning clan. When someone of your clan registers it "
            "and lists your family, you will be asked here.",
            when="no_clan",
        ),
        I18nFormat("\nClans and units you registered:", when="represents"),
        I18nFormat(
            "\nTo register a clan or a unit, first choose your commune and hamlet.",
            when="no_commune",
        ),
        Column(
            Button(
                Label("✅ Yes, my family is in {clan}"),
                id="yes",
                on_click=on_confirm,
                when="asked",
            ),
            Button(Label("❌ No, not our clan"), id="no", on_click=on_decline, when="asked"),
        ),
        Choices(on_group, when="represents", widget_id="group"),
        Column(
            Button(
                Label("➕ Register a clan"),
                id="new_clan",
                on_click=on_register,
                when="has_commune",
            ),
            Button(
                Label("🏫 Register a unit"),
                id="new_unit",
                on_click=on_register,
                when="has_commune",
            ),
            SwitchTo(
                Label("🔢 My learning-citizen self-assessment counts for a unit"),
                id="count",
                state=GroupsSG.member,
                when="household",
            ),
            Button(Label("🚪 Leave the clan"), id="leave", on_click=on_ask_leave, when="in_clan"),
            Start(
                Label("📍 My commune and hamlet"),
                id="area",
                state=AreaSG.province,
                when="no_commune",
            ),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=GroupsSG.menu,
        getter=get_menu,
    )


def leave_window() -> Window:
    return Window(
        I18nFormat(
            "🚪 Leave the learning clan <b>{clan}</b>?\nYour family will no longer count for it."
        ),
        Column(
            Button(Label("✅ Yes, leave the clan"), id="leave", on_click=on_leave),
            SwitchTo(Label("◀️ Back"), id="back", state=GroupsSG.menu),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=GroupsSG.leave,
        getter=get_leave,
    )
