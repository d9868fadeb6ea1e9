"""The self-assessment: a question per screen with its progress, a review, submit and reopen."""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Select
from aiogram_dialog.widgets.text import Format

from bot.domain.parsers import parse_count
from dialogs.assessment import handlers as h
from dialogs.states import AssessmentSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, on_input_error


def _question(state: object) -> Window:
    return Window(
        I18nFormat("📋 <b>Question {number}/{count}</b> · {criterion}\n\n{question}"),
        I18nFormat("\n<i>{help}</i>", when="has_help"),
        I18nFormat("\nYour answer so far: <b>{answered}</b>", when="is_answered"),
        Column(
            Select(
                Format("{item[1]}"),
                id="answer",
                item_id_getter=lambda i: i[0],
                items="items",
                on_click=h.on_choice,
            ),
            when="is_choice",
        ),
        Group(
            Select(
                Format("{item[1]}"),
                id="num",
                item_id_getter=lambda i: i[0],
                items="items",
                on_click=h.on_choice,
            ),
            width=4,
            when="is_number",
        ),
        Column(
            Button(Label("◀️ Back"), id="back", on_click=h.on_back, when="has_back"),
            Cancel(Label("⏸ Finish later (answers are kept)")),
        ),
        TextInput(
            id="number",
            type_factory=parse_count,
            on_success=h.on_typed_number,
            on_error=on_input_error,
        ),
        state=state,  # type: ignore[arg-type]
        getter=h.get_question,
    )


def _review() -> Window:
    return Window(
        I18nFormat("📊 <b>Your self-assessment</b>\n\n{lines}\n\n<b>Total: {total}/{max}</b>"),
        I18nFormat("\n🔢 Figures the bot counted:\n{figures}", when="has_figures", escape=False),
        I18nFormat("✅ This reaches the “{title_name}” mark.", when="passed"),
        I18nFormat("🌟 Excellent!", when="excellent"),
        I18nFormat("❌ This does not reach the mark yet:\n{reasons}", when="failed"),
        I18nFormat("\n{missing} question(s) still to answer.", when="incomplete"),
        I18nFormat(
            "\nWhen everything is right, submit it to your hamlet head.",
            when=lambda data, *_: data["complete"] and data["to_hamlet_head"],
        ),
        I18nFormat(
            "\nWhen everything is right, submit it to the commune.",
            when=lambda data, *_: data["complete"] and data["to_commune"],
        ),
        Column(
            Button(
                Label("📤 Submit"),
                id="submit",
                on_click=h.on_submit,
                when=lambda data, *_: data["complete"] and data["to_hamlet_head"],
            ),
            Button(
                Label("📤 Submit to the commune"),
                id="submit_commune",
                on_click=h.on_submit,
                when=lambda data, *_: data["complete"] and data["to_commune"],
            ),
            Button(Label("✏️ Change answers"), id="change", on_click=h.on_change),
            Button(Label("◀️ Back"), id="back", on_click=h.on_review_back),
            Cancel(Label("⏸ Finish later (answers are kept)")),
        ),
        UnexpectedText(),
        state=AssessmentSG.review,
        getter=h.get_review,
    )


def _submitted() -> Window:
    return Window(
        I18nFormat(
            "📤 <b>Self-assessment submitted</b> on {when}.\n"
            "Total: <b>{total}/{max}</b>\nStatus: {status_label}"
        ),
        I18nFormat(
            "You can still take it back to change it, until your hamlet head "
            "confirms it or the deadline passes.",
            when=lambda data, *_: data["can_reopen"] and data["to_hamlet_head"],
        ),
        I18nFormat(
            "You can still take it back to change it, until the commune "
            "confirms it or the deadline passes.",
            when=lambda data, *_: data["can_reopen"] and data["to_commune"],
        ),
        Column(
            Button(
                Label("↩️ Take back to change"),
                id="reopen",
                on_click=h.on_reopen,
                when="can_reopen",
            ),
            Cancel(Label("🏠 Main menu")),
        ),
        UnexpectedText(),
        state=AssessmentSG.submitted,
        getter=h.get_submitted,
    )


def _closed() -> Window:
    return Window(
        I18nFormat("⏳ {why}"),
        Cancel(Label("🏠 Main menu")),
        UnexpectedText(),
        state=AssessmentSG.closed,
        getter=h.get_closed,
    )


def assessment_dialog() -> Dialog:
    return Dialog(
        _question(AssessmentSG.question),
        _question(AssessmentSG.ratio_part),
        _review(),
        _submitted(),
        _closed(),
        on_start=h.on_start,
    )
