"""Anything no dialog or command took: a short, helpful answer instead of silence."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from bot.domain.messages import N_
from bot.domain.users import User, choose_locale
from bot.i18n import fill
from bot.services.errors import ServiceError
from dialogs.states import MainSG

log = logging.getLogger("hoctap.handlers")
MSG_NOT_SAVED = N_(
    "⚠️ Sorry, the bot was too busy to save that, so nothing changed. Please send it again."
)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(on_unknown_message)
    return router


async def on_unknown_message(message: Message) -> None:
    await message.answer(
        _("Sorry, I did not understand. Press /start to see the menu or /help for help.")
    )


async def on_stale_button(event: ErrorEvent, bot: Bot, dialog_manager: DialogManager) -> None:
    """Buttons from before a restart or upgrade: explain kindly and show the menu again."""
    log.info("stale dialog button: %s", type(event.exception).__name__)
    callback = event.update.callback_query
    if callback is not None:
        # A callback too old to answer raises; the new menu below still explains.
        with suppress(TelegramBadRequest):
            await callback.answer(_("This button is from an older message."))
    chat_message = callback.message if callback else event.update.message
    if chat_message is not None:
        await bot.send_message(
            chat_message.chat.id,
            _("The bot was updated, so that button no longer works. Here is the main menu."),
        )
    await dialog_manager.start(MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


STALE_ERRORS = ExceptionTypeFilter(UnknownIntent, OutdatedIntent, UnknownState)


async def on_refused(
    event: ErrorEvent,
    bot: Bot,
    dialog_manager: DialogManager,
    i18n: I18n,
    settings: Settings,
    event_from_user: TelegramUser | None = None,
    user: User | None = None,
) -> None:
    """A refusal no dialog handled (say a household erased from another phone while this one
    was answering): explain it in the user's language and show the menu."""
    error = event.exception
    assert isinstance(error, ServiceError)
    log.info("refused: %s", type(error).__name__)
    chat_id = _chat_id(event)
    if chat_id is None:
        return
    locale = _locale(i18n, event_from_user, user)
    text = fill(i18n, error.msgid, dict(error.params), locale, settings.zone)
    await bot.send_message(chat_id, text)
    with i18n.use_locale(locale):
        await dialog_manager.start(
            MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
        )


async def on_database_fault(
    event: ErrorEvent,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
    event_from_user: TelegramUser | None = None,
    user: User | None = None,
) -> None:
    """The database failed this update: SQLite still locked after its busy timeout, or a
    PostgreSQL connection lost mid-request. The transaction rolled back and the dialog state
    was not saved (aiogram-dialog saves it only after a handler succeeds), so the user is
    where they were: say so, that they may send it again. Logged without the statement, whose
    parameters may be what the user typed."""
    error = event.exception
    cause = getattr(error, "orig", None) or error
    code = getattr(cause, "sqlstate", None) or getattr(cause, "sqlite_errorname", "")
    log.warning(
        "database fault, update %s not saved: %s %s",
        event.update.update_id,
        type(cause).__name__,
        code,
    )
    locale = _locale(i18n, event_from_user, user)
    text = fill(i18n, MSG_NOT_SAVED, {}, locale, settings.zone)
    callback = event.update.callback_query
    if callback is not None:
        with suppress(TelegramBadRequest):  # too old to answer: the message below still tells
            await callback.answer(text, show_alert=True)
            return
    chat_id = _chat_id(event)
    if chat_id is not None:
        await bot.send_message(chat_id, text)


def _chat_id(event: ErrorEvent) -> int | None:
    callback, message = event.update.callback_query, event.update.message
    if callback is not None and callback.message is not None:
        return callback.message.chat.id
    return message.chat.id if message is not None else None


def _locale(i18n: I18n, event_from_user: TelegramUser | None, user: User | None) -> str:
    # The update's locale context has ended by now: choose it again as the middleware does.
    return choose_locale(
        user.language if user else None,
        event_from_user.language_code if event_from_user else None,
        i18n.default_locale,
    )


REFUSALS = ExceptionTypeFilter(ServiceError)
# What the database driver raised: locked, disconnected, timed out (SQLAlchemy wraps it; the
# SQLite dialog-state store raises sqlite3's own).
DATABASE_FAULTS = ExceptionTypeFilter(DBAPIError, sqlite3.OperationalError)
