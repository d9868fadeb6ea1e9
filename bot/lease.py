"""Who runs the scheduled jobs: one process of the cluster, holding a lease.

Several workers may serve one PostgreSQL database (and Redis). Each runs the outbox sender
(rows are claimed with SKIP LOCKED), but reminders and broadcast progress must run once, so
only the holder of a lease runs them. The lease is a Redis key with an expiry when Redis is
configured, else a PostgreSQL advisory lock held by one open connection (freed by the server
the moment that process dies), else, on SQLite, where one process serves the database, this
process. A worker that stops renewing loses the lease; another takes it at its next try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import zlib
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("hoctap.lease")
LEASE_NAME = "hoctap:scheduler"
# Redis: a holder that died is replaced after at most TTL + one try interval (under a minute).
TTL_SECONDS = 30.0
TRY_EVERY_SECONDS = 10.0

# Renew only our own key: another holder's must never be extended or deleted.
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
)
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('del', KEYS[1]) else return 0 end"
)


class Lease(Protocol):
    async def acquire(self) -> bool:
        """Take the lease, or keep it if held; whether this process holds it now."""

    async def release(self) -> None:
        """Give it up (a no-op when not held)."""

    async def close(self) -> None:
        """Give it up and free what it holds open."""


class LocalLease:
    """SQLite: the one process serving the database always holds it."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisLease:
    """A key holding this process's token, with an expiry renewed while it runs."""

    def __init__(
        self, redis: Any, name: str = LEASE_NAME, ttl: float = TTL_SECONDS, owned: bool = False
    ) -> None:
        self._redis, self._key, self._owned = redis, name, owned
        self._ttl_ms = int(ttl * 1000)
        self._token = uuid.uuid4().hex
        self._held = False

    async def acquire(self) -> bool:
        if self._held:
            renewed = await self._redis.eval(_RENEW, 1, self._key, self._token, self._ttl_ms)
            self._held = bool(renewed)
        if not self._held:
            taken = await self._redis.set(self._key, self._token, nx=True, px=self._ttl_ms)
            self._held = bool(taken)
        return self._held

    async def release(self) -> None:
        if self._held:
            await self._redis.eval(_RELEASE, 1, self._key, self._token)
        self._held = False

    async def close(self) -> None:
        await self.release()
        if self._owned:
            await self._redis.aclose()


class PostgresLease:
    """A session-level advisory lock on a connection of its own, kept open while held."""

    def __init__(self, engine: AsyncEngine, name: str = LEASE_NAME) -> None:
        self._engine = engine
        self._key = zlib.crc32(name.encode())  # advisory locks are keyed by a number
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        try:
            if self._connection is not None:
                await self._connection.execute(text("SELECT 1"))  # still ours if still open
                return True
            connection = await self._engine.connect()
            query = text("SELECT pg_try_advisory_lock(:key)")
            if (await connection.execute(query, {"key": self._key})).scalar():
                self._connection = connection
                return True
            await connection.close()  # the lock is not ours: nothing held goes to the pool
        except (DBAPIError, SQLAlchemyError, OSError) as error:
            log.warning("scheduler lease: database unreachable (%s)", type(error).__name__)
            await self._drop()
        return False

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError, SQLAlchemyError, OSError):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
                )
        await self._drop()

    async def close(self) -> None:
        await self.release()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Invalidate, not close: a closed connection goes back to the pool, and a lock
            # it might still hold would go with it.
            with contextlib.suppress(DBAPIError, SQLAlchemyError, OSError):
                await connection.invalidate()
                await connection.close()


class LeaderGate:
    """Tries the lease every few seconds; jobs ask `is_leader` before they run."""

    def __init__(self, lease: Lease, every: float = TRY_EVERY_SECONDS) -> None:
        self._lease, self._every = lease, every
        self.is_leader = False
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> bool:
        """Try now (also what a job calls when it is due)."""
        was = self.is_leader
        try:
            self.is_leader = await self._lease.acquire()
        except Exception:  # a lease backend down must not stop the bot: just don't lead
            log.exception("scheduler lease check failed")
            self.is_leader = False
        if was != self.is_leader:
            log.info("scheduled jobs: %s", "running here" if self.is_leader else "not here")
        return self.is_leader

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scheduler-lease")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.is_leader = False
        await self._lease.close()

    async def _run(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self._every)


def create_lease(redis_url: str | None, engine: AsyncEngine) -> Lease:
    """Redis when configured, else PostgreSQL's advisory lock, else (SQLite) this process."""
    if redis_url:
        from redis.asyncio import Redis

        return RedisLease(Redis.from_url(redis_url), owned=True)
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine)
    return LocalLease()
