"""Per-user ordering: one user's updates one after another, different users' side by side,
within a worker and across workers sharing Redis or PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram import Dispatcher, Router
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation
from aiogram.types import Chat, Message, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.config import Settings
from bot.i18n import create_i18n
from storage.db import create_engine, create_session_factory
from storage.fsm import LocalEventIsolation, PgEventIsolation, create_isolation, create_storage
from tests.conftest import PG_URL, REDIS_URL
from tests.fakes import recording_bot

needs_redis = pytest.mark.skipif(REDIS_URL is None, reason="HOCTAP_TEST_REDIS_URL is not set")
needs_postgres = pytest.mark.skipif(PG_URL is None, reason="HOCTAP_TEST_DATABASE_URL is not set")
Factory = async_sessionmaker[AsyncSession]
HANDLING_SECONDS = 0.05


class Worker:
    """A dispatcher built with the project's storage and isolation factories, with a handler
    that notes when it starts and ends an update, and sleeps in between."""

    def __init__(
        self, session_factory: Factory, redis_url: str | None, log: list[str] | None = None
    ) -> None:
        self.log: list[str] = [] if log is None else log
        self.storage = create_storage(redis_url, session_factory)
        self.isolation = create_isolation(self.storage, session_factory)
        self.dp = Dispatcher(storage=self.storage, events_isolation=self.isolation)
        self.dp.include_router(_recording_router(self.log))
        self.bot, _ = recording_bot()
        self._ids = iter(range(1, 1000))

    async def deliver(self, user_id: int, text: str) -> None:
        message = Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=User(id=user_id, is_bot=False, first_name=f"U{user_id}"),
            text=text,
        )
        await self.dp.feed_update(self.bot, Update(update_id=next(self._ids), message=message))

    async def close(self) -> None:
        await self.isolation.close()
        await self.storage.close()


def _recording_router(log: list[str]) -> Router:
    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        log.append(f"start {message.text}")
        await asyncio.sleep(HANDLING_SECONDS)
        log.append(f"end {message.text}")

    return router


@pytest.fixture
async def worker(session_factory: Factory, redis_url: str | None) -> AsyncIterator[Worker]:
    """On each backend: SQLite alone, SQLite with Redis, PostgreSQL alone, with Redis."""
    one = Worker(session_factory, redis_url)
    yield one
    await one.close()


async def test_one_users_updates_are_handled_one_after_the_other(worker: Worker) -> None:
    log = worker.log

    await asyncio.gather(worker.deliver(7, "a"), worker.deliver(7, "b"))

    assert sorted(log) == ["end a", "end b", "start a", "start b"]
    first, second = log[0].split()[1], log[2].split()[1]
    assert log == [f"start {first}", f"end {first}", f"start {second}", f"end {second}"]


async def test_different_users_are_handled_side_by_side(worker: Worker) -> None:
    log = worker.log

    await asyncio.gather(worker.deliver(7, "a"), worker.deliver(8, "b"))

    assert sorted(log[:2]) == ["start a", "start b"]


async def test_the_isolation_fits_the_backend(
    worker: Worker, session_factory: Factory, redis_url: str | None
) -> None:
    dialect = session_factory.kw["bind"].dialect.name
    expected = (
        RedisEventIsolation
        if redis_url
        else PgEventIsolation
        if dialect == "postgresql"
        else LocalEventIsolation
    )
    assert type(worker.isolation) is expected


async def test_the_bot_is_built_with_that_isolation(
    session_factory: Factory, redis_url: str | None
) -> None:
    settings = Settings(database_url="sqlite+aiosqlite:///unused.db", redis_url=redis_url)
    dp = build_dispatcher(settings, session_factory, create_i18n("vi"))
    try:
        storage = dp.storage
        assert type(dp.fsm.events_isolation) is type(create_isolation(storage, session_factory))
    finally:
        await dp.storage.close()


async def test_local_locks_are_forgotten_once_free() -> None:
    isolation = LocalEventIsolation()
    key = StorageKey(bot_id=42, chat_id=7, user_id=7)
    order: list[str] = []

    async def hold(name: str) -> None:
        async with isolation.lock(key):
            order.append(name)
            assert isolation.keys_held() == 1
            await asyncio.sleep(0.01)

    await asyncio.gather(hold("a"), hold("b"), hold("c"))

    assert order == ["a", "b", "c"]
    assert isolation.keys_held() == 0


# --- Several workers ---------------------------------------------------------------------

SHARED = [
    pytest.param("sqlite", REDIS_URL, marks=needs_redis, id="redis"),
    pytest.param("postgresql", None, marks=needs_postgres, id="postgresql"),
]


@pytest.mark.parametrize(("database_kind", "shared_redis"), SHARED, indirect=["database_kind"])
async def test_two_workers_take_one_users_updates_in_turn(
    migrated_url: str, shared_redis: str | None
) -> None:
    log: list[str] = []
    engines = [create_engine(migrated_url) for _ in range(2)]
    workers = [Worker(create_session_factory(e), shared_redis, log) for e in engines]
    try:
        await asyncio.gather(
            workers[0].deliver(7, "a"), workers[1].deliver(7, "b"), workers[1].deliver(8, "c")
        )
        mine = [entry for entry in log if not entry.endswith("c")]
        first, second = mine[0].split()[1], mine[2].split()[1]
        assert mine == [f"start {first}", f"end {first}", f"start {second}", f"end {second}"]
        assert log.index("start c") < log.index(f"end {first}")  # another user goes on
    finally:
        for one in workers:
            await one.close()
        for engine in engines:
            await engine.dispose()


@needs_postgres
@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
async def test_postgresql_locks_hold_no_connection_once_free(
    session_factory: Factory, database_kind: str
) -> None:
    isolation = create_isolation(create_storage(None, session_factory), session_factory)
    pool = session_factory.kw["bind"].sync_engine.pool
    key = StorageKey(bot_id=42, chat_id=7, user_id=7)

    async with isolation.lock(key):
        assert pool.checkedout() == 1
    assert pool.checkedout() == 0
