"""The family registers: place, head of household, phone, members, children, pledge."""

from __future__ import annotations

from aiogram.enums import ContentType
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Cancel,
    Column,
    Group,
    RequestContact,
    Select,
    Start,
    SwitchTo,
)
from aiogram_dialog.widgets.markup.reply_keyboard import ReplyKeyboardFactory
from aiogram_dialog.widgets.text import Format

from bot.domain.parsers import parse_count, parse_person_name, parse_phone
from bot.i18n import N_
from dialogs.drafts import stash_on_leave
from dialogs.registration import handlers as h
from dialogs.states import AreaSG, RegistrationSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, on_input_error

PLEDGE_TEXT = N_(
    "🤝 <b>Our pledge for {year}</b>: our family strives to become a “Learning family”. "
    "We commit to (choose one or more):"
)


def _step() -> I18nFormat:
    return I18nFormat("<i>Step {step}/{steps}</i>")


def commitment_choices() -> Column:
    """The pledge's commitments as toggles, for a registration and for a new year's pledge."""
    return Column(
        Select(
            Format("{item[1]}"),
            id="commitment",
            item_id_getter=lambda i: i[0],
            items="items",
            on_click=h.on_commitment,
        ),
    )


def _back(state: object) -> SwitchTo:
    return SwitchTo(Label("◀️ Back"), id="back", state=state)  # type: ignore[arg-type]


def _numbers(on_click: object) -> Group:
    return Group(
        Select(Format("{item}"), id="n", item_id_getter=str, items="numbers", on_click=on_click),  # type: ignore[arg-type]
        width=4,
    )


