"""The SQL unit of work: one AsyncSession, its repositories, an explicit commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.criteria import SqlCriteriaRepository
from storage.repositories import SqlAreaRepository, SqlDraftRepository, SqlUserRepository


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.areas = SqlAreaRepository(session)
        self.users = SqlUserRepository(session)
        self.drafts = SqlDraftRepository(session)
        self.criteria = SqlCriteriaRepository(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
