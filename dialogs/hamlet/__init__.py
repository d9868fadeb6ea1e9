"""The hamlet head's menu: households, assisted registration, pledges, verification, numbers,
reminders, export and the family link. (Being built: see issue 4.)"""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Cancel

from dialogs.states import HamletSG
from dialogs.widgets import I18nFormat, Label


def hamlet_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat("🏘 <b>My hamlet</b>"),
            Cancel(Label("⬅️ Back")),
            state=HamletSG.menu,
        )
    )
