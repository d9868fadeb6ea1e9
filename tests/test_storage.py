"""Storage on real databases: the FSM storage contract, upserts, SQLite pragmas, repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.areas import Area, children
from bot.domain.users import Role, RoleGrant, User
from storage.db import SQLITE_BUSY_TIMEOUT_MS, create_engine, create_session_factory
from storage.fsm import create_storage, upsert_statement
from storage.migrate import upgrade
from storage.models import FsmRow
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)
KEY = StorageKey(bot_id=42, chat_id=1001, user_id=2002)
DATA: dict[str, Any] = {
    "họ_tên": "Nguyễn Thị Hồng Nhung",
    "địa_chỉ": {"xã": "Xã Đông Hòa", "thôn": ["Thôn Đông", "Thôn Đoài"]},
    "điểm": [1, 2.5, None, True],
    "ghi_chú": 'Gia đình học tập — "tiêu biểu"\nnăm 2026',
}

TREE = [
    Area("P1", "Tỉnh Minh Họa", "province", None),
    Area("D1", "Huyện Yên Phú", "district", "P1"),
    Area("C1", "Xã Đông Hòa", "commune", "D1"),
    Area("C2", "Xã Ân Thi", "commune", "P1"),
    Area("H1", "Thôn Trung", "hamlet", "C1"),
    Area("H2", "Thôn Đông", "hamlet", "C1"),
    Area("H3", "Thôn Bến Đò", "hamlet", "C1"),
    Area("H4", "Thôn An", "hamlet", "C1"),
]


class Form(StatesGroup):
    name = State()
    area = State()


@pytest.fixture
async def storage(
    redis_url: str | None, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[BaseStorage]:
    storage = create_storage(redis_url, session_factory)
    yield storage
    await storage.close()


# --- aiogram FSM storage contract, on every database × (SQL table | Redis) -----------------


@pytest.mark.parametrize("state", [Form.name, "Form:name"], ids=["state-object", "string"])
async def test_state_round_trips(storage: BaseStorage, state: State | str) -> None:
    await storage.set_state(KEY, state)

    assert await storage.get_state(KEY) == "Form:name"


async def test_unknown_key_has_no_state_and_no_data(storage: BaseStorage) -> None:
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


async def test_data_keeps_vietnamese_text_and_nesting(storage: BaseStorage) -> None:
    await storage.set_data(KEY, DATA)

    assert await storage.get_data(KEY) == DATA


async def test_get_value_reads_one_entry(storage: BaseStorage) -> None:
    await storage.set_data(KEY, DATA)

    assert await storage.get_value(KEY, "họ_tên") == "Nguyễn Thị Hồng Nhung"
    assert await storage.get_value(KEY, "không_có", "mặc định") == "mặc định"


async def test_state_and_data_are_independent(storage: BaseStorage) -> None:
    await storage.set_data(KEY, DATA)
    await storage.set_state(KEY, Form.area)
    await storage.set_data(KEY, {"bước": 2})

    assert await storage.get_state(KEY) == "Form:area"
    assert await storage.get_data(KEY) == {"bước": 2}


async def test_update_data_merges_top_level_keys(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"tên": "An", "địa_chỉ": {"xã": "Xã Tân Lập"}})

    merged = await storage.update_data(KEY, {"địa_chỉ": {"thôn": "Thôn 1"}, "tuổi": 30})

    expected = {"tên": "An", "địa_chỉ": {"thôn": "Thôn 1"}, "tuổi": 30}
    assert merged == expected
    assert await storage.get_data(KEY) == expected


async def test_clearing_state_keeps_data(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, DATA)

    await storage.set_state(KEY, None)

    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == DATA


async def test_clearing_data_keeps_state(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, DATA)

    await storage.set_data(KEY, {})

    assert await storage.get_state(KEY) == "Form:name"
    assert await storage.get_data(KEY) == {}


async def test_clearing_both_forgets_the_key(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, DATA)

    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})

    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


async def test_sql_storage_leaves_no_row_for_a_cleared_key(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = create_storage(None, session_factory)
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, DATA)

    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})

    assert await count_rows(session_factory, FsmRow) == 0


# aiogram-dialog keeps its stacks and contexts under their own destinies.
OTHER_KEYS = {
    "user": replace(KEY, user_id=2003),
    "chat": replace(KEY, chat_id=1002),
    "bot": replace(KEY, bot_id=43),
    "thread": replace(KEY, thread_id=7),
    "dialog-stack": replace(KEY, destiny="aiogd:stack:"),
    "dialog-context": replace(KEY, destiny="aiogd:context:AbC123"),
}


@pytest.mark.parametrize("other", OTHER_KEYS.values(), ids=OTHER_KEYS.keys())
async def test_keys_do_not_share_state_or_data(storage: BaseStorage, other: StorageKey) -> None:
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, DATA)

    assert await storage.get_state(other) is None
    assert await storage.get_data(other) == {}

    await storage.set_state(other, Form.area)
    await storage.set_data(other, {"khác": True})

    assert await storage.get_state(KEY) == "Form:name"
    assert await storage.get_data(KEY) == DATA


async def test_state_and_data_survive_a_restart(
    migrated_url: str, redis_url: str | None, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    before = create_storage(redis_url, session_factory)
    await before.set_state(KEY, Form.area)
    await before.set_data(KEY, DATA)
    await before.close()

    engine = create_engine(migrated_url)
    after = create_storage(redis_url, create_session_factory(engine))
    try:
        assert await after.get_state(KEY) == "Form:area"
        assert await after.get_data(KEY) == DATA
    finally:
        await after.close()
        await engine.dispose()


async def test_a_write_after_a_read_lands_even_when_another_process_changed_the_key(
    redis_url: str | None, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Two workers on one database: skipping "unchanged" writes must never lose one."""
    first = create_storage(redis_url, session_factory)
    second = create_storage(redis_url, session_factory)
    try:
        await first.set_data(KEY, {"step": 1})
        assert await first.get_data(KEY) == {"step": 1}
        await second.set_data(KEY, {"step": 2})
        assert await first.get_data(KEY) == {"step": 2}
        await first.set_data(KEY, {"step": 1})
        assert await second.get_data(KEY) == {"step": 1}
    finally:
        await first.close()
        await second.close()


