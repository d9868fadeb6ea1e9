"""aiogram FSM storage in the SQL database, so dialogs survive a restart without Redis."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRow


def upsert_statement(dialect: str, values: dict[str, Any], update_columns: list[str]) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE, the one place where the two dialects differ."""
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(FsmRow).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[FsmRow.key],
        set_={column: statement.excluded[column] for column in update_columns},
    )


class SqlStorage(BaseStorage):
    """State and data per key in the `fsm_states` table; each call is its own transaction."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = session_factory
        self._keys = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, {"state": value}, ["state"])

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        encoded = json.dumps(dict(data), ensure_ascii=False)
        await self._write(key, {"data": encoded}, ["data"])

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return json.loads(row.data) if row and row.data else {}

    async def close(self) -> None:
        return None

    async def _read(self, key: StorageKey) -> FsmRow | None:
        async with self._sessions() as session:
            return await session.scalar(select(FsmRow).where(FsmRow.key == self._keys.build(key)))

    async def _write(self, key: StorageKey, values: dict[str, Any], columns: list[str]) -> None:
        built = self._keys.build(key)
        now = datetime.now(UTC)
        async with self._sessions() as session:
            dialect = session.bind.dialect.name if session.bind else "sqlite"
            row = {"key": built, "state": None, "data": "{}", "updated_at": now, **values}
            await session.execute(upsert_statement(dialect, row, [*columns, "updated_at"]))
            await session.execute(
                delete(FsmRow).where(
                    FsmRow.key == built, FsmRow.state.is_(None), FsmRow.data == "{}"
                )
            )
            await session.commit()


def create_storage(
    redis_url: str | None, session_factory: async_sessionmaker[AsyncSession]
) -> BaseStorage:
    """Redis when configured (shared by several workers), else the SQL table."""
    if redis_url:
        key_builder = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        return RedisStorage.from_url(redis_url, key_builder=key_builder)
    return SqlStorage(session_factory)
