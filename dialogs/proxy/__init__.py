"""A hamlet head registers a family without a smartphone, with its verbal consent; the family
gets a single-use claim code to link a phone of its own later."""

from __future__ import annotations

from functools import partial
from typing import Any

from aiogram.fsm.state import State
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.parsers import parse_count, parse_day, parse_person_name, parse_phone
from bot.i18n import N_
from dialogs.proxy import handlers as h
from dialogs.states import ProxySG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, on_input_error


def _step() -> I18nFormat:
    return I18nFormat("<i>Step {step}/{steps}</i>")


def _leave() -> Cancel:
    return Cancel(Label("🏘 My hamlet"))


def _back(state: State) -> Column:
    return Column(SwitchTo(Label("◀️ Back"), id="back", state=state), _leave())


def _question(state: State, question: str, *answers: Any, getter: Any = h.get_step) -> Window:
    """A step after the first: its number, the question, the ways to answer, Back."""
    previous = h.STEPS[h.STEPS.index(state) - 1]
    return Window(
        _step(), I18nFormat(question), *answers, _back(previous), state=state, getter=getter
    )


def _number(widget_id: str, on_value: Any, minimum: int = 0) -> tuple[Group, TextInput[int]]:
    """A number pressed or typed; `on_value` checks it. A typed one is parsed first, so that
    a refused one is not kept as the widget's data."""
    return (
        Group(
            Select(
                Format("{item}"), id="n", item_id_getter=str, items="numbers", on_click=on_value
            ),
            width=4,
        ),
        TextInput(
            id=widget_id,
            type_factory=partial(parse_count, minimum=minimum),
            on_success=on_value,
            on_error=on_input_error,
        ),
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
            Button(Label("📅 Today"), id="today", on_click=h.on_day_button),
            Button(Label("📅 Yesterday"), id="yesterday", on_click=h.on_day_button),
            SwitchTo(Label("◀️ Back"), id="back", state=ProxySG.summary, when="editing"),
            Cancel(Label("⬅️ Back"), when=lambda d, _w, _m: not d["editing"]),
        ),
        TextInput(
            id="day", type_factory=parse_day, on_success=h.on_day_typed, on_error=on_input_error
        ),
        state=ProxySG.consent,
        getter=h.get_step,
    )


def _name() -> Window:
    return _question(
        ProxySG.name,
        N_(
            "👤 What is the <b>full name</b> of the head of household?\n"
            "Type it, for example: Nguyễn Văn An"
        ),
        TextInput(
            id="name",
            type_factory=parse_person_name,
            on_success=h.on_name,
            on_error=on_input_error,
        ),
    )


def _phone() -> Window:
    return _question(
        ProxySG.phone,
        N_("📱 The family's <b>phone number</b>?\nType it, for example: 0912 345 678"),
        TextInput(
            id="phone", type_factory=parse_phone, on_success=h.on_phone, on_error=on_input_error
        ),
    )


def _members() -> Window:
    return _question(
        ProxySG.members,
        N_(
            "👨‍👩‍👧 How many people live in this household, the head included?\n"
            "Press a number, or type it."
        ),
        *_number("members", h.on_members, minimum=1),
        getter=h.get_numbers,
    )


def _school_age() -> Window:
    return _question(
        ProxySG.school_age,
        N_("🎒 How many of them are <b>children of school age</b> (6 to 14)?"),
        *_number("school_age", h.on_school_age),
        getter=h.get_numbers,
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
            Button(Label("✏️ Agreement date"), id="edit_consent", on_click=h.on_edit),
            Button(Label("✏️ Name"), id="edit_name", on_click=h.on_edit),
            Button(Label("✏️ Phone"), id="edit_phone", on_click=h.on_edit),
            Button(Label("✏️ Members"), id="edit_members", on_click=h.on_edit),
            Button(Label("✏️ Children"), id="edit_children", on_click=h.on_edit),
            width=2,
        ),
        Column(Button(Label("✅ Confirm and register"), id="confirm", on_click=h.on_confirm)),
        _back(h.STEPS[-1]),
        UnexpectedText(),
        state=ProxySG.summary,
        getter=h.get_summary,
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
            Button(Label("📝 Register another family"), id="another", on_click=h.on_another),
            _leave(),
        ),
        UnexpectedText(),
        state=ProxySG.done,
        getter=h.get_done,
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
        on_start=h.on_start,
    )
