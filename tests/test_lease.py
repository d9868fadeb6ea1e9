"""The scheduler lease: one worker of a cluster runs the scheduled jobs; another takes over
when it dies. Redis and PostgreSQL run when configured (required in CI)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from bot.config import Settings
from bot.delivery.progress import BroadcastReporter
from bot.i18n import create_i18n
from bot.lease import LeaderGate, LocalLease, PostgresLease, RedisLease, create_lease
from bot.scheduler import reminders_job
from storage.db import create_engine
from tests.conftest import PG_URL, REDIS_URL
from tests.fakes import recording_bot

needs_redis = pytest.mark.skipif(REDIS_URL is None, reason="HOCTAP_TEST_REDIS_URL is not set")
needs_postgres = pytest.mark.skipif(PG_URL is None, reason="HOCTAP_TEST_DATABASE_URL is not set")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL is not None
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@needs_redis
async def test_only_one_redis_worker_holds_the_lease_until_it_lets_go(redis: Redis) -> None:
    name = f"test:{uuid.uuid4().hex}"
    first, second = RedisLease(redis, name), RedisLease(redis, name)
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.acquire()  # renewing keeps it
    assert not await second.acquire()
    await first.release()
    assert await second.acquire()
    assert not await first.acquire()


@needs_redis
async def test_a_redis_holder_that_stops_renewing_is_replaced_and_cannot_take_it_back(
    redis: Redis,
) -> None:
    name = f"test:{uuid.uuid4().hex}"
    dead, alive = RedisLease(redis, name, ttl=0.2), RedisLease(redis, name, ttl=0.2)
    assert await dead.acquire()
    assert not await alive.acquire()
    await asyncio.sleep(0.3)  # the dead worker's key expires
    assert await alive.acquire()
    assert not await dead.acquire()  # its renewal finds another token: it never steals
    assert await redis.get(name) is not None
    await alive.release()
    assert await redis.get(name) is None
    ttl_ms = await redis.pttl(name)
    assert ttl_ms == -2  # gone, not left without an expiry


@needs_redis
async def test_a_redis_lease_always_expires(redis: Redis) -> None:
    name = f"test:{uuid.uuid4().hex}"
    lease = RedisLease(redis, name, ttl=30)
    assert await lease.acquire()
    assert 0 < await redis.pttl(name) <= 30_000
    await lease.close()


HOLDERS = text(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@needs_postgres
async def test_postgresql_lease_is_held_by_one_connection_and_freed_when_it_dies() -> None:
    assert PG_URL is not None
    workers = [create_engine(PG_URL) for _ in range(2)]
    name = f"test-{uuid.uuid4()}"
    first, second = PostgresLease(workers[0], name), PostgresLease(workers[1], name)
    try:
        assert await first.acquire()
        assert await first.acquire()
        assert not await second.acquire()
        async with workers[1].connect() as admin:
            [holder] = (await admin.execute(HOLDERS)).scalars().all()
            # The first worker dies: the server ends its connection, and the lock with it.
            await admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": holder})
        assert await second.acquire()
        assert not await first.acquire()  # back, it finds the lease taken
        await second.close()
        assert await first.acquire()
        await first.close()
        async with workers[1].connect() as admin:
            assert (await admin.execute(HOLDERS)).scalars().all() == []
    finally:
        for engine in workers:
            await engine.dispose()


async def test_sqlite_runs_the_jobs_in_its_one_process(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    try:
        lease = create_lease(None, engine)
        assert isinstance(lease, LocalLease)
        assert await lease.acquire()
    finally:
        await engine.dispose()


class Never:
    async def acquire(self) -> bool:
        return False

    async def release(self) -> None:
        return None

    async def close(self) -> None:
        return None


class Broken(Never):
    async def acquire(self) -> bool:
        raise ConnectionError("redis is down")


async def test_a_worker_without_the_lease_runs_no_reminders() -> None:
    def no_database() -> None:
        raise AssertionError("a worker without the lease must not even open a session")

    stored = await reminders_job(
        no_database,  # type: ignore[arg-type]
        composer=None,  # type: ignore[arg-type]
        zone=Settings(database_url="sqlite+aiosqlite:///x.db").zone,
        now=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        gate=LeaderGate(Never()),
    )
    assert stored == 0


async def test_a_lease_backend_that_fails_means_not_leading_not_crashing() -> None:
    gate = LeaderGate(Broken())
    assert not await gate.check()
    assert not gate.is_leader


async def test_a_worker_without_the_lease_edits_no_progress_message() -> None:
    gate = LeaderGate(Never(), every=0.01)
    ticks: list[int] = []
    bot, _ = recording_bot()

    async def sleep(_: float) -> None:
        reporter.stop()

    reporter = BroadcastReporter(
        None,  # type: ignore[arg-type]
        bot,
        create_i18n("vi"),
        UTC,
        sleep=sleep,
        leading=lambda: gate.is_leader,
    )
    reporter.tick = lambda: ticks.append(1)  # type: ignore[method-assign, assignment, return-value]
    await reporter.run()
    assert ticks == []


@needs_redis
async def test_two_gates_on_one_redis_lead_one_at_a_time_and_hand_over(redis: Redis) -> None:
    name = f"test:{uuid.uuid4().hex}"
    one = LeaderGate(RedisLease(redis, name, ttl=0.3), every=0.05)
    two = LeaderGate(RedisLease(redis, name, ttl=0.3), every=0.05)
    one.start()
    await asyncio.sleep(0.1)
    two.start()
    await asyncio.sleep(0.2)
    assert (one.is_leader, two.is_leader) == (True, False)
    await one.stop()  # a clean stop hands over at the other's next try
    await asyncio.sleep(0.15)
    assert two.is_leader
    await two.stop()
