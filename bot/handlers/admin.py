"""Commands for commune officers and super admins (shown only to them).

A router-level filter answers everyone else at once; the services check the scope of each
area again (a code typed after a command is as forgeable as callback data).
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.config import Settings
from bot.domain.messages import N_
from bot.domain.text import normalize_text
from bot.domain.users import Role, User, holds_role
from bot.i18n import number
from bot.services.areas import area_summary
from bot.services.errors import NotAllowed
from bot.services.ports import UnitOfWork
from dialogs.commune.common import AREA, YEAR
from dialogs.states import (
    BroadcastSG,
    DeadlinesSG,
    HamletsSG,
    ImportSG,
    RecognizeSG,
    RemindersSG,
    StatsSG,
    TargetsSG,
)

LEVELS = ("province", "district", "commune", "hamlet")
MSG_OFFICERS_ONLY = N_("This command is for commune officers.")


def create_router() -> Router:
    router = Router(name="admin")
    router.message.register(cmd_areas, Command("areas"))
    router.message.register(cmd_not_staff, Command(*DIALOG_COMMANDS), ~IsStaff())
    for name, state in DIALOG_COMMANDS.items():
        router.message.register(_opener(state), Command(name))
    return router


DIALOG_COMMANDS: dict[str, State] = {
    "stats": StatsSG.show,
    "targets": TargetsSG.list,
    "deadlines": DeadlinesSG.list,
    "recognize": RecognizeSG.list,
    "hamlets": HamletsSG.list,
    "import": ImportSG.wait_file,
    "reminders": RemindersSG.list,
    "broadcast": BroadcastSG.group,
}


class IsStaff(Filter):
    """A commune officer or a super admin (ADMIN_IDS included, as the middleware loaded)."""

    async def __call__(self, message: Message, user: User | None = None) -> bool:
        return user is not None and holds_role(user, (Role.COMMUNE_OFFICER,))


async def cmd_not_staff(message: Message) -> None:
    await message.answer(_(MSG_OFFICERS_ONLY))


def command_words(args: str | None) -> list[str]:
    """The words typed after a command, normalised like any typed text: without control or
    invisible characters (PostgreSQL refuses NUL even as a query parameter)."""
    return normalize_text(args or "").split()


def command_area_year(args: str | None) -> dict[str, Any]:
    """`/stats [area code] [year]` in either order: a number from 2000 to 2100 is the year."""
    found: dict[str, Any] = {}
    for word in command_words(args)[:2]:
        if word.isdecimal() and len(word) == 4 and 2000 <= int(word) <= 2100:
            found[YEAR] = int(word)
        else:
            found[AREA] = word
    return found


def _opener(state: State) -> Any:
    async def cmd_open(
        message: Message, command: CommandObject, dialog_manager: DialogManager
    ) -> None:
        await dialog_manager.start(
            state,
            data=command_area_year(command.args),
            mode=StartMode.RESET_STACK,
            show_mode=ShowMode.SEND,
        )

    return cmd_open


async def cmd_areas(message: Message, uow: UnitOfWork, settings: Settings, i18n: I18n) -> None:
    """How many areas of each level are loaded (service checks the actor is an admin)."""
    assert message.from_user is not None
    try:
        counts = await area_summary(uow, message.from_user.id, settings.admin_ids)
    except NotAllowed as refused:
        await message.answer(_(refused.msgid))
        return
    locale = i18n.current_locale
    await message.answer(
        _(
            "🗺 <b>Administrative areas loaded</b>\n"
            "Provinces: {provinces}\nDistricts: {districts}\nCommunes: {communes}\n"
            "Hamlets: {hamlets}\n"
            "To load more, run: hoctap areas import FILE.csv"
        ).format(**{f"{level}s": number(counts.get(level, 0), locale) for level in LEVELS})
    )
