"""The outbox sender and the broadcast reporter as background tasks of a running bot."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.pacing import Pacer
from bot.delivery.progress import BroadcastReporter
from bot.delivery.sender import OutboxSender, SenderOptions

# On PostgreSQL several senders may run; one `sending` this long has lost its sender.
STALE_AFTER = timedelta(minutes=5)


def sender_bot(settings: Settings, api: TelegramAPIServer) -> Bot:
    """A Bot whose session does not retry: the sender decides about each failure itself,
    and a 429 must pause the sender, not hold one message's task."""
    assert settings.token is not None
    return Bot(
        settings.token,
        session=AiohttpSession(api=api),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


class BackgroundDelivery:
    """Starts and stops the sender and the reporter together."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        i18n: I18n,
        bot: Bot,
        outbox_bot: Bot,
        pacer: Pacer,
        leading: Callable[[], bool] = lambda: True,
    ) -> None:
        options = SenderOptions(
            rate=settings.send_rate,
            quiet=settings.quiet,
            zone=settings.zone,
            stale_after=None if settings.sqlite_path() else STALE_AFTER,
        )
        self.sender = OutboxSender(session_factory, outbox_bot, options, pacer)
        self.reporter = BroadcastReporter(
            session_factory, bot, i18n, settings.zone, leading=leading
        )
        self._outbox_bot = outbox_bot
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self.sender.run(), name="outbox-sender"),
            asyncio.create_task(self.reporter.run(), name="broadcast-reporter"),
        ]

    async def stop(self) -> None:
        """Let messages in flight finish (none is left `sending`), then end both loops."""
        await self.sender.stop()
        self.reporter.stop()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._outbox_bot.session.close()
