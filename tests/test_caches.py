"""The read caches (storage/db.py): users, areas and criteria texts are read once, and every
write this process makes is seen by the next read, whichever unit of work made it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.areas import Area
from bot.domain.users import Role, RoleGrant, User
from bot.services.users import ensure_user
from storage.db import ReadCache, create_engine, create_session_factory
from storage.fsm_sqlite import SqliteFsmStorage
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.support import load_areas

NOW = datetime(2025, 3, 1, tzinfo=UTC)
AREAS = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã Đông Hòa,commune,P
H1,Thôn Đông,hamlet,C1
H2,Thôn Đoài,hamlet,C1
"""
Factory = async_sessionmaker[AsyncSession]
Write = Callable[[SqlUnitOfWork], Awaitable[object]]


async def read_user(session_factory: Factory, user_id: int = 1) -> User | None:
    async with session_factory() as session:
        return await SqlUnitOfWork(session).users.get(user_id)


async def in_one_unit(session_factory: Factory, write: Write) -> None:
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        await write(uow)
        await uow.commit()


class Statements:
    """Counts the statements sent to the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1


@pytest.fixture
async def known_user(session_factory: Factory) -> Factory:
    await load_areas(session_factory, AREAS)
    await in_one_unit(session_factory, lambda uow: ensure_user(uow, 1, NOW))
    return session_factory


def cached(engine: AsyncEngine) -> bool:
    """Only SQLite (one process) is cached; PostgreSQL serves several workers, read afresh."""
    return engine.dialect.name == "sqlite"


async def test_a_user_is_read_once(known_user: Factory, engine: AsyncEngine) -> None:
    await read_user(known_user)
    statements = Statements(engine)

    for _ in range(3):
        assert await read_user(known_user) == User(id=1)

    assert (statements.count == 0) == cached(engine)


USER_WRITES: dict[str, tuple[Write, Callable[[User], object]]] = {
    "language": (lambda uow: uow.users.set_language(1, "en"), lambda u: u.language),
    "area": (lambda uow: uow.users.set_area(1, "H1"), lambda u: u.area_code),
    "consent": (lambda uow: uow.users.set_consent(1, 3, NOW), lambda u: u.consent_version),
    "unreachable": (lambda uow: uow.users.set_unreachable(1, NOW), lambda u: u.unreachable),
    "grant": (lambda uow: uow.users.grant(1, Role.HAMLET_HEAD, "H1"), lambda u: u.grants),
    "relocate": (lambda uow: uow.areas.relocate("H2", "H1"), lambda u: u.area_code),
}


@pytest.mark.parametrize("name", USER_WRITES)
async def test_a_write_through_one_unit_is_seen_by_the_next_read(
    known_user: Factory, name: str
) -> None:
    write, field = USER_WRITES[name]
    if name == "relocate":
        await in_one_unit(known_user, lambda uow: uow.users.set_area(1, "H2"))
    before = await read_user(known_user)
    assert before is not None

    await in_one_unit(known_user, write)

    after = await read_user(known_user)
    assert after is not None
    assert field(after) != field(before)


async def test_a_revoked_role_is_gone_at_the_next_read(known_user: Factory) -> None:
    await in_one_unit(known_user, lambda uow: uow.users.grant(1, Role.HAMLET_HEAD, "H1"))
    assert await read_user(known_user) == User(id=1, grants=(RoleGrant(Role.HAMLET_HEAD, "H1"),))

    await in_one_unit(known_user, lambda uow: uow.users.revoke(1, Role.HAMLET_HEAD, "H1"))

    assert await read_user(known_user) == User(id=1)


async def test_a_unit_reads_its_own_write_and_a_rollback_leaves_nothing_behind(
    known_user: Factory,
) -> None:
    await read_user(known_user)
    async with known_user() as session:
        uow = SqlUnitOfWork(session)
        await uow.users.set_language(1, "en")
        assert await uow.users.get(1) == User(id=1, language="en")
        await uow.rollback()

    assert await read_user(known_user) == User(id=1)


async def test_a_read_during_a_write_is_not_kept_past_its_commit(known_user: Factory) -> None:
    await read_user(known_user)
    async with known_user() as writing:
        uow = SqlUnitOfWork(writing)
        await uow.users.set_language(1, "en")
        during = await read_user(known_user)  # another update, before the commit
        assert during == User(id=1)
        await uow.commit()

    assert await read_user(known_user) == User(id=1, language="en")


async def test_areas_are_read_once_and_renamed_at_once(
    known_user: Factory, engine: AsyncEngine
) -> None:
    async with known_user() as session:
        path = await SqlUnitOfWork(session).areas.path("H1")
    statements = Statements(engine)
    async with known_user() as session:
        areas = SqlUnitOfWork(session).areas
        assert await areas.path("H1") == path
        assert [a.code for a in await areas.children("C1")] == ["H2", "H1"]  # by name
    first_reads = statements.count

    renamed = Area("H1", "Thôn Ánh Dương", "hamlet", "C1")
    await in_one_unit(known_user, lambda uow: uow.areas.upsert_many([renamed]))
    await in_one_unit(known_user, lambda uow: uow.areas.set_retired("H2", NOW))

    async with known_user() as session:
        areas = SqlUnitOfWork(session).areas
        assert (await areas.path("H1"))[-1].name == "Thôn Ánh Dương"
        assert [a.retired for a in await areas.children("C1")] == [False, True]
        assert (await areas.get("H2")) is not None
    assert (first_reads == 1) == cached(engine)  # the children; the path was kept


async def test_a_criteria_text_is_read_once(known_user: Factory, engine: AsyncEngine) -> None:
    async with known_user() as session:
        uow = SqlUnitOfWork(session)
        set_id = await uow.criteria.keep_shipped("gia_dinh", "1", "title = 'x'", NOW)
        await uow.commit()
    async with known_user() as session:
        assert await SqlUnitOfWork(session).criteria.text_of(set_id) == "title = 'x'"
    statements = Statements(engine)

    async with known_user() as session:
        assert await SqlUnitOfWork(session).criteria.text_of(set_id) == "title = 'x'"

    assert (statements.count == 0) == cached(engine)


async def test_two_databases_do_not_share_a_cache(tmp_path: Path) -> None:
    factories = []
    for name, language in (("one.db", "vi"), ("two.db", "en")):
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / name}")
        await upgrade(engine)
        factory = create_session_factory(engine)
        await in_one_unit(factory, lambda uow, lang=language: ensure_user(uow, 1, NOW, lang))
        factories.append((engine, factory))

    assert [await read_user(f) for _, f in factories] == [
        User(id=1, language="vi"),
        User(id=1, language="en"),
    ]
    for engine, _ in factories:
        await engine.dispose()


def test_an_entry_expires_so_that_a_change_by_another_process_is_seen() -> None:
    clock = [1000.0]
    cache: ReadCache[int, str] = ReadCache(seconds=60, clock=lambda: clock[0])
    session = AsyncSession()
    cache.put(session, 1, "vi", cache.get(session, 1)[0])

    clock[0] += 59
    assert cache.get(session, 1)[1] == "vi"
    clock[0] += 2
    assert cache.get(session, 1)[1] is None


def test_a_cache_keeps_its_newest_entries() -> None:
    cache: ReadCache[int, str] = ReadCache(size=2)
    session = AsyncSession()
    for key in (1, 2, 3):
        token, _ = cache.get(session, key)
        cache.put(session, key, str(key), token)

    assert [cache.get(session, key)[1] for key in (1, 2, 3)] == [None, "2", "3"]


async def test_what_was_written_is_there_after_a_restart(tmp_path: Path) -> None:
    """Caches only ever hold what is already saved: a new process reads the same."""
    path = tmp_path / "bot.db"
    key = StorageKey(bot_id=42, chat_id=1, user_id=1, destiny="aiogd:context:AbC")
    before = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(before)
    factory = create_session_factory(before)
    await in_one_unit(factory, lambda uow: ensure_user(uow, 1, NOW))
    await read_user(factory)
    await in_one_unit(factory, lambda uow: uow.users.set_language(1, "en"))
    assert await read_user(factory) == User(id=1, language="en")
    states = SqliteFsmStorage(path)
    await states.set_data(key, {"answer": "yes"})
    assert await states.get_data(key) == {"answer": "yes"}
    await states.set_data(key, {"answer": "yes"})  # unchanged: not written again
    await states.set_data(key, {"answer": "no"})
    await states.close()
    await before.dispose()

    after = create_engine(f"sqlite+aiosqlite:///{path}")
    assert await read_user(create_session_factory(after)) == User(id=1, language="en")
    assert await SqliteFsmStorage(path).get_data(key) == {"answer": "no"}
    await after.dispose()
