"""Starting the bot for real: migrations, commands, then long polling or a webhook server."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.commands import register_commands
from bot.config import Settings
from bot.delivery.composer import CatalogComposer
from bot.delivery.pacing import Pacer
from bot.delivery.running import BackgroundDelivery, sender_bot
from bot.delivery.session import ResilientSession
from bot.domain.users import Role
from bot.i18n import create_i18n
from bot.lease import LeaderGate, create_lease
from bot.middlewares import InFlightUpdates
from bot.scheduler import create_scheduler
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

log = logging.getLogger("hoctap")
# Telegram does not resend an update it already handed over: let those in hand finish.
SHUTDOWN_GRACE_SECONDS = 20.0


def api_server(settings: Settings) -> TelegramAPIServer:
    base = settings.telegram_api_base
    return TelegramAPIServer.from_base(base) if base else PRODUCTION


def create_bot(settings: Settings, pacer: Pacer | None = None) -> Bot:
    """A Bot whose every call goes through the retrying session, HTML by default; its
    messages take their share of the outbox's rate when a pacer is given."""
    assert settings.token is not None
    on_send = partial(pacer.reply_turn, time.monotonic, asyncio.sleep) if pacer else None
    return Bot(
        settings.token,
        session=ResilientSession(api=api_server(settings), on_send=on_send),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


async def officer_ids(session_factory: async_sessionmaker[AsyncSession]) -> list[int]:
    """Commune officers, who get the admin command menu in their chats like super admins."""
    async with session_factory() as session:
        return await SqlUnitOfWork(session).users.ids_with_role(Role.COMMUNE_OFFICER)


async def run_bot(settings: Settings, *, worker: bool = False) -> None:
    """The bot in this process. A `worker` of `hoctap run --workers N` leaves migrating,
    the command menus and the webhook to its parent, and shares the webhook's port."""
    engine = create_engine(settings.database_url)
    if not worker:
        await upgrade(engine)
    i18n = create_i18n(settings.default_locale)
    sessions = create_session_factory(engine)
    dp = build_dispatcher(settings, sessions, i18n)
    pacer = Pacer(settings.send_rate)
    bot = create_bot(settings, pacer)
    gate = LeaderGate(create_lease(settings.redis_url, engine))
    gate.start()
    delivery = BackgroundDelivery(
        sessions,
        settings,
        i18n,
        bot,
        sender_bot(settings, api_server(settings)),
        pacer,
        leading=lambda: gate.is_leader,
    )
    dp["composer"] = composer = CatalogComposer(i18n, settings.zone, delivery.sender.wake)
    delivery.start()
    scheduler = create_scheduler(sessions, composer, settings, gate)
    scheduler.start()
    try:
        if not worker:
            await register_commands(bot, i18n, [*settings.admin_ids, *await officer_ids(sessions)])
        if settings.webhook_url:
            await _serve_webhook(dp, bot, settings, worker=worker)
        else:
            await bot.delete_webhook()
            log.info("polling for updates")
            await dp.start_polling(bot, handle_signals=True, close_bot_session=False)
            await _let_updates_finish(dp)
    finally:
        scheduler.shutdown(wait=False)
        await delivery.stop()
        await gate.stop()
        await dp.storage.close()
        await bot.session.close()
        await engine.dispose()


async def _serve_webhook(
    dp: Dispatcher, bot: Bot, settings: Settings, *, worker: bool = False
) -> None:
    """An aiohttp server that only accepts requests carrying the secret token header. The
    workers of one machine all listen on the port (SO_REUSEPORT): the kernel spreads the
    connections between them."""
    secret = settings.effective_webhook_secret()
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port, reuse_port=worker)
    await site.start()
    if not worker:
        await bot.set_webhook(settings.webhook_url or "", secret_token=secret)
    log.info(
        "webhook server on %s:%s%s",
        settings.webhook_host,
        settings.webhook_port,
        settings.webhook_path,
    )
    try:
        await _until_signalled()
        await _let_updates_finish(dp)
    finally:
        await runner.cleanup()


async def _let_updates_finish(dp: Dispatcher) -> None:
    in_flight: InFlightUpdates = dp["in_flight"]
    if not await in_flight.wait_idle(SHUTDOWN_GRACE_SECONDS):
        log.warning("stopped with updates still being handled after %ss", SHUTDOWN_GRACE_SECONDS)


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
