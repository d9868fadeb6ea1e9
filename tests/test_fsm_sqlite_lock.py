"""Two users at once on SQLite: dialog state is saved while another update holds the lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from aiogram.fsm.storage.base import StorageKey

from bot.domain.users import User
from storage.db import create_engine, create_session_factory
from storage.fsm_sqlite import SqliteFsmStorage
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

KEY = StorageKey(bot_id=42, chat_id=1, user_id=1)


async def test_state_is_saved_once_the_other_update_commits(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    storage = SqliteFsmStorage(path)
    async with create_session_factory(engine)() as session:
        uow = SqlUnitOfWork(session)
        await uow.users.add(User(id=7), datetime.now(UTC))  # flushed: holds the write lock

        async def commit_a_little_later() -> None:
            await asyncio.sleep(0.05)
            await uow.commit()

        # Before the fix the FSM write blocked the loop until "database is locked" (5 s).
        await asyncio.wait_for(
            asyncio.gather(storage.set_state(KEY, "RegistrationSG:name"), commit_a_little_later()),
            timeout=3,
        )
    assert await storage.get_state(KEY) == "RegistrationSG:name"
    await storage.close()
    await engine.dispose()
