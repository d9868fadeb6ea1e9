"""Shared dialog widgets: translated text and the buttons every window offers."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import Message
from aiogram.utils.i18n import gettext
from aiogram_dialog.api.protocols import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.text import Text


def escape_values(data: dict[str, Any]) -> dict[str, Any]:
    """HTML-escape every string a getter returns: they may hold what a user typed."""
    return {
        key: html.escape(v, quote=False) if isinstance(v, str) else v for key, v in data.items()
    }


class I18nFormat(Text):
    """Translate the msgid for the user's locale, then fill in the getter's data.

    In message text the data is escaped for HTML; button labels are plain text (escape=False).
    """

    def __init__(self, text: str, when: WhenCondition = None, *, escape: bool = True) -> None:
        super().__init__(when=when)
        self.text = text
        self.escape = escape

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        values = escape_values(data) if self.escape else data
        return gettext(self.text).format_map(values)


def Label(text: str, when: WhenCondition = None) -> I18nFormat:  # noqa: N802 - reads as a widget
    """A translated button label (plain text, never parsed as HTML)."""
    return I18nFormat(text, when=when, escape=False)


async def on_unexpected_message(message: Message, _: MessageInput, __: DialogManager) -> None:
    await message.answer(
        gettext(
            "Sorry, I did not understand. Please use the buttons below, "
            "or press /start for the main menu and /help for help."
        )
    )


def UnexpectedText() -> MessageInput:  # noqa: N802 - reads as a widget
    """For windows that ask nothing typed: answer typing kindly, then show the window again."""
    return MessageInput(on_unexpected_message)


def current_user_id(manager: DialogManager) -> int:
    """The Telegram user behind the update, also inside error handlers (no `event.from_user`)."""
    return int(manager.middleware_data["event_from_user"].id)
