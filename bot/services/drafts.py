"""Drafts: what a user had entered in a dialog they left, kept until finished or discarded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.services.ports import UnitOfWork


async def save_draft(
    uow: UnitOfWork, user_id: int, dialog: str, data: dict[str, Any], now: datetime
) -> bool:
    """Keep `data` for later; an empty dialog leaves nothing to keep. True when saved."""
    if not data:
        return False
    await uow.drafts.put(user_id, dialog, data, now)
    await uow.commit()
    return True


async def load_draft(uow: UnitOfWork, user_id: int, dialog: str) -> dict[str, Any] | None:
    return await uow.drafts.get(user_id, dialog)


async def discard_draft(uow: UnitOfWork, user_id: int, dialog: str) -> None:
    await uow.drafts.delete(user_id, dialog)
    await uow.commit()
