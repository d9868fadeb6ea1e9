"""/start, /help, /cancel and /language: they work from anywhere, even inside a dialog."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.domain.hamlets import INVITE_PREFIX
from bot.domain.text import normalize_text
from bot.services.errors import ServiceError
from bot.services.hamlets import invite_for
from bot.services.households import has_consent, household_of
from bot.services.ports import UnitOfWork
from dialogs.drafts import stash_current_dialog
from dialogs.states import ConsentSG, InviteSG, LanguageSG, MainSG, RegistrationSG
from dialogs.widgets import now

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
    args = normalize_text(command.args or "")  # typed text (PostgreSQL refuses a NUL in it)
    if args.startswith(INVITE_PREFIX):
        await _start_from_invite(message, dialog_manager, uow, args)
        return
    hamlet = args.removeprefix(HAMLET_LINK)
    if not args.startswith(HAMLET_LINK) or message.from_user is None:
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
    if area is None or area.level != "hamlet" or area.retired:
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
    await _show_menu(dialog_manager)


async def _start_from_invite(
    message: Message, dialog_manager: DialogManager, uow: UnitOfWork, args: str
) -> None:
    """`/start inv_<token>` from a commune officer: confirm becoming the hamlet's head. The
    token is kept nowhere but the confirmation dialog's start data."""
    token = args.removeprefix(INVITE_PREFIX)
    await dialog_manager.start(
        MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE
    )
    try:
        await invite_for(uow, token, now())
    except ServiceError as error:
        await message.answer(_(error.msgid))
        await _show_menu(dialog_manager)
        return
    await dialog_manager.start(InviteSG.confirm, data={"token": token}, show_mode=ShowMode.SEND)


async def _show_menu(dialog_manager: DialogManager) -> None:
    """Show the menu started silently above, below the message just sent (`show(SEND)`
    alone would keep the NO_UPDATE mode that start left on the manager, and show nothing)."""
    dialog_manager.show_mode = ShowMode.SEND
    await dialog_manager.show()


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
            "/stop – no more reminders or announcements (/resume turns them on again)\n"
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
