"""Registering a learning clan: its name, its families (found by the head's name, ticked, the
ticks kept from one search to the next), a summary, then the clan's code."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Cancel,
    Column,
    ScrollingGroup,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from bot.domain.groups import parse_group_name
from bot.services.errors import ServiceError
from bot.services.group_roster import ask_families, families_by_id
from bot.services.groups import register_clan
from dialogs.groups.common import MainMenu, commune_code, commune_name
from dialogs.groups.families import (
    CHOSEN,
    PAGE,
    family_label,
    get_families,
    get_summary,
    on_search,
    on_start,
    ticked,
)
from dialogs.hamlet.common import shown_number
from dialogs.offered import OfferedMultiselect
from dialogs.states import AssessmentSG, ClanSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    notifier,
    now,
    on_input_error,
    tell,
    this_year,
    uow_of,
)


async def get_name(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"commune": await commune_name(dialog_manager)}


async def on_name(_: Message, __: Any, manager: DialogManager, name: str) -> None:
    manager.dialog_data["name"] = name
    reviewed = manager.dialog_data.get("_reviewed")
    await manager.switch_to(ClanSG.summary if reviewed else ClanSG.families)


async def on_register(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    uow, actor, commune = uow_of(manager), acting_user(manager), commune_code(manager)
    chosen = ticked(manager).get_checked()
    try:
        registered = await register_clan(
            uow,
            actor,
            manager.dialog_data.get("name", ""),
            commune,
            chosen,
            year=this_year(manager),
            now=now(),
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    told = await ask_families(uow, notifier(manager), registered, actor.id, now())
    manager.dialog_data.update(
        clan=registered.clan.code,
        registration=registered.registration.id,
        asked=told.asked,
        not_told=told.not_told,
        skipped=list(registered.in_other_clan),
    )
    await manager.switch_to(ClanSG.done)


async def get_done(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    skipped = await families_by_id(
        uow, acting_user(dialog_manager), commune_code(dialog_manager), data["skipped"], now()
    )
    return {
        "name": data.get("name", ""),
        "code": data["clan"],
        "year": this_year(dialog_manager),
        "asked": shown_number(dialog_manager, int(data["asked"])),
        "not_told": shown_number(dialog_manager, int(data["not_told"])),
        "some_not_told": bool(data["not_told"]),
        "skipped": "\n".join(f"• {family_label(f)}" for f in skipped),
        "some_skipped": bool(skipped),
    }


async def on_assess(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    registration = manager.dialog_data["registration"]
    await manager.start(AssessmentSG.question, data={"registration": registration})


def _stay() -> Column:
    return Column(Cancel(Label("◀️ Back")), MainMenu())


def name_window() -> Window:
    return Window(
        I18nFormat(
            "👥 <b>Register a learning clan</b> in {commune} · Step 1/3\n"
            "What is the clan's name? For example: Họ Nguyễn Văn - chi 2"
        ),
        TextInput(
            id="name", type_factory=parse_group_name, on_success=on_name, on_error=on_input_error
        ),
        _stay(),
        state=ClanSG.name,
        getter=get_name,
    )


def families_window() -> Window:
    return Window(
        I18nFormat(
            "👨‍👩‍👧 <b>Families of {name}</b> · Step 2/3\n"
            "Type part of the name of a family's head, for example: nguyen van an "
            "(accents are optional). Then tick the clan's families below.\n"
            "Chosen: {chosen}"
        ),
        I18nFormat("\nFamilies found for “{typed}”:", when="found"),
        I18nFormat(
            "\nNo family head in {commune} has a name like “{typed}”. Try a shorter part "
            "of the name.",
            when="not_found",
        ),
        I18nFormat(
            "Only the first {limit} are listed: type more of the name to find the others.",
            when="more",
        ),
        ScrollingGroup(
            OfferedMultiselect(
                Format("✅ {item[1]}"),
                Format("⬜ {item[1]}"),
                id=CHOSEN,
                item_id_getter=lambda item: item[0],
                items="items",
                type_factory=int,
            ),
            id="family_pages",
            width=1,
            height=PAGE,
            hide_on_single_page=True,
        ),
        TextInput(id="search", type_factory=str, on_success=on_search),
        Column(
            SwitchTo(Label("▶️ Next"), id="next", state=ClanSG.summary, when="any_chosen"),
            SwitchTo(Label("◀️ Back"), id="back", state=ClanSG.name),
            MainMenu(),
        ),
        state=ClanSG.families,
        getter=get_families,
    )


def summary_window() -> Window:
    return Window(
        I18nFormat(
            "📋 <b>Please check</b> · Step 3/3\n"
            "👥 Clan: <b>{name}</b>\n📍 {commune}\n👨‍👩‍👧 Families: {count}\n{families}\n\n"
            "Each family, except yours, is asked to say yes from its own menu."
        ),
        Column(
            Button(Label("✅ Register"), id="register", on_click=on_register),
            SwitchTo(Label("✏️ Change name"), id="rename", state=ClanSG.name),
            SwitchTo(Label("◀️ Back"), id="back", state=ClanSG.families),
            MainMenu(),
        ),
        UnexpectedText(),
        state=ClanSG.summary,
        getter=get_summary,
    )


def done_window() -> Window:
    return Window(
        I18nFormat(
            "✅ <b>{name}</b> is registered as a learning clan for {year}.\n"
            "🔑 Clan code: <b>{code}</b>\n"
            "👨‍👩‍👧 Families asked to say yes: {asked}."
        ),
        I18nFormat(
            "📵 {not_told} of them could not be told on Telegram: please tell them yourself.",
            when="some_not_told",
        ),
        I18nFormat("\nNot listed, already in another clan:\n{skipped}", when="some_skipped"),
        I18nFormat("\nNext: the clan's self-assessment."),
        Column(
            Button(Label("📋 Self-assessment"), id="assess", on_click=on_assess),
            Cancel(Label("👥 Clans and units")),
            MainMenu(),
        ),
        UnexpectedText(),
        state=ClanSG.done,
        getter=get_done,
    )


def clan_dialog() -> Dialog:
    return Dialog(
        name_window(),
        families_window(),
        summary_window(),
        done_window(),
        on_start=on_start,
    )
