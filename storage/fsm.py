"""aiogram FSM storage in the SQL database, so dialogs survive a restart without Redis."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
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

EMPTY = "{}"


def upsert_statement(dialect: str, values: dict[str, Any], update_columns: list[str]) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE, the one place where the two dialects differ."""
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(FsmRow).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[FsmRow.key],
        set_={column: statement.excluded[column] for column in update_columns},
    )


class SqlStorage(BaseStorage):
    """State and data per key in the `fsm_states` table; each call is its own transaction.

    aiogram-dialog saves its stack and context after every update, changed or not. A write
    equal to what this process last read or wrote for the key is skipped: aiogram-dialog
    serialises each user's updates and always reads a key before writing it, so that copy
    is fresh. The copy is bounded (least recently used keys are forgotten).
    """

    KNOWN_KEYS = 10_000

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = session_factory
        self._keys = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self._known: OrderedDict[str, tuple[str | None, str]] = OrderedDict()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(self._keys.build(key), "state", value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(self._keys.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        encoded = json.dumps(dict(data), ensure_ascii=False)
        await self._write(self._keys.build(key), "data", encoded)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict(json.loads((await self._read(self._keys.build(key)))[1]))

    async def close(self) -> None:
        self._known.clear()

    async def _read(self, built: str) -> tuple[str | None, str]:
        async with self._sessions() as session:
            found = (
                await session.execute(select(FsmRow.state, FsmRow.data).where(FsmRow.key == built))
            ).first()
        return self._remember(built, (found[0], found[1] or EMPTY) if found else (None, EMPTY))

    async def _write(self, built: str, column: str, value: str | None) -> None:
        known = self._known.get(built)
        if known is not None and known[0 if column == "state" else 1] == value:
            return
        now = datetime.now(UTC)
        async with self._sessions() as session:
            dialect = session.bind.dialect.name if session.bind else "sqlite"
            row = {"key": built, "state": None, "data": EMPTY, "updated_at": now, column: value}
            await session.execute(upsert_statement(dialect, row, [column, "updated_at"]))
            if value in (None, EMPTY):  # the row may now hold nothing: don't keep it
                await session.execute(
                    delete(FsmRow).where(
                        FsmRow.key == built, FsmRow.state.is_(None), FsmRow.data == EMPTY
                    )
                )
            await session.commit()
        if known is not None:
            state, data = known
            self._remember(built, (value, data) if column == "state" else (state, value or EMPTY))

    def _remember(self, built: str, value: tuple[str | None, str]) -> tuple[str | None, str]:
        self._known[built] = value
        self._known.move_to_end(built)
        if len(self._known) > self.KNOWN_KEYS:
            self._known.popitem(last=False)
        return value


def create_storage(
    redis_url: str | None, session_factory: async_sessionmaker[AsyncSession]
) -> BaseStorage:
    """Redis when configured (shared by several workers), else the SQL table: through plain
    sqlite3 for a SQLite file (much cheaper per call), through SQLAlchemy otherwise."""
    if redis_url:
        key_builder = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        return RedisStorage.from_url(redis_url, key_builder=key_builder)
    bind = session_factory.kw.get("bind")
    url = bind.url if bind is not None else None
    if (
        url is not None
        and url.get_backend_name() == "sqlite"
        and url.database not in (None, "", ":memory:")
    ):
        from storage.fsm_sqlite import SqliteFsmStorage

        return SqliteFsmStorage(Path(url.database))
    return SqlStorage(session_factory)
