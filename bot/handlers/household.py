"""/status, /mydata and /forget: they work from anywhere, like the other commands."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.config import Settings
from bot.domain.households import campaign_year
from bot.services.households import overview
from bot.services.ports import UnitOfWork
from bot.services.privacy import my_data
from dialogs.states import ForgetSG
from dialogs.summaries import Writer, status_text, stored_data_text


def create_router() -> Router:
    router = Router(name="household")
    router.message.register(cmd_status, Command("status"))
    router.message.register(cmd_mydata, Command("mydata"))
    router.message.register(cmd_forget, Command("forget"))
    return router


def _writer(i18n: I18n, settings: Settings) -> Writer:
    return Writer(i18n, i18n.current_locale, settings.zone)


async def cmd_status(message: Message, uow: UnitOfWork, i18n: I18n, settings: Settings) -> None:
    if message.from_user is None:
        return
    found = await overview(uow, message.from_user.id)
    year = campaign_year(datetime.now(UTC), settings.zone)
    await message.answer(status_text(_writer(i18n, settings), found, year))


async def cmd_mydata(message: Message, uow: UnitOfWork, i18n: I18n, settings: Settings) -> None:
    if message.from_user is None:
        return
    data = await my_data(uow, message.from_user.id, datetime.now(UTC))
    await message.answer(stored_data_text(_writer(i18n, settings), data))


async def cmd_forget(message: Message, dialog_manager: DialogManager) -> None:
    await dialog_manager.start(
        ForgetSG.confirm, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )
