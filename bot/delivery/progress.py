"""The officer's view of a broadcast: one message edited every few seconds with the counts
and a cancel button, turned into the final report when nothing is left to send."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from html import escape
from typing import Any

from aiogram import Bot
from aiogram.methods import EditMessageText
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.outcome import deliver
from bot.domain.broadcasts import Broadcast, Progress
from bot.domain.messages import N_
from bot.i18n import fill, number
from bot.services.broadcasts import progress
from storage.uow import SqlUnitOfWork

log = logging.getLogger("hoctap.delivery")
CANCEL_PREFIX = "bcast:cancel:"  # callback data: the prefix, then the broadcast's id
MSG_PROGRESS = N_("📤 Sent {sent}/{total} — {unreachable} could not be reached")
MSG_FINISHED = N_(
    "✅ Broadcast finished.\nSent: {sent}/{total}\nCould not be reached: {unreachable}\n"
    "Had turned messages off (/stop): {stopped}\nFailed: {failed}"
)
MSG_CANCELLED = N_(
    "⏹ Broadcast cancelled.\nSent before cancelling: {sent}/{total}\nNot sent: {cancelled}\n"
    "Could not be reached: {unreachable}\nFailed: {failed}"
)
MSG_CANCEL_BUTTON = N_("⏹ Cancel the broadcast")


def report_text(i18n: I18n, tz: Any, broadcast: Broadcast, shown: Progress, locale: str) -> str:
    """The counts, and once it is over, each failure reason with how many it hit."""
    params = {
        "sent": shown.sent,
        "total": shown.total,
        "unreachable": shown.unreachable,
        "stopped": shown.stopped,
        "failed": shown.failed,
        "cancelled": shown.cancelled,
    }
    if shown.waiting:
        return fill(i18n, MSG_PROGRESS, params, locale, tz)
    msgid = MSG_CANCELLED if broadcast.cancelled else MSG_FINISHED
    reasons = "".join(f"\n• {escape(reason)}: {number(n, locale)}" for reason, n in shown.failures)
    return fill(i18n, msgid, params, locale, tz) + reasons


def cancel_markup(i18n: I18n, broadcast_id: int, locale: str) -> InlineKeyboardMarkup:
    label = i18n.gettext(MSG_CANCEL_BUTTON, locale=locale)
    button = InlineKeyboardButton(text=label, callback_data=f"{CANCEL_PREFIX}{broadcast_id}")
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


class BroadcastReporter:
    """Edits each running broadcast's progress message; marks a broadcast finished."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Bot,
        i18n: I18n,
        tz: Any,
        interval: float = 3.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        leading: Callable[[], bool] = lambda: True,
    ) -> None:
        self._sessions, self._bot, self._i18n, self._tz = session_factory, bot, i18n, tz
        self._interval, self._sleep = interval, sleep
        # With several workers only the scheduler lease's holder edits progress messages.
        self._leading = leading
        self._shown: dict[int, str] = {}
        self._stopping = False

    async def run(self) -> None:
        while not self._stopping:
            try:
                if self._leading():
                    await self.tick()
            except Exception:
                log.exception("broadcast progress failed")
            await self._sleep(self._interval)

    def stop(self) -> None:
        self._stopping = True

    async def tick(self) -> None:
        """Look at every unfinished broadcast once."""
        async with self._sessions() as session:
            uow = SqlUnitOfWork(session)
            for broadcast in await uow.broadcasts.unfinished():
                shown = await progress(uow, broadcast)
                if not shown.waiting:
                    await uow.broadcasts.finish(broadcast.id, datetime.now(UTC))
                    await uow.commit()
                await self._show(broadcast, shown)

    async def _show(self, broadcast: Broadcast, shown: Progress) -> None:
        chat, message = broadcast.report_chat_id, broadcast.report_message_id
        if chat is None or message is None:
            return
        locale = broadcast.report_locale
        text = report_text(self._i18n, self._tz, broadcast, shown, locale)
        if self._shown.get(broadcast.id) == text:
            return
        markup = cancel_markup(self._i18n, broadcast.id, locale) if shown.waiting else None
        edit = EditMessageText(chat_id=chat, message_id=message, text=text, reply_markup=markup)
        await deliver(self._bot, edit)  # "not modified" and the like are not worth more
        self._shown[broadcast.id] = text
        if not shown.waiting:
            with contextlib.suppress(KeyError):
                del self._shown[broadcast.id]
