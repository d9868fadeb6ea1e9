"""Small helpers shared by several test modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.users import Role
from bot.services.areas import import_areas
from bot.services.users import ensure_user
from storage.uow import SqlUnitOfWork, migrated_unit_of_work

Factory = async_sessionmaker[AsyncSession]
SEEDED_AT = datetime(2025, 3, 1, tzinfo=UTC)


async def seed_areas(url: str, csv_text: str) -> None:
    """Set up a database without the CLI: migrate it and load areas."""
    async with migrated_unit_of_work(url) as uow:
        report = await import_areas(uow, csv_text)
    assert report.ok, report.errors


async def load_areas(session_factory: Factory, csv_text: str) -> None:
    """Load areas into a database the fixtures have already migrated."""
    async with session_factory() as session:
        report = await import_areas(SqlUnitOfWork(session), csv_text)
    assert report.ok, report.errors


async def grant(
    session_factory: Factory, user_id: int, role: Role, area: str, now: datetime = SEEDED_AT
) -> None:
    """Give a user (registered first if new) a role over an area."""
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        await ensure_user(uow, user_id, now)
        await uow.users.grant(user_id, role, area)
        await uow.commit()


async def audit_entries(session_factory: Factory) -> list[dict[str, Any]]:
    async with session_factory() as session:
        return await SqlUnitOfWork(session).audit.entries()
