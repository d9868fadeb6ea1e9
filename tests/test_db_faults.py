"""Database faults in the middle of a family's registration: SQLite locked by someone else
(waited out within the busy timeout, or else answered "not saved, send it again"), and
PostgreSQL connections lost between two answers (a fresh one is taken) or during one (the
step is not saved, the user is told, and sending it again works). Nothing half-saved."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.areas import import_areas
from storage.db import create_engine, create_session_factory
from storage.uow import SqlUnitOfWork
from tests.conftest import PG_URL
from tests.test_dialogs import AREAS
from tests.test_household_dialogs import ENGLISH, Family

NOT_SAVED = "⚠️ Sorry, the bot was too busy to save that, so nothing changed. Please send it again."
ASKS_NAME = "of the head of household"
ASKS_PHONE = "phone"


async def to_the_name_question(family: Family) -> None:
    await family.send("/start")
    await family.click("📝 Register my family")
    await family.click("✅ I agree")
    await family.click("📍 Choose commune and hamlet")
    await family.click("Xã Đông Hòa")
    await family.click("Thôn Đoài")
    asked = await family.click("✅ Yes, save")
    assert ASKS_NAME in (asked.text or "")


@pytest.fixture
async def sqlite_family(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Family, Path]]:
    """A family on a SQLite file whose busy timeout is short, so that a test can outlast it."""
    monkeypatch.setattr("storage.db.SQLITE_BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr("storage.fsm_sqlite.SQLITE_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "bot.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    factory = create_session_factory(engine)
    async with factory() as session:
        assert (await import_areas(SqlUnitOfWork(session), AREAS)).ok
    family = Family(factory, None)
    family.as_user(ENGLISH)
    yield family, path
    await family.close()
    await engine.dispose()


def locked(path: Path) -> sqlite3.Connection:
    """Another program holding SQLite's write lock (readers still read: WAL)."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_a_lock_shorter_than_the_busy_timeout_is_waited_out(
    sqlite_family: tuple[Family, Path],
) -> None:
    family, path = sqlite_family
    await to_the_name_question(family)
    holder = locked(path)
    threading.Timer(0.1, holder.rollback).start()  # released well within the 300 ms

    asked = await family.send("Nguyễn Văn An")

    assert ASKS_PHONE in (asked.text or "")
    assert NOT_SAVED not in family.errors()
    holder.close()


async def test_a_lock_outlasting_the_busy_timeout_is_answered_and_nothing_changes(
    sqlite_family: tuple[Family, Path], caplog: pytest.LogCaptureFixture
) -> None:
    family, path = sqlite_family
    await to_the_name_question(family)
    holder = locked(path)

    with caplog.at_level(logging.WARNING):
        await family.client.send("Nguyễn Văn An")
    holder.rollback()
    holder.close()

    assert family.errors()[-1] == NOT_SAVED
    assert "Nguyễn" not in caplog.text  # what the user typed is never logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    again = await family.send("Nguyễn Văn An")  # the same question is still waiting
    assert ASKS_PHONE in (again.text or "")


# PostgreSQL only (required in CI): the database fixtures' kind is narrowed to it.
needs_postgres = pytest.mark.skipif(PG_URL is None, reason="needs HOCTAP_TEST_DATABASE_URL")
on_postgres = pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)


@pytest.fixture
async def postgres_family(session_factory: Any) -> AsyncIterator[Family]:
    async with session_factory() as session:
        assert (await import_areas(SqlUnitOfWork(session), AREAS)).ok
    family = Family(session_factory, None)
    family.as_user(ENGLISH)
    yield family
    await family.close()


async def terminate_others(engine: AsyncEngine) -> int:
    """What a database restart or a network cut does to the pool's idle connections."""
    async with engine.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        return int(found.scalar_one())


@needs_postgres
@on_postgres
async def test_connections_lost_between_two_answers_are_replaced(
    postgres_family: Family, engine: AsyncEngine
) -> None:
    await to_the_name_question(postgres_family)
    assert await terminate_others(engine) >= 1

    asked = await postgres_family.send("Nguyễn Văn An")

    assert ASKS_PHONE in (asked.text or "")
    assert NOT_SAVED not in postgres_family.errors()


@needs_postgres
@on_postgres
async def test_a_connection_lost_during_an_answer_saves_nothing_and_says_so(
    postgres_family: Family, engine: AsyncEngine
) -> None:
    await to_the_name_question(postgres_family)
    cut = {"armed": True}

    def cut_once(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if cut["armed"] and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            cut["armed"] = False
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    event.listen(engine.sync_engine, "before_cursor_execute", cut_once)
    try:
        await postgres_family.client.send("Nguyễn Văn An")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", cut_once)

    assert not cut["armed"]
    assert postgres_family.errors()[-1] == NOT_SAVED
    again = await postgres_family.send("Nguyễn Văn An")
    assert ASKS_PHONE in (again.text or "")
