"""A hamlet head registers a family without a smartphone, with its verbal consent; the family
gets a claim code. (Being built: see issue 4.)"""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Cancel

from dialogs.states import ProxySG
from dialogs.widgets import I18nFormat, Label


def proxy_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat("📝 <b>Register a family</b>"),
            Cancel(Label("⬅️ Back")),
            state=ProxySG.consent,
        )
    )