# --- upsert_statement ----------------------------------------------------------------------


async def test_upsert_inserts_then_updates_the_same_key(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    columns = ["state", "data", "updated_at"]
    first = {"key": "k", "state": "Form:name", "data": "{}", "updated_at": NOW}
    second = {**first, "state": "Form:area", "data": '{"xã": "Xã Đông Hòa"}'}

    for values in (first, second):
        async with session_factory() as session:
            await session.execute(upsert_statement(engine.dialect.name, values, columns))
            await session.commit()

    async with session_factory() as session:
        rows = (await session.scalars(select(FsmRow))).all()
    assert [(row.key, row.state, row.data) for row in rows] == [
        ("k", "Form:area", '{"xã": "Xã Đông Hòa"}')
    ]


async def test_upsert_leaves_columns_it_does_not_update(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    first = {"key": "k", "state": "Form:name", "data": '{"a": 1}', "updated_at": NOW}
    second = {**first, "state": "Form:area", "data": "{}"}

    async with session_factory() as session:
        await session.execute(upsert_statement(engine.dialect.name, first, ["state"]))
        await session.execute(upsert_statement(engine.dialect.name, second, ["state"]))
        await session.commit()

    async with session_factory() as session:
        row = await session.get(FsmRow, "k")
    assert row is not None
    assert (row.state, row.data) == ("Form:area", '{"a": 1}')


# --- SQLite pragmas ------------------------------------------------------------------------

SQLITE_PRAGMAS = [
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", SQLITE_BUSY_TIMEOUT_MS),
]


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'bot.db'}")
    yield engine
    await engine.dispose()


@pytest.mark.parametrize(
    ("pragma", "expected"), SQLITE_PRAGMAS, ids=[p for p, _ in SQLITE_PRAGMAS]
)
async def test_sqlite_connection_has_pragma(
    sqlite_engine: AsyncEngine, pragma: str, expected: object
) -> None:
    async with sqlite_engine.connect() as connection:
        value = (await connection.exec_driver_sql(f"PRAGMA {pragma}")).scalar()

    assert value == expected


async def test_sqlite_engine_creates_the_database_folder(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    await upgrade(sqlite_engine)

    assert (tmp_path / "nested" / "bot.db").is_file()


async def test_unknown_area_code_is_refused(uow: SqlUnitOfWork) -> None:
    with pytest.raises(IntegrityError):
        await uow.users.add(User(id=1, area_code="NOWHERE"), NOW)


# --- repositories through the unit of work -------------------------------------------------


async def test_upsert_many_accepts_children_before_parents(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await uow.areas.upsert_many(reversed(TREE))
    await uow.commit()

    async with session_factory() as session:
        stored = await SqlUnitOfWork(session).areas.all_by_code()
    assert stored == {area.code: area for area in TREE}


async def test_upsert_many_updates_existing_areas(uow: SqlUnitOfWork) -> None:
    await uow.areas.upsert_many(TREE)
    renamed = Area("C1", "Phường Đông Hòa", "commune", "P1")

    await uow.areas.upsert_many([renamed])
    await uow.commit()

    assert await uow.areas.get("C1") == renamed
    assert await uow.areas.count_by_level() == {
        "province": 1,
        "district": 1,
        "commune": 2,
        "hamlet": 4,
    }


async def test_children_are_the_areas_directly_under_a_parent(uow: SqlUnitOfWork) -> None:
    await uow.areas.upsert_many(TREE)

    hamlets = await uow.areas.children("C1")
    provinces = await uow.areas.children(None)

    assert sorted(hamlets, key=lambda area: area.code) == [a for a in TREE if a.code[0] == "H"]
    assert provinces == [TREE[0]]
    assert await uow.areas.children("H1") == []


async def test_children_are_sorted_by_name_ignoring_diacritics(uow: SqlUnitOfWork) -> None:
    await uow.areas.upsert_many(TREE)

    hamlets = await uow.areas.children("C1")

    assert [area.name for area in hamlets] == ["Thôn An", "Thôn Bến Đò", "Thôn Đông", "Thôn Trung"]
    assert hamlets == children(TREE, "C1")


async def test_count_by_level(uow: SqlUnitOfWork) -> None:
    assert await uow.areas.count_by_level() == {}

    await uow.areas.upsert_many(TREE)

    assert await uow.areas.count_by_level() == {
        "province": 1,
        "district": 1,
        "commune": 2,
        "hamlet": 4,
    }


async def test_user_round_trips_with_role_grants(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    grants = (RoleGrant(Role.COMMUNE_OFFICER, "C1"), RoleGrant(Role.HOUSEHOLD))
    await uow.areas.upsert_many(TREE)
    await uow.users.add(User(id=5_000_000_001, language="vi", grants=grants), NOW)
    await uow.users.set_language(5_000_000_001, "en")
    await uow.users.set_area(5_000_000_001, "H2")
    await uow.commit()

    async with session_factory() as session:
        user = await SqlUnitOfWork(session).users.get(5_000_000_001)

    assert user is not None
    assert (user.id, user.language, user.area_code) == (5_000_000_001, "en", "H2")
    assert set(user.grants) == set(grants)
    assert user.has_role(Role.COMMUNE_OFFICER)


async def test_set_area_to_none_forgets_the_home_area(uow: SqlUnitOfWork) -> None:
    await uow.areas.upsert_many(TREE)
    await uow.users.add(User(id=7, area_code="H1"), NOW)

    await uow.users.set_area(7, None)

    assert await uow.users.get(7) == User(id=7)


async def test_unknown_user_is_none(uow: SqlUnitOfWork) -> None:
    assert await uow.users.get(404) is None


async def test_draft_put_get_delete(uow: SqlUnitOfWork) -> None:
    await uow.users.add(User(id=7), NOW)
    await uow.drafts.put(7, "family", DATA, NOW)
    await uow.drafts.put(7, "family", {"họ_tên": "Trần Văn Bình"}, NOW)
    await uow.drafts.put(7, "hamlet", {"thôn": "Thôn Đoài"}, NOW)

    assert await uow.drafts.get(7, "family") == {"họ_tên": "Trần Văn Bình"}

    await uow.drafts.delete(7, "family")

    assert await uow.drafts.get(7, "family") is None
    assert await uow.drafts.get(7, "hamlet") == {"thôn": "Thôn Đoài"}


async def test_drafts_go_with_their_user(uow: SqlUnitOfWork) -> None:
    await uow.users.add(User(id=7), NOW)

    with pytest.raises(IntegrityError):
        await uow.drafts.put(8, "family", DATA, NOW)


async def test_nothing_is_visible_before_commit(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await uow.areas.upsert_many(TREE[:1])
    await uow.users.add(User(id=7), NOW)

    assert await visible_counts(session_factory) == (0, 0)

    await uow.commit()

    assert await visible_counts(session_factory) == (1, 1)


async def test_rollback_discards_the_changes(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await uow.areas.upsert_many(TREE[:1])
    await uow.users.add(User(id=7), NOW)

    await uow.rollback()

    assert await uow.users.get(7) is None
    assert await visible_counts(session_factory) == (0, 0)


async def visible_counts(factory: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """Areas and users another connection sees."""
    async with factory() as session:
        other = SqlUnitOfWork(session)
        areas = sum((await other.areas.count_by_level()).values())
        return areas, int(await other.users.get(7) is not None)


async def count_rows(factory: async_sessionmaker[AsyncSession], model: type[Any]) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_sqlite_file_storage_and_sqlalchemy_storage_share_one_table(
    tmp_path: Path,
) -> None:
    """The fast SQLite path and the portable one read each other's rows, key for key."""
    from storage.fsm import SqlStorage
    from storage.fsm_sqlite import SqliteFsmStorage

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fsm.db'}")
    await upgrade(engine)
    fast = create_storage(None, create_session_factory(engine))
    portable = SqlStorage(create_session_factory(engine))
    try:
        assert isinstance(fast, SqliteFsmStorage)
        await fast.set_state(KEY, Form.area)
        await fast.set_data(KEY, DATA)
        assert await portable.get_state(KEY) == "Form:area"
        assert await portable.get_data(KEY) == DATA
        await portable.set_data(KEY, {"bước": 2})
        assert await fast.get_data(KEY) == {"bước": 2}
    finally:
        await fast.close()
        await engine.dispose()


async def test_an_update_finishing_after_close_still_saves_its_state(storage: BaseStorage) -> None:
    """aiogram closes the storage as polling stops; updates still in hand must save."""
    await storage.close()
    await storage.set_data(KEY, DATA)
    assert await storage.get_data(KEY) == DATA
