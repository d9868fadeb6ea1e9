"""Criteria sets in force, stored as the TOML text they were loaded from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.criteria import StoredCriteriaSet
from storage.models import CriteriaSetRow


class SqlCriteriaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, stored: StoredCriteriaSet, text: str, now: datetime) -> StoredCriteriaSet:
        row = CriteriaSetRow(
            title=stored.title,
            version=stored.version,
            area_code=stored.area_code,
            from_year=stored.from_year,
            text=text,
            loaded_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def for_title(self, title: str) -> list[StoredCriteriaSet]:
        rows = await self._session.scalars(
            select(CriteriaSetRow).where(CriteriaSetRow.title == title)
        )
        return [row.to_domain() for row in rows]

    async def text_of(self, set_id: int) -> str | None:
        row = await self._session.get(CriteriaSetRow, set_id)
        return row.text if row else None
