"""Small helpers shared by several test modules."""

from __future__ import annotations

from bot.services.areas import import_areas
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork


async def seed_areas(url: str, csv_text: str) -> None:
    """Set up a database without the CLI: migrate it and load areas."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            report = await import_areas(SqlUnitOfWork(session), csv_text)
        assert report.ok, report.errors
    finally:
        await engine.dispose()
