"""A hamlet head registers a family without a smartphone, with its verbal consent; the family
gets a single-use claim code to link a phone of its own later."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.areas import place_label
from bot.domain.households import HouseholdForm, check_school_age
from bot.domain.parsers import (
    InputError,
    parse_count,
    parse_day,
    parse_person_name,
    parse_phone,
)
from bot.i18n import N_, day
from bot.services.areas import area_path
from bot.services.errors import ServiceError
from bot.services.hamlets import household_card, register_by_proxy
from bot.services.households import PhoneAlreadyRegistered, phone_in_use
from dialogs.states import ProxySG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    now,
    on_input_error,
    tell,
    this_year,
    today,
)

NUMBER_BUTTONS = 8
STEPS = [ProxySG.consent, ProxySG.name, ProxySG.phone, ProxySG.members, ProxySG.school_age]
EDITS = {
    "edit_consent": ProxySG.consent,
    "edit_name": ProxySG.name,
    "edit_phone": ProxySG.phone,
    "edit_members": ProxySG.members,
    "edit_children": ProxySG.school_age,
}
MSG_DAY_FUTURE = N_("This date is in the future. Please type the day the family agreed.")
MSG_PHONE_TAKEN = N_(
    "☎️ A family in this hamlet is already registered with this phone number. "
    "It may be the same family: check the hamlet's list. Otherwise type another number."
)


def check_not_future(typed: date, local_today: date) -> date:
    if typed > local_today:
        raise InputError(MSG_DAY_FUTURE)
    return typed


def _uow(manager: DialogManager) -> Any:
    return manager.middleware_data["uow"]


def _zone(manager: DialogManager) -> Any:
    return manager.middleware_data["settings"].zone


def _noon(day_: date, zone: Any) -> datetime:
    """A past day as a moment: its local noon, in UTC."""
    return datetime.combine(day_, time(12), tzinfo=zone).astimezone(UTC)


async def get_step(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    state = dialog_manager.current_context().state
    editing = bool(dialog_manager.dialog_data.get("_editing"))
    return {"step": STEPS.index(state) + 1, "steps": len(STEPS), "editing": editing}


async def get_numbers(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    step = await get_step(dialog_manager)
    if dialog_manager.current_context().state == ProxySG.members:
        numbers = range(1, NUMBER_BUTTONS + 1)
    else:
        numbers = range(min(dialog_manager.dialog_data.get("members", 1), NUMBER_BUTTONS) + 1)
    return {"numbers": [str(n) for n in numbers], **step}


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


async def _next(manager: DialogManager, state: Any) -> None:
    """Go on to `state`, or back to the summary when one answer was being changed."""
    data = manager.dialog_data
    complete = all(data.get(k) for k in ("consent", "name", "phone", "members"))
    if data.get("_editing") and complete and data.get("school_age") is not None:
        data["_editing"] = False
        await manager.switch_to(ProxySG.summary)
        return
    await manager.switch_to(state)


async def _agreed(manager: DialogManager, at: datetime) -> None:
    manager.dialog_data["consent"] = at.isoformat()
    await _next(manager, ProxySG.name)


async def on_day_button(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    yesterday = today(manager) - timedelta(days=1)
    await _agreed(
        manager, now() if button.widget_id == "today" else _noon(yesterday, _zone(manager))
    )


async def on_day_typed(message: Message, _: Any, manager: DialogManager, typed: date) -> None:
    try:
        check_not_future(typed, today(manager))
    except InputError as error:
        await tell(manager, message, error)
        return
    await _agreed(manager, now() if typed == today(manager) else _noon(typed, _zone(manager)))


async def on_name(_: Message, __: Any, manager: DialogManager, name: str) -> None:
    manager.dialog_data["name"] = name
    await _next(manager, ProxySG.phone)


async def on_phone(message: Message, _: Any, manager: DialogManager, phone: str) -> None:
    if await phone_in_use(_uow(manager), manager.dialog_data["hamlet"], phone):
        await tell(manager, message, ServiceError(MSG_PHONE_TAKEN))
        return
    manager.dialog_data["phone"] = phone
    await _next(manager, ProxySG.members)


async def on_members(event: Any, _: Any, manager: DialogManager, value: Any) -> None:
    try:
        members = parse_count(str(value), minimum=1)
    except InputError as error:
        await tell(manager, event, error)
        return
    data = manager.dialog_data
    data["members"] = members
    if data.get("school_age") is not None and data["school_age"] > members:
        data["school_age"] = None
        data["_editing"] = False  # the children's number must be asked again
    await _next(manager, ProxySG.school_age)


async def on_school_age(event: Any, _: Any, manager: DialogManager, value: Any) -> None:
    try:
        school_age = check_school_age(
            manager.dialog_data.get("members", 0), parse_count(str(value))
        )
    except InputError as error:
        await tell(manager, event, error)
        return
    manager.dialog_data["school_age"] = school_age
    await _next(manager, ProxySG.summary)


async def on_edit(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data["_editing"] = True
    await manager.switch_to(EDITS[str(button.widget_id)])


async def on_confirm(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    form = HouseholdForm(
        hamlet_code=data["hamlet"],
        head_name=data["name"],
        phone=data["phone"],
        members_count=data["members"],
        school_age_count=data["school_age"],
        commitments=(),
    )
    agreed = datetime.fromisoformat(data["consent"])
    try:
        household, _registration = await register_by_proxy(
            _uow(manager), acting_user(manager), form, agreed, year=this_year(manager), now=now()
        )
    except PhoneAlreadyRegistered:
        data.update({"phone": None, "_editing": True})
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


def _step() -> I18nFormat:
    return I18nFormat("<i>Step {step}/{steps}</i>")


def _leave() -> Cancel:
    return Cancel(Label("🏘 My hamlet"))


def _back(state: Any) -> Column:
    return Column(SwitchTo(Label("◀️ Back"), id="back", state=state), _leave())


def _numbers(on_click: Any) -> Group:
    return Group(
        Select(Format("{item}"), id="n", item_id_getter=str, items="numbers", on_click=on_click),
        width=4,
    )


def _consent() -> Window:
    return Window(
        _step(),
        I18nFormat(
            "🤝 <b>The family's agreement</b>\n"
            "Before you register a family, tell them what the bot keeps: the name of the head "
            "of household, a phone number, the number of members and of school-age children. "
            "Why: so that the hamlet and the commune can recognise the “Learning family” "
            "title. Register them only if they agree.\n\n"
            "When did the family agree? Press a button, or type the date "
            "(for example 25/03/2025)."
        ),
        Column(
            Button(Label("📅 Today"), id="today", on_click=on_day_button),
            Button(Label("📅 Yesterday"), id="yesterday", on_click=on_day_button),
            SwitchTo(Label("◀️ Back"), id="back", state=ProxySG.summary, when="editing"),
            Cancel(Label("⬅️ Back"), when=lambda d, _w, _m: not d["editing"]),
        ),
        TextInput(
            id="day", type_factory=parse_day, on_success=on_day_typed, on_error=on_input_error
        ),
        state=ProxySG.consent,
        getter=get_step,
    )


def _name() -> Window:
    return Window(
        _step(),
        I18nFormat(
            "👤 What is the <b>full name</b> of the head of household?\n"
            "Type it, for example: Nguyễn Văn An"
        ),
        TextInput(
            id="name", type_factory=parse_person_name, on_success=on_name, on_error=on_input_error
        ),
        _back(ProxySG.consent),
        state=ProxySG.name,
        getter=get_step,
    )


def _phone() -> Window:
    return Window(
        _step(),
        I18nFormat("📱 The family's <b>phone number</b>?\nType it, for example: 0912 345 678"),
        TextInput(
            id="phone", type_factory=parse_phone, on_success=on_phone, on_error=on_input_error
        ),
        _back(ProxySG.name),
        state=ProxySG.phone,
        getter=get_step,
    )


def _members() -> Window:
    return Window(
        _step(),
        I18nFormat(
            "👨‍👩‍👧 How many people live in this household, the head included?\n"
            "Press a number, or type it."
        ),
        _numbers(on_members),
        TextInput(id="members", type_factory=str, on_success=on_members),
        _back(ProxySG.phone),
        state=ProxySG.members,
        getter=get_numbers,
    )


def _school_age() -> Window:
    return Window(
        _step(),
        I18nFormat("🎒 How many of them are <b>children of school age</b> (6 to 14)?"),
        _numbers(on_school_age),
        TextInput(id="school_age", type_factory=str, on_success=on_school_age),
        _back(ProxySG.members),
        state=ProxySG.school_age,
        getter=get_numbers,
    )


def _summary() -> Window:
    return Window(
        I18nFormat(
            "📋 <b>Please check with the family</b>\n"
            "📍 Place: {place}\n"
            "🤝 Agreed on: {consent}\n"
            "👤 Head of household: {name}\n"
            "📱 Phone: {phone}\n"
            "👨‍👩‍👧 Members: {members}\n"
            "🎒 School-age children: {school_age}\n\n"
            "Is everything right? Press a line to change it."
        ),
        Group(
            Button(Label("✏️ Agreement date"), id="edit_consent", on_click=on_edit),
            Button(Label("✏️ Name"), id="edit_name", on_click=on_edit),
            Button(Label("✏️ Phone"), id="edit_phone", on_click=on_edit),
            Button(Label("✏️ Members"), id="edit_members", on_click=on_edit),
            Button(Label("✏️ Children"), id="edit_children", on_click=on_edit),
            width=2,
        ),
        Column(Button(Label("✅ Confirm and register"), id="confirm", on_click=on_confirm)),
        _back(ProxySG.school_age),
        UnexpectedText(),
        state=ProxySG.summary,
        getter=get_summary,
    )


def _done() -> Window:
    return Window(
        I18nFormat("✅ <b>The family of {name} is registered for {year}.</b>"),
        I18nFormat(
            "Their claim code:\n\n<b>{code}</b>\n\n"
            "Write it down for the family. When someone in the family has a smartphone, they "
            "open this bot, press /start, then “🔗 I have a household code”, and type the code. "
            "It works once.",
            when="unclaimed",
        ),
        Column(
            Button(Label("📝 Register another family"), id="another", on_click=on_another),
            _leave(),
        ),
        UnexpectedText(),
        state=ProxySG.done,
        getter=get_done,
    )


def proxy_dialog() -> Dialog:
    return Dialog(
        _consent(),
        _name(),
        _phone(),
        _members(),
        _school_age(),
        _summary(),
        _done(),
        on_start=on_start,
    )
