"""👥 Clans and units, for families and the people who register a clan or a unit: the
family's clan, the groups the user represents with their self-assessment, registering a clan
or a unit, and a member's learning-citizen self-assessment counted for a unit."""

from __future__ import annotations

from aiogram_dialog import Dialog

from dialogs.groups.cards import clan_window, unit_window
from dialogs.groups.clan import clan_dialog
from dialogs.groups.count import code_window, counted_window, member_window
from dialogs.groups.menu import leave_window, menu_window
from dialogs.groups.unit import unit_dialog

__all__ = ["clan_dialog", "groups_dialog", "unit_dialog"]


def groups_dialog() -> Dialog:
    return Dialog(
        menu_window(),
        leave_window(),
        clan_window(),
        unit_window(),
        member_window(),
        code_window(),
        counted_window(),
    )
