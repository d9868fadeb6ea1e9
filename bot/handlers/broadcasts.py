"""/stop and /resume for everyone; the cancel button under a broadcast's progress."""

from __future__ import annotations

import contextlib

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import BaseFilter, Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.delivery.progress import CANCEL_PREFIX, report_text
from bot.domain.messages import N_
from bot.domain.users import User
from bot.services.broadcasts import cancel_broadcast
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from bot.services.users import set_muted
from dialogs.widgets import now

MSG_STOPPED = N_(
    "🔕 Reminders and announcements are now off. You will still get answers to what you do "
    "here and news about your own family's registration. Send /resume to turn them back on."
)
MSG_RESUMED = N_("🔔 Reminders and announcements are on again. Send /stop to turn them off.")


def create_router() -> Router:
    router = Router(name="broadcasts")
    router.message.register(cmd_stop, Command("stop"))
    router.message.register(cmd_resume, Command("resume"))
    router.callback_query.register(on_cancel, CallbackPrefix(CANCEL_PREFIX))
    return router


class CallbackPrefix(BaseFilter):
    """Callback data starting with `prefix`. An async filter on purpose: aiogram runs a plain
    function or `F` filter in a worker thread, a hop every button press would pay."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    async def __call__(self, query: CallbackQuery) -> bool:
        return (query.data or "").startswith(self.prefix)


async def cmd_stop(message: Message, uow: UnitOfWork) -> None:
    assert message.from_user is not None
    await set_muted(uow, message.from_user.id, True, now())
    await message.answer(_(MSG_STOPPED))


async def cmd_resume(message: Message, uow: UnitOfWork) -> None:
    assert message.from_user is not None
    await set_muted(uow, message.from_user.id, False, now())
    await message.answer(_(MSG_RESUMED))


async def on_cancel(
    query: CallbackQuery, uow: UnitOfWork, user: User, i18n: I18n, settings: Settings
) -> None:
    """Cancel from the progress message; the id comes from callback data, so the service
    checks the actor again."""
    raw = (query.data or "").removeprefix(CANCEL_PREFIX)
    if not raw.isdigit():
        await query.answer()
        return
    try:
        broadcast, shown = await cancel_broadcast(uow, user, int(raw), now())
    except ServiceError as refused:
        await query.answer(_(refused.msgid).format(**refused.params), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        text = report_text(i18n, settings.zone, broadcast, shown, i18n.current_locale)
        with contextlib.suppress(TelegramBadRequest):  # e.g. the reporter got there first
            await query.message.edit_text(text)
