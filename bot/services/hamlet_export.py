"""The hamlet's households for its head's spreadsheet: one row each, scope-checked."""

from __future__ import annotations

from datetime import datetime

from bot.domain.export import ExportRow
from bot.domain.users import User
from bot.services.ports import UnitOfWork
from bot.services.scope import check_hamlet

__all__ = ["ExportRow", "hamlet_export_rows"]


async def hamlet_export_rows(
    uow: UnitOfWork, actor: User, hamlet_code: str, year: int, now: datetime
) -> list[ExportRow]:
    """Every household of the hamlet with this year's registration, by name."""
    await check_hamlet(uow, actor, hamlet_code, "export", now)
    rows = [row async for row in uow.export.rows(hamlet_code, year)]
    await uow.audit.record(
        "export", None, {"hamlet": hamlet_code, "rows": len(rows)}, now, actor_id=actor.id
    )
    await uow.commit()
    return rows