def _resume() -> Window:
    return Window(
        I18nFormat("📝 You started registering your family earlier. Continue where you left off?"),
        Column(
            Button(Label("▶️ Continue"), id="continue", on_click=h.on_continue),
            Button(Label("🔄 Start over"), id="restart", on_click=h.on_restart),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=RegistrationSG.resume,
    )


def _place() -> Window:
    return Window(
        I18nFormat("📍 Your family lives in: <b>{place}</b>.\nIs that right?", when="has_place"),
        I18nFormat(
            "📍 First, choose the commune and hamlet where your family lives.", when="no_place"
        ),
        Column(
            Button(
                Label("✅ Yes, that is right"),
                id="place_ok",
                on_click=h.on_place_ok,
                when="has_place",
            ),
            Start(Label("📍 Choose commune and hamlet"), id="choose", state=AreaSG.province),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=RegistrationSG.place,
        getter=h.get_place,
    )


def _name() -> Window:
    return Window(
        _step(),
        I18nFormat(
            "👤 What is the <b>full name</b> of the head of household?\n"
            "Type it, for example: Nguyễn Văn An"
        ),
        TextInput(
            id="name",
            type_factory=parse_person_name,
            on_success=h.on_name,
            on_error=on_input_error,
        ),
        Column(_back(RegistrationSG.place), Cancel(Label("🏠 Main menu"))),
        state=RegistrationSG.name,
        getter=h.get_step,
    )


def _phone() -> Window:
    return Window(
        _step(),
        I18nFormat(
            "📱 Your family's <b>phone number</b>?\n"
            "Press “Share my phone number” below, or type it (for example 0912 345 678)."
        ),
        RequestContact(Label("📱 Share my phone number")),
        _back(RegistrationSG.name),
        Cancel(Label("🏠 Main menu")),
        MessageInput(h.on_contact, content_types=[ContentType.CONTACT]),
        TextInput(
            id="phone", type_factory=parse_phone, on_success=h.on_phone, on_error=on_input_error
        ),
        markup_factory=ReplyKeyboardFactory(resize_keyboard=True, one_time_keyboard=True),
        state=RegistrationSG.phone,
        getter=h.get_step,
    )


def _duplicate() -> Window:
    return Window(
        I18nFormat(
            "☎️ A family in this hamlet is already registered with this phone number.\n"
            "If it is your family, you do not need to register again: ask them for the "
            "<b>household code</b> (they see it under “My household”) and link this phone."
        ),
        Column(
            Button(Label("🔗 I have the household code"), id="link", on_click=h.on_link_instead),
            SwitchTo(Label("📞 Type another number"), id="other", state=RegistrationSG.phone),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=RegistrationSG.duplicate,
    )


def _members() -> Window:
    return Window(
        _step(),
        I18nFormat(
            "👨‍👩‍👧 How many people live in your household, you included?\n"
            "Press a number, or type it."
        ),
        _numbers(h.on_members),
        TextInput(
            id="members",
            type_factory=lambda t: parse_count(t, minimum=1),
            on_success=h.on_members,
            on_error=on_input_error,
        ),
        Column(_back(RegistrationSG.phone), Cancel(Label("🏠 Main menu"))),
        state=RegistrationSG.members,
        getter=h.get_numbers,
    )


def _school_age() -> Window:
    return Window(
        _step(),
        I18nFormat("🎒 How many of them are <b>children of school age</b> (6 to 14)?"),
        _numbers(h.on_school_age),
        TextInput(
            id="school_age",
            type_factory=parse_count,
            on_success=h.on_school_age,
            on_error=on_input_error,
        ),
        Column(_back(RegistrationSG.members), Cancel(Label("🏠 Main menu"))),
        state=RegistrationSG.school_age,
        getter=h.get_numbers,
    )


def _pledge() -> Window:
    return Window(
        _step(),
        I18nFormat(PLEDGE_TEXT),
        commitment_choices(),
        Column(
            Button(Label("▶️ Next"), id="pledged", on_click=h.on_pledge_done, when="any_chosen"),
            _back(RegistrationSG.school_age),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=RegistrationSG.pledge,
        getter=h.get_pledge,
    )


def _summary() -> Window:
    return Window(
        I18nFormat(
            "📋 <b>Please check</b>\n"
            "📍 Place: {place}\n"
            "👤 Head of household: {name}\n"
            "📱 Phone: {phone}\n"
            "👨‍👩‍👧 Members: {members}\n"
            "🎒 School-age children: {school_age}\n"
            "🤝 Pledge for {year}:\n{pledge}\n\n"
            "Is everything right? Press a line to change it."
        ),
        Group(
            Button(Label("✏️ Place"), id="edit_place", on_click=h.on_edit),
            Button(Label("✏️ Name"), id="edit_name", on_click=h.on_edit),
            Button(Label("✏️ Phone"), id="edit_phone", on_click=h.on_edit),
            Button(Label("✏️ Members"), id="edit_members", on_click=h.on_edit),
            Button(Label("✏️ Children"), id="edit_children", on_click=h.on_edit),
            Button(Label("✏️ Pledge"), id="edit_pledge", on_click=h.on_edit),
            width=2,
        ),
        Column(
            Button(Label("✅ Confirm and register"), id="confirm", on_click=h.on_confirm),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=RegistrationSG.summary,
        getter=h.get_summary,
    )


def _done() -> Window:
    return Window(
        I18nFormat(
            "🎉 <b>Your family is registered for {year}!</b>\n\n"
            "Your household code: <b>{code}</b>\n"
            "Other members of the family can use it to follow the household on their own "
            "phones (menu → “I have a household code”).\n\n"
            "At the end of the year, answer the self-assessment from the menu."
        ),
        Cancel(Label("🏠 Main menu"), result="registered"),
        UnexpectedText(),
        state=RegistrationSG.done,
        getter=h.get_done,
    )


def registration_dialog() -> Dialog:
    return Dialog(
        _place(),
        _resume(),
        _name(),
        _phone(),
        _duplicate(),
        _members(),
        _school_age(),
        _pledge(),
        _summary(),
        _done(),
        on_start=h.on_start,
        on_close=stash_on_leave,
        on_process_result=h.on_area_chosen,
    )
