"""My household: its details and code, its members, and members' learning-citizen assessment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Cancel, Column, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.areas import place_label
from bot.domain.parsers import parse_birth_year, parse_person_name
from bot.services.areas import area_path
from bot.services.assessments import citizen_registration
from bot.services.errors import ServiceError
from bot.services.households import add_member, overview
from dialogs.offered import OfferedSelect
from dialogs.states import AssessmentSG, HouseholdSG, StatusSG
from dialogs.summaries import MSG_NOT_REGISTERED
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    current_user_id,
    now,
    on_input_error,
    tell,
    this_year,
)


async def get_overview(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    found = await overview(uow, current_user_id(dialog_manager))
    if found is None:  # erased or unlinked from another phone while this window was open
        return {"unregistered": True, "has_members": False, "has_adults": False}
    household, year = found.household, this_year(dialog_manager)
    members = "\n".join(f"• {m.name} ({m.birth_year})" for m in found.members)
    return {
        "registered": True,
        "name": household.head_name or "",
        "phone": household.phone or "",
        "code": household.code,
        "place": place_label(await area_path(uow, household.hamlet_code)),
        "count": household.members_count,
        "children": household.school_age_count,
        "members": members,
        "has_members": bool(found.members),
        "has_adults": any(m.is_adult(year) for m in found.members),
    }


async def get_adults(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    found = await overview(uow, current_user_id(dialog_manager))
    year = this_year(dialog_manager)
    adults = [m for m in (found.members if found else []) if m.is_adult(year)]
    return {"adults": [(str(m.id), f"{m.name} ({m.birth_year})") for m in adults]}


async def on_member_name(_: Message, __: Any, manager: DialogManager, name: str) -> None:
    manager.dialog_data["member_name"] = name
    await manager.switch_to(HouseholdSG.member_year)


async def on_member_year(message: Message, _: Any, manager: DialogManager, year: int) -> None:
    uow = manager.middleware_data["uow"]
    try:
        await add_member(
            uow, current_user_id(manager), manager.dialog_data["member_name"], year, now()
        )
    except ServiceError as error:
        await tell(manager, message, error)
        return
    manager.dialog_data.pop("member_name", None)
    await manager.switch_to(HouseholdSG.overview)


async def on_citizen(callback: CallbackQuery, _: Any, manager: DialogManager, member: str) -> None:
    uow = manager.middleware_data["uow"]
    try:
        registration = await citizen_registration(
            uow, callback.from_user.id, int(member), year=this_year(manager), now=now()
        )
    except (ServiceError, ValueError) as error:
        await tell(manager, callback, error)
        return
    await manager.start(AssessmentSG.question, data={"registration": registration.id})


def _birth_year(text: str) -> int:
    return parse_birth_year(text, this_year=datetime.now(UTC).year)


def household_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "🏡 <b>My household</b>\n"
                "👤 Head of household: {name}\n📱 Phone: {phone}\n📍 {place}\n"
                "👨‍👩‍👧 Members: {count} · 🎒 school-age children: {children}\n\n"
                "🔑 Household code: <b>{code}</b>\n"
                "Other family members can follow the household on their phones with it.",
                when="registered",
            ),
            I18nFormat(MSG_NOT_REGISTERED, when="unregistered"),
            I18nFormat("\n<b>Members listed</b>:\n{members}", when="has_members"),
            Column(
                SwitchTo(
                    Label("➕ Add a member"),
                    id="add",
                    state=HouseholdSG.member_name,
                    when="registered",
                ),
                SwitchTo(
                    Label("🎓 Learning citizen self-assessment"),
                    id="citizen",
                    state=HouseholdSG.citizen,
                    when="has_adults",
                ),
                Start(Label("📊 My status"), id="status", state=StatusSG.show, when="registered"),
                Cancel(Label("🏠 Main menu")),
            ),
            UnexpectedText(),
            state=HouseholdSG.overview,
            getter=get_overview,
        ),
        Window(
            I18nFormat("👤 The member's <b>full name</b>? For example: Trần Thị Bình"),
            TextInput(
                id="member_name",
                type_factory=parse_person_name,
                on_success=on_member_name,
                on_error=on_input_error,
            ),
            Column(SwitchTo(Label("◀️ Back"), id="back", state=HouseholdSG.overview)),
            state=HouseholdSG.member_name,
        ),
        Window(
            I18nFormat("🎂 The member's <b>year of birth</b>? For example: 1985"),
            TextInput(
                id="member_year",
                type_factory=_birth_year,
                on_success=on_member_year,
                on_error=on_input_error,
            ),
            Column(SwitchTo(Label("◀️ Back"), id="back", state=HouseholdSG.member_name)),
            state=HouseholdSG.member_year,
        ),
        Window(
            I18nFormat("🎓 Who self-assesses as a “Learning citizen”? (adults only)"),
            Column(
                OfferedSelect(
                    Format("{item[1]}"),
                    id="member",
                    item_id_getter=lambda i: i[0],
                    items="adults",
                    on_click=on_citizen,
                ),
                SwitchTo(Label("◀️ Back"), id="back", state=HouseholdSG.overview),
            ),
            UnexpectedText(),
            state=HouseholdSG.citizen,
            getter=get_adults,
        ),
    )
