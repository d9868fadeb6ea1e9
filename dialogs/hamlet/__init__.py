"""The hamlet head's menu: households, assisted registration, pledges, verification, numbers,
reminders, export and the family link."""

from __future__ import annotations

from aiogram_dialog import Dialog

from dialogs.hamlet import card, decisions, files, households, meeting, menu, remind, verify


def hamlet_dialog() -> Dialog:
    return Dialog(
        menu.menu_window(),
        households.households_window(),
        households.search_window(),
        card.card_window(),
        meeting.pledges_window(),
        meeting.date_window(),
        verify.waiting_window(),
        verify.assessment_window(),
        decisions.comment_window(),
        menu.numbers_window(),
        remind.remind_window(),
        files.link_window(),
        on_start=menu.on_start,
    )
