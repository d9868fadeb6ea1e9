"""/chart and /export for commune officers and super admins: a picture of the areas below
one, and the households of a commune or hamlet as a spreadsheet. Everyone else is answered
like for the other officers' commands; the services check the area's scope again."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.hamlets import ListFilter
from bot.domain.households import campaign_year
from bot.domain.messages import N_
from bot.domain.users import User
from bot.handlers.admin import IsStaff, cmd_not_staff, command_area_year, command_words
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from dialogs.commune.common import AREA, YEAR
from dialogs.commune.reports import Reply, send_chart, send_export

MSG_EXPORT_USAGE = N_(
    "Please write it like this: /export [area code] [year] [status] [csv]\n"
    "The status is one of: {statuses}."
)
CSV = "csv"
STATUSES = frozenset(which.value for which in ListFilter)


def create_router() -> Router:
    router = Router(name="reports")
    router.message.register(cmd_not_staff, Command("chart", "export"), ~IsStaff())
    router.message.register(cmd_chart, Command("chart"))
    router.message.register(cmd_export, Command("export"))
    return router


@dataclass(frozen=True)
class ExportArgs:
    area: str | None = None
    year: int | None = None
    which: ListFilter = ListFilter.ALL
    as_csv: bool = False


def export_args(args: str | None) -> ExportArgs | None:
    """`/export [area] [year] [status] [csv]` in any order; None when a word is none of them
    (a second area code included)."""
    found: dict[str, Any] = {}
    for word in command_words(args):
        key, year = word.casefold(), command_area_year(word).get(YEAR)
        if key == CSV:
            found["as_csv"] = True
        elif key in STATUSES:
            found["which"] = ListFilter(key)
        elif year is not None:
            found["year"] = year
        elif "area" in found:
            return None
        else:
            found["area"] = word
    return ExportArgs(**found)


async def cmd_chart(
    message: Message,
    command: CommandObject,
    bot: Bot,
    uow: UnitOfWork,
    user: User,
    i18n: I18n,
    settings: Settings,
) -> None:
    reply = Reply(bot, message.chat.id, uow, user, i18n, settings.zone)
    found = command_area_year(command.args)
    year = found.get(YEAR) or _this_year(settings)
    await _answering_refusals(message, reply, send_chart(reply, found.get(AREA), year))


async def cmd_export(
    message: Message,
    command: CommandObject,
    bot: Bot,
    uow: UnitOfWork,
    user: User,
    i18n: I18n,
    settings: Settings,
) -> None:
    found = export_args(command.args)
    if found is None:
        statuses = ", ".join(which.value for which in ListFilter)
        await message.answer(_(MSG_EXPORT_USAGE).format(statuses=statuses))
        return
    reply = Reply(bot, message.chat.id, uow, user, i18n, settings.zone)
    year = found.year or _this_year(settings)
    sending = send_export(reply, found.area, year, found.which, as_csv=found.as_csv)
    await _answering_refusals(message, reply, sending)


def _this_year(settings: Settings) -> int:
    return campaign_year(datetime.now(UTC), settings.zone)


async def _answering_refusals(message: Message, reply: Reply, sending: Awaitable[None]) -> None:
    try:
        await sending
    except ServiceError as refused:
        await message.answer(reply.text(refused.msgid, refused.params))
