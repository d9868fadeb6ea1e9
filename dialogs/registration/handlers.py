"""Getters and handlers of the family's registration; the windows are in __init__."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, StartMode
from aiogram_dialog.widgets.kbd import Button

from bot.domain.areas import place_label
from bot.domain.households import COMMITMENTS, check_school_age
from bot.domain.parsers import InputError, parse_phone
from bot.services.areas import area_path, home_area_path
from bot.services.drafts import discard_draft, load_draft
from bot.services.errors import ServiceError
from bot.services.households import PhoneAlreadyRegistered, phone_in_use, register_household
from dialogs.household_form import Questions, household_form, number_choices, set_members
from dialogs.states import LinkSG, RegistrationSG
from dialogs.widgets import current_user_id, now, tell, this_year, uow_of

DRAFT = "RegistrationSG"
# The field each summary edit button changes, and the question that asks it.
EDITS = {
    "edit_place": RegistrationSG.place,
    "edit_name": RegistrationSG.name,
    "edit_phone": RegistrationSG.phone,
    "edit_members": RegistrationSG.members,
    "edit_children": RegistrationSG.school_age,
    "edit_pledge": RegistrationSG.pledge,
}
QUESTIONS = Questions(
    RegistrationSG.summary, EDITS, required=("hamlet", "name", "phone", "members", "commitments")
)


async def on_start(start_data: Any, manager: DialogManager) -> None:
    linked_hamlet = (start_data or {}).get("hamlet")
    draft = await load_draft(uow_of(manager), current_user_id(manager), DRAFT)
    if draft:
        manager.dialog_data.update(draft)
    if linked_hamlet:  # an invite from the hamlet head: the area questions are answered
        manager.dialog_data["hamlet"] = linked_hamlet
    elif not manager.dialog_data.get("hamlet"):
        path = await home_area_path(uow_of(manager), current_user_id(manager))
        if path and path[-1].level in ("hamlet", "commune"):
            manager.dialog_data["hamlet"] = path[-1].code
            manager.dialog_data["_auto"] = ["hamlet"]
    if draft:
        await manager.switch_to(RegistrationSG.resume)
    elif linked_hamlet:
        await manager.switch_to(RegistrationSG.name)


async def get_place(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    code = dialog_manager.dialog_data.get("hamlet")
    path = await area_path(uow, code) if code else []
    return {"place": place_label(path), "has_place": bool(path), "no_place": not path}


async def get_numbers(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    state = dialog_manager.current_context().state
    numbers = number_choices(dialog_manager.dialog_data, members=state == RegistrationSG.members)
    return {"numbers": numbers, **_progress(state)}


async def get_pledge(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    chosen = set(dialog_manager.dialog_data.get("commitments", []))
    items = [
        (key, ("✅ " if key in chosen else "⬜ ") + gettext(msgid))
        for key, msgid in COMMITMENTS.items()
    ]
    return {
        "items": items,
        "any_chosen": bool(chosen),
        "year": this_year(dialog_manager),
        **_progress(RegistrationSG.pledge),
    }


async def get_summary(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    path = await area_path(uow, data["hamlet"]) if data.get("hamlet") else []
    pledged = [gettext(COMMITMENTS[key]) for key in data.get("commitments", [])]
    return {
        "place": place_label(path),
        "name": data.get("name", ""),
        "phone": data.get("phone", ""),
        "members": data.get("members", 0),
        "school_age": data.get("school_age", 0),
        "pledge": "\n".join(f"• {line}" for line in pledged),
        "year": this_year(dialog_manager),
    }


async def get_done(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"code": dialog_manager.dialog_data.get("_code", ""), "year": this_year(dialog_manager)}


def _progress(state: Any) -> dict[str, Any]:
    steps = [
        RegistrationSG.name,
        RegistrationSG.phone,
        RegistrationSG.members,
        RegistrationSG.school_age,
        RegistrationSG.pledge,
    ]
    return {"step": steps.index(state) + 1 if state in steps else 0, "steps": len(steps)}


async def get_step(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return _progress(dialog_manager.current_context().state)


async def on_place_ok(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data["_auto"] = []
    await QUESTIONS.next(manager, RegistrationSG.name)


async def on_area_chosen(_: Any, result: Any, manager: DialogManager) -> None:
    if result != "saved":
        return
    path = await home_area_path(uow_of(manager), current_user_id(manager))
    if path:
        if path[-1].code != manager.dialog_data.get("hamlet") and manager.dialog_data.get("phone"):
            manager.dialog_data["phone"] = None  # a phone is checked against its hamlet
        manager.dialog_data.update({"hamlet": path[-1].code, "_auto": []})
        await QUESTIONS.next(manager, RegistrationSG.name)


async def on_name(_: Message, __: Any, manager: DialogManager, name: str) -> None:
    manager.dialog_data["name"] = name
    await QUESTIONS.next(manager, RegistrationSG.phone)


async def on_phone(message: Message, _: Any, manager: DialogManager, phone: str) -> None:
    if await phone_in_use(uow_of(manager), manager.dialog_data["hamlet"], phone):
        manager.dialog_data["phone"] = None
        await manager.switch_to(RegistrationSG.duplicate)
        return
    manager.dialog_data["phone"] = phone
    await QUESTIONS.next(manager, RegistrationSG.members)


async def on_contact(message: Message, widget: Any, manager: DialogManager) -> None:
    shared = message.contact.phone_number if message.contact else ""
    try:
        phone = parse_phone(shared)
    except InputError as error:
        await tell(manager, message, error)
        return
    await on_phone(message, widget, manager, phone)


async def on_members(event: Any, _: Any, manager: DialogManager, value: Any) -> None:
    members = int(value)
    if not 1 <= members <= 30:
        return
    set_members(manager.dialog_data, members)
    await QUESTIONS.next(manager, RegistrationSG.school_age)


async def on_school_age(event: Any, _: Any, manager: DialogManager, value: Any) -> None:
    try:
        school_age = check_school_age(manager.dialog_data.get("members", 0), int(value))
    except InputError as error:
        await tell(manager, event, error)
        return
    manager.dialog_data["school_age"] = school_age
    await QUESTIONS.next(manager, RegistrationSG.pledge)


async def on_commitment(_: CallbackQuery, __: Any, manager: DialogManager, key: str) -> None:
    chosen = list(manager.dialog_data.get("commitments", []))
    if key in COMMITMENTS:
        chosen = [k for k in chosen if k != key] if key in chosen else [*chosen, key]
    manager.dialog_data["commitments"] = [k for k in COMMITMENTS if k in chosen]


async def on_pledge_done(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data["_editing"] = False
    await manager.switch_to(RegistrationSG.summary)


on_edit = QUESTIONS.on_edit


async def on_confirm(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    uow = uow_of(manager)
    try:
        household, _registration = await register_household(
            uow, callback.from_user.id, household_form(data), year=this_year(manager), now=now()
        )
    except PhoneAlreadyRegistered:
        data["phone"] = None
        await manager.switch_to(RegistrationSG.duplicate)
        return
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    await discard_draft(uow, callback.from_user.id, DRAFT)
    data.clear()
    data["_code"] = household.code
    await manager.switch_to(RegistrationSG.done)


async def on_link_instead(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await discard_draft(uow_of(manager), callback.from_user.id, DRAFT)
    await manager.start(LinkSG.code, mode=StartMode.RESET_STACK)


async def on_continue(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    order = [
        ("hamlet", RegistrationSG.place),
        ("name", RegistrationSG.name),
        ("phone", RegistrationSG.phone),
        ("members", RegistrationSG.members),
        ("school_age", RegistrationSG.school_age),
        ("commitments", RegistrationSG.pledge),
    ]
    missing = next((state for key, state in order if data.get(key) in (None, "", [])), None)
    await manager.switch_to(missing or RegistrationSG.summary)


async def on_restart(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await discard_draft(uow_of(manager), callback.from_user.id, DRAFT)
    hamlet = manager.dialog_data.get("hamlet")
    manager.dialog_data.clear()
    if hamlet:
        manager.dialog_data.update({"hamlet": hamlet, "_auto": ["hamlet"]})
    await manager.switch_to(RegistrationSG.place)
