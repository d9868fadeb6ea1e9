"""Shared fixtures: every database test runs on SQLite, and on PostgreSQL/Redis when set.

HOCTAP_TEST_DATABASE_URL (postgresql+asyncpg://...) and HOCTAP_TEST_REDIS_URL add the second
backends. Under CI=true they are required: a missing one fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram_dialog.test_tools import MockMessageManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.fakes import checked_show_message
from tests.spec_check import REQUESTS

# Under `pytest -n N` each worker ("gw0", "gw1"...) gets its own PostgreSQL database and
# Redis database, so that workers never reset each other's data.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
BASE_PG_URL = os.environ.get("HOCTAP_TEST_DATABASE_URL")


def _worker_number() -> int:
    return int(WORKER.removeprefix("gw")) if WORKER.startswith("gw") else 0


def _worker_pg_url(url: str | None) -> str | None:
    if url is None or not WORKER:
        return url
    base, _, name = url.rpartition("/")
    return f"{base}/{name}_{WORKER}"


def _worker_redis_url(url: str | None) -> str | None:
    if url is None or not WORKER:
        return url
    base, _, index = url.rpartition("/")
    number = int(index or 0)
    mine = number - _worker_number() if number >= _worker_number() else number + _worker_number()
    return f"{base}/{mine}"


PG_URL = _worker_pg_url(BASE_PG_URL)
REDIS_URL = _worker_redis_url(os.environ.get("HOCTAP_TEST_REDIS_URL"))
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
    if BASE_PG_URL and PG_URL != BASE_PG_URL:
        asyncio.run(create_database(BASE_PG_URL, PG_URL.rpartition("/")[2]))


async def create_database(server_url: str, name: str) -> None:
    """Create the worker's database on the server of `server_url` unless it exists."""
    engine = create_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not found:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


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


# Whether the PostgreSQL test database holds the schema at head (emptied between tests), or
# was dropped by a test that wanted an empty database.
_POSTGRES = {"migrated": False}


async def truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        names = await connection.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        tables = ", ".join(f'"{name}"' for name in names if name != "alembic_version")
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


async def migrate(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()


@pytest.fixture(params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(database_kind: str, tmp_path: Path) -> str:
    """An empty database of each configured kind (not yet migrated)."""
    if database_kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    assert PG_URL is not None
    await reset_postgres(PG_URL)
    _POSTGRES["migrated"] = False
    return PG_URL


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per run; each test gets a copy (migrating costs
    about half a second, a copy a millisecond)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    asyncio.run(migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
async def migrated_url(database_kind: str, tmp_path: Path, sqlite_template: Path) -> str:
    """A database at the head revision with no rows, of each configured kind."""
    if database_kind == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(sqlite_template, target)
        return f"sqlite+aiosqlite:///{target}"
    return await fresh_postgres()


async def fresh_postgres() -> str:
    """The PostgreSQL test database at the head revision with no rows."""
    assert PG_URL is not None
    if _POSTGRES["migrated"]:
        await truncate_postgres(PG_URL)
    else:
        await reset_postgres(PG_URL)
        await migrate(PG_URL)
        _POSTGRES["migrated"] = True
    return PG_URL


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_url)
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


@pytest.fixture(autouse=True)
def valid_bot_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fails, at teardown, a test that made any Bot API request Telegram would refuse
    (tests/spec_check.py: the fakes check each request; dialog windows are checked too)."""
    monkeypatch.setattr(MockMessageManager, "show_message", checked_show_message)
    REQUESTS.start()
    yield
    if failure := REQUESTS.failure():
        pytest.fail(failure, pytrace=False)
