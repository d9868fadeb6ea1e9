"""The day a “Today” or a “Yesterday” button stands for, where the commune is."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button

from dialogs.widgets import today

DAYS_AGO = {"today": 0, "yesterday": 1}  # by the buttons' ids


def pressed_day(manager: DialogManager, button: Button) -> date:
    return today(manager) - timedelta(days=DAYS_AGO[str(button.widget_id)])
