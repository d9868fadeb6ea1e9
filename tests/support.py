"""Small helpers shared by several test modules."""

from __future__ import annotations

from bot.services.areas import import_areas
from storage.uow import migrated_unit_of_work


async def seed_areas(url: str, csv_text: str) -> None:
    """Set up a database without the CLI: migrate it and load areas."""
    async with migrated_unit_of_work(url) as uow:
        report = await import_areas(uow, csv_text)
    assert report.ok, report.errors
