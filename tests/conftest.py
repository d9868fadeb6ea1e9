"""Shared fixtures: every database test runs on SQLite, and on PostgreSQL/Redis when set.

HOCTAP_TEST_DATABASE_URL (postgresql+asyncpg://...) and HOCTAP_TEST_REDIS_URL add the second
backends. Under CI=true they are required: a missing one fails the run instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

PG_URL = os.environ.get("HOCTAP_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("HOCTAP_TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent

DATABASES = ["sqlite", *(["postgresql"] if PG_URL else [])]
FSM_BACKENDS = ["sql", *(["redis"] if REDIS_URL else [])]


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not (PG_URL and REDIS_URL):
        raise pytest.UsageError(
            "CI=true but HOCTAP_TEST_DATABASE_URL or HOCTAP_TEST_REDIS_URL is not set: "
            "the PostgreSQL and Redis runs are required in CI"
        )


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def reset_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each configured kind (not yet migrated)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    assert PG_URL is not None
    await reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def uow(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[SqlUnitOfWork]:
    async with session_factory() as session:
        yield SqlUnitOfWork(session)


@pytest.fixture(params=FSM_BACKENDS)
async def redis_url(request: pytest.FixtureRequest) -> str | None:
    """None for the SQL-backed FSM storage, else a flushed Redis database."""
    if request.param == "sql":
        return None
    assert REDIS_URL is not None
    await reset_redis(REDIS_URL)
    return REDIS_URL
