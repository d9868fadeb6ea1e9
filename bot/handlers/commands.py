"""/start, /help, /cancel and /language: they work from anywhere, even inside a dialog."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.services.ports import UnitOfWork
from dialogs.drafts import stash_current_dialog
from dialogs.states import LanguageSG, MainSG


def create_router() -> Router:
    router = Router(name="commands")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_cancel, Command("cancel"))
    router.message.register(cmd_language, Command("language"))
    return router


async def cmd_start(message: Message, dialog_manager: DialogManager, uow: UnitOfWork) -> None:
    if message.from_user:
        await stash_current_dialog(dialog_manager, uow, message.from_user.id)
    await dialog_manager.start(MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


async def cmd_help(message: Message) -> None:
    await message.answer(
        _(
            "❓ <b>Help</b>\n"
            "Press the buttons under my messages; you rarely need to type.\n"
            "/start – main menu\n"
            "/language – change language\n"
            "/cancel – stop what you are doing (what you entered is kept as a draft)\n"
            "/help – this help"
        )
    )


async def cmd_cancel(message: Message, dialog_manager: DialogManager, uow: UnitOfWork) -> None:
    if not dialog_manager.has_context():
        await message.answer(_("Nothing to cancel. Press /start for the main menu."))
        return
    kept = message.from_user is not None and await stash_current_dialog(
        dialog_manager, uow, message.from_user.id
    )
    await dialog_manager.reset_stack()
    await message.answer(
        _("Cancelled. What you entered is kept as a draft: you can continue later.")
        if kept
        else _("Cancelled.")
    )
    await dialog_manager.start(MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


async def cmd_language(message: Message, dialog_manager: DialogManager, uow: UnitOfWork) -> None:
    if message.from_user:
        await stash_current_dialog(dialog_manager, uow, message.from_user.id)
    await dialog_manager.start(
        LanguageSG.choose, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )
