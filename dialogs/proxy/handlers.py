"""Getters and handlers of a hamlet head's registration of a family; the windows are in
__init__."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from bot.domain.areas import place_label
from bot.domain.households import check_school_age
from bot.domain.parsers import InputError, parse_count
from bot.i18n import N_, day
from bot.services.areas import area_path
from bot.services.errors import ServiceError
from bot.services.hamlets import household_card, register_by_proxy
from bot.services.households import PhoneAlreadyRegistered, phone_in_use
from dialogs.days import pressed_day
from dialogs.household_form import (
    EDITING,
    Questions,
    household_form,
    number_choices,
    set_members,
)
from dialogs.states import ProxySG
from dialogs.widgets import acting_user, now, tell, this_year, today, uow_of

STEPS = [ProxySG.consent, ProxySG.name, ProxySG.phone, ProxySG.members, ProxySG.school_age]
EDITS = {
    "edit_consent": ProxySG.consent,
    "edit_name": ProxySG.name,
    "edit_phone": ProxySG.phone,
    "edit_members": ProxySG.members,
    "edit_children": ProxySG.school_age,
}
QUESTIONS = Questions(ProxySG.summary, EDITS, required=("consent", "name", "phone", "members"))
MSG_DAY_FUTURE = N_("This date is in the future. Please type the day the family agreed.")
MSG_PHONE_TAKEN = N_(
    "☎️ A family in this hamlet is already registered with this phone number. "
    "It may be the same family: check the hamlet's list. Otherwise type another number."
)


def check_not_future(typed: date, local_today: date) -> date:
    if typed > local_today:
        raise InputError(MSG_DAY_FUTURE)
    return typed


def _zone(manager: DialogManager) -> Any:
    return manager.middleware_data["settings"].zone


def _noon(day_: date, zone: Any) -> datetime:
    """A past day as a moment: its local noon, in UTC."""
    return datetime.combine(day_, time(12), tzinfo=zone).astimezone(UTC)


async def get_step(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    state = dialog_manager.current_context().state
    editing = bool(dialog_manager.dialog_data.get(EDITING))
    return {"step": STEPS.index(state) + 1, "steps": len(STEPS), "editing": editing}


async def get_numbers(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    asking_members = dialog_manager.current_context().state == ProxySG.members
    numbers = number_choices(dialog_manager.dialog_data, members=asking_members)
    return {"numbers": numbers, **await get_step(dialog_manager)}


async def get_summary(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    agreed = datetime.fromisoformat(data["consent"]).astimezone(_zone(dialog_manager)).date()
    locale = dialog_manager.middleware_data["i18n"].current_locale
    return {
        "place": place_label(await area_path(uow, data["hamlet"])),
        "consent": day(agreed, locale),
        "name": data.get("name", ""),
        "phone": data.get("phone", ""),
        "members": data.get("members", 0),
        "school_age": data.get("school_age", 0),
    }


async def get_done(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    card = await household_card(
        uow, acting_user(dialog_manager), dialog_manager.dialog_data["_household"], now()
    )
    code = card.household.claim_code or ""
    return {
        "name": card.household.head_name or "",
        "code": " ".join(code),  # spaced, to read aloud letter by letter
        "unclaimed": bool(code),
        "year": this_year(dialog_manager),
    }


async def on_start(start_data: Any, manager: DialogManager) -> None:
    manager.dialog_data["hamlet"] = str((start_data or {}).get("hamlet", ""))


async def _agreed_on(manager: DialogManager, day_: date) -> None:
    """The family agreed on `day_`: now if that is today, else at its local noon."""
    at = now() if day_ == today(manager) else _noon(day_, _zone(manager))
    manager.dialog_data["consent"] = at.isoformat()
    await QUESTIONS.next(manager, ProxySG.name)


async def on_day_button(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _agreed_on(manager, pressed_day(manager, button))


async def on_day_typed(message: Message, _: Any, manager: DialogManager, typed: date) -> None:
    try:
        check_not_future(typed, today(manager))
    except InputError as error:
        await tell(manager, message, error)
        return
    await _agreed_on(manager, typed)


async def on_name(_: Message, __: Any, manager: DialogManager, name: str) -> None:
    manager.dialog_data["name"] = name
    await QUESTIONS.next(manager, ProxySG.phone)


async def on_phone(message: Message, _: Any, manager: DialogManager, phone: str) -> None:
    if await phone_in_use(uow_of(manager), manager.dialog_data["hamlet"], phone):
        await tell(manager, message, ServiceError(MSG_PHONE_TAKEN))
        return
    manager.dialog_data["phone"] = phone
    await QUESTIONS.next(manager, ProxySG.members)


async def on_members(event: Any, _: Any, manager: DialogManager, value: Any) -> None:
    try:
        members = parse_count(str(value), minimum=1)
    except InputError as error:
        await tell(manager, event, error)
        return
    set_members(manager.dialog_data, members)
    await QUESTIONS.next(manager, ProxySG.school_age)


async def on_school_age(event: Any, _: Any, manager: DialogManager, value: Any) -> None:
    try:
        school_age = check_school_age(
            manager.dialog_data.get("members", 0), parse_count(str(value))
        )
    except InputError as error:
        await tell(manager, event, error)
        return
    manager.dialog_data["school_age"] = school_age
    await QUESTIONS.next(manager, ProxySG.summary)


on_edit = QUESTIONS.on_edit


async def on_confirm(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    agreed = datetime.fromisoformat(data["consent"])
    try:
        household, _registration = await register_by_proxy(
            uow_of(manager),
            acting_user(manager),
            household_form(data),
            agreed,
            year=this_year(manager),
            now=now(),
        )
    except PhoneAlreadyRegistered:
        data.update({"phone": None, EDITING: True})
        await tell(manager, callback, ServiceError(MSG_PHONE_TAKEN))
        manager.show_mode = ShowMode.SEND
        await manager.switch_to(ProxySG.phone)
        return
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    hamlet = data["hamlet"]
    data.clear()
    data.update({"hamlet": hamlet, "_household": household.id})
    await manager.switch_to(ProxySG.done)


async def on_another(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    hamlet = manager.dialog_data["hamlet"]
    manager.dialog_data.clear()
    manager.dialog_data["hamlet"] = hamlet
    await manager.switch_to(ProxySG.consent)
