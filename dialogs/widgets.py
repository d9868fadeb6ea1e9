"""Shared dialog widgets: translated text and the buttons every window offers."""

from __future__ import annotations

import html
from collections.abc import Awaitable
from datetime import UTC, date, datetime
from typing import Any

from aiogram import Bot
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n, gettext
from aiogram_dialog.api.protocols import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.text import Text

from bot.criteria_files import shipped_criteria
from bot.delivery.notifier import BotNotifier
from bot.domain.households import campaign_year
from bot.domain.users import User
from bot.i18n import N_, fill
from bot.services.errors import ServiceError


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


def explain(
    manager: DialogManager, msgid: str, params: dict[str, Any] | None = None, *, html: bool = True
) -> str:
    """A message (an error's msgid and params) in the user's language: escaped for HTML to
    send as is, or plain (html=False) for a getter, whose values I18nFormat escapes."""
    i18n: I18n = manager.middleware_data["i18n"]
    settings = manager.middleware_data["settings"]
    return fill(i18n, msgid, dict(params or {}), i18n.current_locale, settings.zone, html=html)


async def tell(manager: DialogManager, event: Message | CallbackQuery, error: Exception) -> None:
    """Answer a refused action (ServiceError) or bad input (InputError) kindly; the dialog
    stays where it was, so nothing already answered is lost."""
    msgid = getattr(error, "msgid", None) or N_("Sorry, that did not work. Please try again.")
    text = explain(manager, msgid, getattr(error, "params", {}))
    if isinstance(event, CallbackQuery):
        await event.answer()
        if event.message is not None:
            await manager.middleware_data["bot"].send_message(event.message.chat.id, text)
        return
    await event.answer(text)


async def on_input_error(
    message: Message, _: Any, manager: DialogManager, error: ValueError
) -> None:
    """TextInput's on_error: the parser's localized explanation, then the same question."""
    await tell(manager, message, error)


def now() -> datetime:
    return datetime.now(UTC)


def today(manager: DialogManager) -> date:
    """The date where the commune is."""
    return now().astimezone(manager.middleware_data["settings"].zone).date()


def this_year(manager: DialogManager) -> int:
    """The campaign year where the commune is (Vietnam's new year comes before UTC's)."""
    return campaign_year(now(), manager.middleware_data["settings"].zone)


def shipped() -> dict[str, str]:
    return shipped_criteria()


def uow_of(manager: DialogManager) -> Any:
    """The unit of work of this update (DbSessionMiddleware puts it in the middleware data)."""
    return manager.middleware_data["uow"]


def acting_user(manager: DialogManager) -> User:
    """The user behind the update, with their grants (and ADMIN_IDS' super admin role), as the
    middleware loaded them: what every staff service call is given as its actor."""
    user: User = manager.middleware_data["user"]
    return user


def notifier(manager: DialogManager) -> BotNotifier:
    """Tells other users (a household, an officer) in their own language."""
    data = manager.middleware_data
    return BotNotifier(data["bot"], data["i18n"], data["settings"].zone)


async def bot_username(bot: Bot) -> str:
    """The bot's @username for t.me links (getMe, cached by aiogram)."""
    me = await bot.me()
    return me.username or "hoctap_bot"


async def attempt(
    manager: DialogManager, event: Message | CallbackQuery, action: Awaitable[object]
) -> bool:
    """Await a service call; when it is refused, tell the user why and stay where they are.
    True when it went through."""
    try:
        await action
    except ServiceError as refused:
        await tell(manager, event, refused)
        return False
    return True
