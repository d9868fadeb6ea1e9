"""aiogram FSM storage in the SQL database, so dialogs survive a restart without Redis; and
the per-user locks (event isolation) that fit each backend."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections import OrderedDict
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

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


def create_isolation(
    storage: BaseStorage, session_factory: async_sessionmaker[AsyncSession]
) -> BaseEventIsolation:
    """One user's updates one after another, in every worker: a Redis lock with Redis, an
    advisory lock on PostgreSQL, else (SQLite: one process) a lock in this process."""
    if isinstance(storage, RedisStorage):
        return storage.create_isolation(lock_kwargs={"timeout": 60, "sleep": 0.02})
    bind = session_factory.kw.get("bind")
    if bind is not None and bind.dialect.name == "postgresql":
        return PgEventIsolation(bind)
    return LocalEventIsolation()


class LocalEventIsolation(BaseEventIsolation):
    """aiogram's SimpleEventIsolation, which keeps a lock per user for ever, except that a
    key's lock is forgotten once nobody holds it or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users > 1:
                self._locks[key] = (lock, users - 1)
            else:
                del self._locks[key]

    async def close(self) -> None:
        return None  # nothing to free: updates still finishing keep their locks

    def keys_held(self) -> int:
        """Keys locked or awaited (not `__len__`: an empty isolation would be falsy, and
        aiogram's Dispatcher takes a falsy one for none)."""
        return len(self._locks)


class PgEventIsolation(BaseEventIsolation):
    """Per-user locks shared by the workers of one PostgreSQL database, without Redis.

    A key is locked in this process first, then with a session-level advisory lock taken on
    the one connection this process uses for all its locks while any is held (given back to
    the pool when none is): a connection per worker however many updates wait, none held in a
    blocking call, and the server frees the locks of a worker that dies with its connection.
    A lock another worker holds is tried again every few milliseconds: one user's updates
    rarely race.
    """

    NAMESPACE = 0x686F6374  # "hoct": the first half of every key, apart from other locks

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._local = LocalEventIsolation()
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()  # one statement at a time on the connection
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        number = _lock_number(self._keys.build(key, "lock"))
        try:
            async with self._local.lock(key):
                await self._acquire(number)
                try:
                    yield
                finally:
                    await self._release(number)
        finally:
            await self._give_back()

    async def close(self) -> None:
        await self._give_back()

    async def _acquire(self, number: int) -> None:
        wait = 0.005
        while not await self._run(func.pg_try_advisory_lock(self.NAMESPACE, number)):
            await asyncio.sleep(wait)
            wait = min(wait * 2, 0.1)

    async def _release(self, number: int) -> None:
        with contextlib.suppress(SQLAlchemyError):  # else the connection went, and the lock
            await self._run(func.pg_advisory_unlock(self.NAMESPACE, number))

    async def _run(self, call: Any) -> Any:
        async with self._turn:
            try:
                if self._connection is None:
                    self._connection = await self._engine.connect()
                    await self._connection.execution_options(isolation_level="AUTOCOMMIT")
                return await self._connection.scalar(select(call))
            except BaseException:
                await self._drop()  # a broken (or interrupted) connection is not reused
                raise

    async def _give_back(self) -> None:
        """To the pool, once this process holds and awaits no lock (every lock taken on
        the connection is taken, and released, within one of this process)."""
        async with self._turn:
            if self._connection is not None and not self._local.keys_held():
                connection, self._connection = self._connection, None
                await connection.close()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Invalidated, not returned to the pool with whatever lock it may still hold.
            with contextlib.suppress(SQLAlchemyError, OSError):
                await connection.invalidate()
            await connection.close()


def _lock_number(built: str) -> int:
    """The second half of an advisory lock's key (a signed 32-bit number)."""
    return int.from_bytes(hashlib.blake2b(built.encode(), digest_size=4).digest(), signed=True)
