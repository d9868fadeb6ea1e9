"""/broadcast: an officer picks who in their area gets a message (a group, for families a
status), types it, sees it as recipients will and how many they are, and sends it. The
sending goes on in the background; a message of its own shows the progress."""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from dialogs.commune.broadcast.choose import (
    get_groups,
    get_statuses,
    get_text,
    on_group,
    on_start,
    on_status,
    on_text,
    on_text_back,
    parse_text,
)
from dialogs.commune.broadcast.send import get_confirm, on_send
from dialogs.offered import Choices
from dialogs.states import BroadcastSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    on_input_error,
)


def group_window() -> Window:
    return Window(
        I18nFormat("📢 <b>A message to {area}</b>\nWho should receive it?"),
        Choices(on_group, widget_id="group"),
        Cancel(Label("⬅️ Back")),
        UnexpectedText(),
        state=BroadcastSG.group,
        getter=get_groups,
    )


def status_window() -> Window:
    return Window(
        I18nFormat("👨‍👩‍👧 Which families? Choose by where their registration for {year} stands."),
        Choices(on_status, widget_id="status"),
        SwitchTo(Label("⬅️ Back"), id="back", state=BroadcastSG.group),
        UnexpectedText(),
        state=BroadcastSG.status,
        getter=get_statuses,
    )


def text_window() -> Window:
    return Window(
        I18nFormat(
            "✍️ Type the message for <b>{audience}</b> in {area}.\n"
            "It is sent as you type it, at most {limit} characters."
        ),
        TextInput(id="text", type_factory=parse_text, on_success=on_text, on_error=on_input_error),
        UnexpectedText(),
        Column(
            SwitchTo(
                Label("▶️ Keep the message I typed"),
                id="keep",
                state=BroadcastSG.confirm,
                when="has_text",
            ),
            Button(Label("⬅️ Back"), id="back", on_click=on_text_back),
        ),
        state=BroadcastSG.text,
        getter=get_text,
    )


def confirm_window() -> Window:
    return Window(
        I18nFormat("👀 <b>Preview</b>: each person will receive this message.", when="some"),
        Format("\n{preview}\n", when="some"),
        I18nFormat("👥 {audience} in {area} · recipients: <b>{count}</b>", when="some"),
        I18nFormat(
            "😔 Nobody among {audience} in {area} can receive messages at the moment (nobody "
            "is on the bot yet, or they sent /stop or blocked it). Go back and choose other "
            "recipients.",
            when="none",
        ),
        Column(
            Button(
                Label("✅ Send now · recipients: {count}"),
                id="send",
                on_click=on_send,
                when="some",
            ),
            SwitchTo(Label("✏️ Change the text"), id="edit", state=BroadcastSG.text, when="some"),
            SwitchTo(Label("⬅️ Back"), id="back", state=BroadcastSG.group, when="none"),
            Cancel(Label("❌ Cancel, send nothing"), when="some"),
        ),
        UnexpectedText(),
        state=BroadcastSG.confirm,
        getter=get_confirm,
    )


def broadcast_dialog() -> Dialog:
    return Dialog(
        group_window(), status_window(), text_window(), confirm_window(), on_start=on_start
    )
