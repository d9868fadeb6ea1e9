"""Updates already taken, so that one Telegram delivers again is skipped (see bot/dedupe.py).

A claim is (bot id, update id) and a digest of the update's content. Telegram never sends two
different updates under one id, but the console and test clients count ids from 1 on each
run: a claim whose digest differs is therefore taken over, not refused. Three windows, each
bounded: Redis keys that expire, `seen_updates` rows pruned now and then, or, for a SQLite
database (served by one process), a bounded window in that process's memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.hamlets import dialect_insert
from storage.models import SeenUpdateRow

WINDOW = timedelta(hours=24)

# One round trip, atomic: refused only when the same update holds the key.
_REDIS_CLAIM = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


def redis_key(bot_id: int, update_id: int) -> str:
    return f"hoctap:update:{bot_id}:{update_id}"


class RedisUpdateClaims:
    """Claims as keys that expire after the window: Redis forgets them by itself."""

    def __init__(self, redis: Redis, window: timedelta = WINDOW) -> None:
        self._redis = redis
        self._claim = redis.register_script(_REDIS_CLAIM)
        self._seconds = int(window.total_seconds())

    async def claim(self, bot_id: int, update_id: int, digest: str) -> bool:
        keys = [redis_key(bot_id, update_id)]
        return bool(await self._claim(keys=keys, args=[digest, self._seconds]))

    async def release(self, bot_id: int, update_id: int) -> None:
        await self._redis.delete(redis_key(bot_id, update_id))


class SqlUpdateClaims:
    """Claims as `seen_updates` rows; every `prune_every`-th claim (the first one included)
    also deletes the rows older than the window, so the table holds about one window."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        window: timedelta = WINDOW,
        prune_every: int = 1000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions, self._window, self._clock = session_factory, window, clock
        self._prune_every = prune_every
        self._claims = 0

    async def claim(self, bot_id: int, update_id: int, digest: str) -> bool:
        now = self._clock()
        row = {"bot_id": bot_id, "update_id": update_id, "digest": digest, "seen_at": now}
        async with self._sessions() as session:
            taken = await session.execute(_claim_statement(session, row))
            if self._claims % self._prune_every == 0:
                cutoff = now - self._window
                await session.execute(delete(SeenUpdateRow).where(SeenUpdateRow.seen_at < cutoff))
            await session.commit()
        self._claims += 1
        return bool(getattr(taken, "rowcount", 0))

    async def release(self, bot_id: int, update_id: int) -> None:
        async with self._sessions() as session:
            await session.execute(
                delete(SeenUpdateRow).where(
                    SeenUpdateRow.bot_id == bot_id, SeenUpdateRow.update_id == update_id
                )
            )
            await session.commit()


def _claim_statement(session: AsyncSession, row: dict[str, Any]) -> Any:
    """Insert, or take over a claim made with another digest; rowcount 0: already taken."""
    insert = dialect_insert(session)(SeenUpdateRow).values(**row)
    return insert.on_conflict_do_update(
        index_elements=[SeenUpdateRow.bot_id, SeenUpdateRow.update_id],
        set_={"digest": insert.excluded.digest, "seen_at": insert.excluded.seen_at},
        where=SeenUpdateRow.digest != insert.excluded.digest,
    )


class MemoryUpdateClaims:
    """Claims in this process: the most recent `size` of them, each for the window."""

    def __init__(
        self,
        window: timedelta = WINDOW,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds, self._size, self._clock = window.total_seconds(), size, clock
        self._seen: OrderedDict[tuple[int, int], tuple[str, float]] = OrderedDict()

    async def claim(self, bot_id: int, update_id: int, digest: str) -> bool:
        key, now = (bot_id, update_id), self._clock()
        found = self._seen.get(key)
        if found is not None and found[0] == digest and found[1] > now:
            return False
        self._seen[key] = (digest, now + self._seconds)
        self._seen.move_to_end(key)
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True

    async def release(self, bot_id: int, update_id: int) -> None:
        self._seen.pop((bot_id, update_id), None)

    def remembered(self) -> int:
        return len(self._seen)


def create_update_claims(
    storage: BaseStorage, session_factory: async_sessionmaker[AsyncSession]
) -> RedisUpdateClaims | SqlUpdateClaims | MemoryUpdateClaims:
    """Where the dialog state is shared, the claims are too: Redis on Redis, else the
    database, except SQLite, whose one process keeps them in memory (a write less per update)."""
    if isinstance(storage, RedisStorage):
        return RedisUpdateClaims(storage.redis)
    bind = session_factory.kw.get("bind")
    if bind is not None and bind.dialect.name == "sqlite":
        return MemoryUpdateClaims()
    return SqlUpdateClaims(session_factory)
