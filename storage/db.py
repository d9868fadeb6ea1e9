"""Engine and session factory: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL; the
read caches each database's repositories share."""

from __future__ import annotations

import sqlite3
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    """Create the engine; for a SQLite file, make its folder and set the pragmas per connection."""
    if is_sqlite(url):
        parsed = make_url(url)
        database = parsed.database or ":memory:"
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        if parsed.query:  # URI options: left to aiosqlite's own connect
            timeout = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            engine = create_async_engine(url, connect_args=timeout)
        else:
            engine = create_async_engine(url, async_creator=partial(_connect, database))
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


# ---- SQLite in one thread hop per statement ---------------------------------------------
# aiosqlite runs each call in its connection's thread: through SQLAlchemy a SELECT is four
# hops (cursor, execute, fetchall, close), and every session's end one more (rollback), even
# with nothing to roll back. A hop costs more than the statement. These do each statement in
# one hop and skip commit/rollback outside a transaction (sqlite3 would do nothing there).


async def _connect(database: str) -> OneHopConnection:
    connector = partial(
        sqlite3.connect,
        database,
        timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
    )
    connection = OneHopConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy's own aiosqlite connect does
    await connection
    return connection


class OneHopConnection(aiosqlite.Connection):
    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    async def commit(self) -> None:
        if self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            await super().rollback()


class OneHopCursor:
    """The aiosqlite cursor SQLAlchemy uses, with the rows fetched as the statement runs."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._rows = []

    async def execute(self, sql: str, parameters: Any = ()) -> OneHopCursor:
        run = partial(_run, self._connection._conn, "execute", sql, parameters)
        (
            self.description,
            self.rowcount,
            self.lastrowid,
            self._rows,
        ) = await self._connection._execute(run)
        return self

    async def executemany(self, sql: str, parameters: Any) -> OneHopCursor:
        run = partial(_run, self._connection._conn, "executemany", sql, parameters)
        (
            self.description,
            self.rowcount,
            self.lastrowid,
            self._rows,
        ) = await self._connection._execute(run)
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


def _run(
    connection: sqlite3.Connection, method: str, sql: str, parameters: Any
) -> tuple[Any, int, int | None, list[Any]]:
    """In the connection's thread: the statement, its rows, and what the cursor tells."""
    cursor = connection.cursor()
    try:
        getattr(cursor, method)(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


# ---- Read caches ----------------------------------------------------------------------------
# The bot is one process per database, so what it read of rarely changing rows (users and
# their roles, areas) stays true until it writes them itself: every repository method that
# writes such rows calls `written`, which forgets them now and again when the transaction
# ends. Entries also expire, bounding what a change by another process (a CLI import) costs.

CACHE_SECONDS = 60.0
EVERYTHING: Any = object()  # `written(session, EVERYTHING)`: a bulk write, forget them all
_PENDING = "hoctap.read_cache.pending"
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ReadCache(Generic[K, V]):
    """Values read in committed state, by key, for `seconds`; at most `size` of them."""

    def __init__(
        self,
        seconds: float = CACHE_SECONDS,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds, self._size, self._clock = seconds, size, clock
        self._values: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._generation = 0  # changes with every write: a read begun before it is not kept

    def get(self, session: AsyncSession, key: K) -> tuple[int, V | None]:
        """(a token for `put`, the value kept for `key` or None)."""
        found = self._values.get(key)
        if found is None or found[0] < self._clock() or _pending(session, self, key):
            return self._generation, None
        return self._generation, found[1]

    def put(self, session: AsyncSession, key: K, value: V, token: int) -> None:
        """Keep what was read, unless a write happened since `get` gave `token`."""
        if token != self._generation or _pending(session, self, key):
            return
        self._values[key] = (self._clock() + self._seconds, value)
        self._values.move_to_end(key)
        if len(self._values) > self._size:
            self._values.popitem(last=False)

    async def through(
        self, session: AsyncSession, key: K, load: Callable[[], Awaitable[V | None]]
    ) -> V | None:
        """The value kept for `key`, else what `load` reads (kept when not None)."""
        token, found = self.get(session, key)
        if found is None:
            found = await load()
            if found is not None:
                self.put(session, key, found, token)
        return found

    def written(self, session: AsyncSession, key: K) -> None:
        """`session` changes the rows behind `key` (or EVERYTHING): forget them now, read
        around the cache in this session, and forget them again when its transaction ends."""
        self._forget(key)
        info = session.sync_session.info
        if _PENDING not in info:
            info[_PENDING] = []
            event.listen(session.sync_session, "after_transaction_end", _transaction_ended)
        info[_PENDING].append((self, key))

    def _forget(self, key: K) -> None:
        self._generation += 1
        if key is EVERYTHING:
            self._values.clear()
        else:
            self._values.pop(key, None)


_CACHES: WeakKeyDictionary[Engine, dict[str, ReadCache[Any, Any]]] = WeakKeyDictionary()


def read_cache(session: AsyncSession, name: str) -> ReadCache[Any, Any]:
    """The cache `name` of the database `session` works on (one set per engine)."""
    engine = session.bind.sync_engine if isinstance(session.bind, AsyncEngine) else None
    # Only SQLite is cached: it is served by one process. PostgreSQL is for several workers,
    # where a role revoked in one must count at once in the others.
    if engine is None or engine.dialect.name != "sqlite":
        return ReadCache(seconds=0.0)
    caches = _CACHES.setdefault(engine, {})
    return caches.setdefault(name, ReadCache())


def _pending(session: AsyncSession, cache: ReadCache[Any, Any], key: Any) -> bool:
    pending = session.sync_session.info.get(_PENDING) or ()
    return any(c is cache and k in (key, EVERYTHING) for c, k in pending)


def _transaction_ended(session: Any, transaction: Any) -> None:
    if transaction.parent is None:
        for cache, key in session.info.get(_PENDING) or ():
            cache._forget(key)
        session.info[_PENDING] = []
