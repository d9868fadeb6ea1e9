"""APScheduler (3.x) with a few fixed jobs; each asks the services what is due now.

Nothing is kept in the scheduler: what is due is recomputed from the database every minute,
so a job missed while the bot was down costs nothing, and the memory job store pickles
nothing. Times are UTC inside; people see them in the commune's zone.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.lease import LeaderGate
from bot.services.ports import Composer
from bot.services.reminders import run_due_reminders
from storage.uow import SqlUnitOfWork

log = logging.getLogger("hoctap.scheduler")
REMINDERS_JOB = "reminders"
# A run that comes late (a busy loop, a sleeping machine) still runs once: it only looks.
MISFIRE_GRACE_SECONDS = 3600


async def reminders_job(
    session_factory: async_sessionmaker[AsyncSession],
    composer: Composer,
    zone: ZoneInfo,
    now: datetime | None = None,
    *,
    default_locale: str = "vi",
    gate: LeaderGate | None = None,
) -> int:
    """Store the reminders due at `now` (default: the clock) in the outbox; how many. With
    a `gate`, only the process holding the cluster's lease does it (the others return 0)."""
    if gate is not None and not await gate.check():
        return 0
    async with session_factory() as session:
        stored = await run_due_reminders(
            SqlUnitOfWork(session),
            composer,
            now or datetime.now(UTC),
            zone,
            default_locale=default_locale,
        )
    if stored:
        log.info("reminders: %d messages queued", stored)
    return stored


def create_scheduler(
    session_factory: async_sessionmaker[AsyncSession],
    composer: Composer,
    settings: Settings,
    gate: LeaderGate | None = None,
) -> AsyncIOScheduler:
    """A scheduler (not started: call `start()` inside the running loop) with the fixed
    "reminders" job at the start of every minute, run by the lease holder only."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        reminders_job,
        CronTrigger(minute="*", timezone=UTC),
        args=(session_factory, composer, settings.zone),
        kwargs={"default_locale": settings.default_locale, "gate": gate},
        id=REMINDERS_JOB,
        name="reminder rules due now",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
    return scheduler
