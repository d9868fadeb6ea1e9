"""Anything no dialog or command took: a short, helpful answer instead of silence."""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState

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
