"""Choosing Vietnamese or English; the choice is remembered for the user."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column
from aiogram_dialog.widgets.text import Const

from bot.services.users import set_language
from dialogs.states import LanguageSG, MainSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText


async def on_language(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    language = str(button.widget_id).removeprefix("lang_")
    data: dict[str, Any] = manager.middleware_data
    await set_language(data["uow"], callback.from_user.id, language)
    i18n: I18n = data["i18n"]
    i18n.current_locale = language  # the rest of this update already speaks the new language
    await manager.start(MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.EDIT)


def language_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat("🌐 Choose your language:"),
            Column(
                # Each language names itself, so a user lost in the wrong language can find theirs.
                Button(Const("🇻🇳 Tiếng Việt"), id="lang_vi", on_click=on_language),
                Button(Const("🇬🇧 English"), id="lang_en", on_click=on_language),
                Cancel(Label("◀️ Back")),
            ),
            UnexpectedText(),
            state=LanguageSG.choose,
        )
    )
