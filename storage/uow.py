"""The SQL unit of work: one AsyncSession, its repositories, an explicit commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from storage.criteria import SqlCriteriaRepository
from storage.db import create_engine, create_session_factory
from storage.hamlets import (
    SqlHamletRepository,
    SqlInviteRepository,
    SqlReminderRepository,
    SqlTargetRepository,
)
from storage.households import SqlAuditLog, SqlHouseholdRepository, SqlRegistrationRepository
from storage.migrate import upgrade
from storage.repositories import SqlAreaRepository, SqlDraftRepository, SqlUserRepository


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.areas = SqlAreaRepository(session)
        self.users = SqlUserRepository(session)
        self.drafts = SqlDraftRepository(session)
        self.criteria = SqlCriteriaRepository(session)
        self.households = SqlHouseholdRepository(session)
        self.registrations = SqlRegistrationRepository(session)
        self.audit = SqlAuditLog(session)
        self.invites = SqlInviteRepository(session)
        self.hamlets = SqlHamletRepository(session)
        self.reminders = SqlReminderRepository(session)
        self.targets = SqlTargetRepository(session)

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
