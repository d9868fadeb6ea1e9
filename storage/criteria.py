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
            select(CriteriaSetRow).where(
                CriteriaSetRow.title == title, CriteriaSetRow.shipped.is_(False)
            )
        )
        return [row.to_domain() for row in rows]

    async def keep_shipped(self, title: str, version: str, text: str, now: datetime) -> int:
        """The id of a shipped default as assessed with, stored the first time it is used."""
        found = await self._session.scalar(
            select(CriteriaSetRow.id)
            .where(
                CriteriaSetRow.shipped.is_(True),
                CriteriaSetRow.title == title,
                CriteriaSetRow.version == version,
                CriteriaSetRow.text == text,
            )
            .order_by(CriteriaSetRow.id)
            .limit(1)
        )
        if found is not None:
            return int(found)
        row = CriteriaSetRow(
            title=title,
            version=version,
            area_code=None,
            from_year=0,
            text=text,
            loaded_at=now,
            shipped=True,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def text_of(self, set_id: int) -> str | None:
        row = await self._session.get(CriteriaSetRow, set_id)
        return row.text if row else None
