"""`hoctap run --workers N`: N bot processes behind one webhook port, for a province that
outgrows one process. The parent migrates, sets the command menus and the webhook once, then
starts the workers (`hoctap run --worker`) and keeps them running: one that dies is started
again; SIGTERM or SIGINT stops them all, each finishing the updates it holds.

The workers share PostgreSQL, and Redis when configured: dialog state, the per-user lock, the
seen update ids and the scheduler's lease live there, so any worker can take any update."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bot.commands import register_commands
from bot.config import Settings
from bot.i18n import create_i18n
from storage.db import create_engine, create_session_factory, is_sqlite
from storage.migrate import upgrade

log = logging.getLogger("hoctap.workers")
RESTART_DELAY_SECONDS = 1.0
STOP_TIMEOUT_SECONDS = 30.0  # a worker's own grace for its updates is 20 s


def cluster_problem(settings: Settings, workers: int) -> str | None:
    """Why these settings cannot run `workers` processes; None when they can."""
    if workers < 1:
        return "--workers must be at least 1"
    if workers == 1:
        return None
    if not settings.webhook_url:
        return (
            "--workers needs WEBHOOK_URL: with long polling Telegram hands updates to one "
            "process only"
        )
    if is_sqlite(settings.database_url):
        return (
            "--workers needs PostgreSQL (DATABASE_URL=postgresql+asyncpg://...): SQLite is "
            "for one process"
        )
    return None


async def run_workers(settings: Settings, workers: int) -> int:
    """Prepare once, then run and watch the workers until signalled; the exit code."""
    await _prepare(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("starting %s workers", workers)
    await asyncio.gather(*(_keep_running(number, stop) for number in range(1, workers + 1)))
    return 0


async def _prepare(settings: Settings) -> None:
    # Imported here: the runner pulls in aiogram's whole client.
    from bot.runner import create_bot, officer_ids

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        bot = create_bot(settings)
        try:
            officers = await officer_ids(create_session_factory(engine))
            i18n = create_i18n(settings.default_locale)
            await register_commands(bot, i18n, [*settings.admin_ids, *officers])
            secret = settings.effective_webhook_secret()
            await bot.set_webhook(settings.webhook_url or "", secret_token=secret)
        finally:
            await bot.session.close()
    finally:
        await engine.dispose()


async def _keep_running(number: int, stop: asyncio.Event) -> None:
    """Worker `number`, started again whenever it exits before the stop."""
    while not stop.is_set():
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--worker", stdin=asyncio.subprocess.DEVNULL
        )
        log.info("worker %s started (pid %s)", number, process.pid)
        stopped = asyncio.create_task(stop.wait())
        exited = asyncio.create_task(process.wait())
        await asyncio.wait({stopped, exited}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            exited.cancel()
            await _stop(process)
            return
        stopped.cancel()
        log.warning("worker %s exited with %s: starting it again", number, process.returncode)
        await asyncio.sleep(RESTART_DELAY_SECONDS)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("worker pid %s did not stop in %ss: killed", process.pid, STOP_TIMEOUT_SECONDS)
        process.kill()
        await process.wait()
