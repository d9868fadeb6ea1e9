"""The SQL unit of work: one AsyncSession, its repositories, an explicit commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts import SqlBroadcastRepository
from storage.criteria import SqlCriteriaRepository
from storage.db import create_engine, create_session_factory, read_cache
from storage.export import SqlExportRepository
from storage.groups import (
    SqlClanRepository,
    SqlGroupFigures,
    SqlGroupRegistrations,
    SqlUnitRepository,
)
from storage.hamlets import (
    SqlHamletRepository,
    SqlInviteRepository,
    SqlReminderRepository,
    SqlTargetRepository,
)
from storage.households import SqlAuditLog, SqlHouseholdRepository, SqlRegistrationRepository
from storage.migrate import upgrade
from storage.outbox import SqlOutboxRepository
from storage.reminders import SqlReminderRuleRepository
from storage.repositories import SqlAreaRepository, SqlDraftRepository, SqlUserRepository
from storage.stats import SqlStatsRepository


class CachedCriteriaRepository(SqlCriteriaRepository):
    """Sets are added, never changed: each one's text is read once per database."""

    async def text_of(self, set_id: int) -> str | None:
        load = partial(super().text_of, set_id)
        return await read_cache(self._session, "criteria").through(self._session, set_id, load)


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.areas = SqlAreaRepository(session)
        self.users = SqlUserRepository(session)
        self.drafts = SqlDraftRepository(session)
        self.criteria = CachedCriteriaRepository(session)
        self.households = SqlHouseholdRepository(session)
        self.registrations = SqlRegistrationRepository(session)
        self.audit = SqlAuditLog(session)
        self.invites = SqlInviteRepository(session)
        self.hamlets = SqlHamletRepository(session)
        self.reminders = SqlReminderRepository(session)
        self.reminder_rules = SqlReminderRuleRepository(session)
        self.targets = SqlTargetRepository(session)
        self.stats = SqlStatsRepository(session)
        self.export = SqlExportRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.broadcasts = SqlBroadcastRepository(session)
        self.clans = SqlClanRepository(session)
        self.units = SqlUnitRepository(session)
        self.group_figures = SqlGroupFigures(session)
        self.group_registrations = SqlGroupRegistrations(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


@asynccontextmanager
async def migrated_unit_of_work(url: str) -> AsyncIterator[SqlUnitOfWork]:
    """For one-off commands: migrate the database, work in one unit, release the engine."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            yield SqlUnitOfWork(session)
    finally:
        await engine.dispose()
