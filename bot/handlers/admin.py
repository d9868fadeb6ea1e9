"""Commands for commune officers and super admins (shown only to them)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.i18n import number
from bot.services.areas import area_summary
from bot.services.errors import NotAllowed
from bot.services.ports import UnitOfWork

LEVELS = ("province", "district", "commune", "hamlet")


def create_router() -> Router:
    router = Router(name="admin")
    router.message.register(cmd_areas, Command("areas"))
    return router


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
