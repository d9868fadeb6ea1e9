"""/start, /help, /cancel and /language: they work from anywhere, even inside a dialog."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.services.households import has_consent, household_of
from bot.services.ports import UnitOfWork
from dialogs.drafts import stash_current_dialog
from dialogs.states import ConsentSG, LanguageSG, MainSG, RegistrationSG

HAMLET_LINK = "h_"


def create_router() -> Router:
    router = Router(name="commands")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_cancel, Command("cancel"))
    router.message.register(cmd_language, Command("language"))
    return router


async def cmd_start(
    message: Message, command: CommandObject, dialog_manager: DialogManager, uow: UnitOfWork
) -> None:
    if message.from_user:
        await stash_current_dialog(dialog_manager, uow, message.from_user.id)
    hamlet = (command.args or "").removeprefix(HAMLET_LINK) if command.args else ""
    if not (command.args or "").startswith(HAMLET_LINK) or message.from_user is None:
        await dialog_manager.start(
            MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
        )
        return
    await _start_from_hamlet_link(message, dialog_manager, uow, hamlet)


async def _start_from_hamlet_link(
    message: Message, dialog_manager: DialogManager, uow: UnitOfWork, hamlet: str
) -> None:
    """`/start h_<hamlet code>` from a hamlet head's invite: registration with the place set."""
    user_id = message.from_user.id if message.from_user else 0
    await dialog_manager.start(
        MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE
    )
    area = await uow.areas.get(hamlet)
    if area is None or area.level != "hamlet":
        await message.answer(_("This link is not valid any more. Please choose your place."))
    elif await household_of(uow, user_id) is not None:
        await message.answer(_("This Telegram account already belongs to a household."))
    elif await has_consent(uow, user_id):
        await dialog_manager.start(
            RegistrationSG.place, data={"hamlet": hamlet}, show_mode=ShowMode.SEND
        )
        return
    else:
        await dialog_manager.start(
            ConsentSG.explain,
            data={"then": "register", "hamlet": hamlet},
            show_mode=ShowMode.SEND,
        )
        return
    await dialog_manager.show(ShowMode.SEND)


async def cmd_help(message: Message) -> None:
    await message.answer(
        _(
            "❓ <b>Help</b>\n"
            "Press the buttons under my messages; you rarely need to type.\n"
            "/start – main menu\n"
            "/status – where your family stands\n"
            "/mydata – what the bot keeps about you\n"
            "/forget – erase your data\n"
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
