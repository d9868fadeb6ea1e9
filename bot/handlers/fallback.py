"""Anything no dialog or command took: a short, helpful answer instead of silence."""

from __future__ import annotations

import logging
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

from bot.config import Settings
from bot.domain.users import User, choose_locale
from bot.i18n import fill
from bot.services.errors import ServiceError
from dialogs.states import MainSG

log = logging.getLogger("hoctap.handlers")


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
    callback, message = event.update.callback_query, event.update.message
    chat = (
        callback.message.chat
        if callback and callback.message
        else (message.chat if message else None)
    )
    if chat is None:
        return
    # The update's locale context has ended by now: choose it again as the middleware does.
    locale = choose_locale(
        user.language if user else None,
        event_from_user.language_code if event_from_user else None,
        i18n.default_locale,
    )
    text = fill(i18n, error.msgid, dict(error.params), locale, settings.zone)
    await bot.send_message(chat.id, text)
    with i18n.use_locale(locale):
        await dialog_manager.start(
            MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
        )


REFUSALS = ExceptionTypeFilter(ServiceError)
