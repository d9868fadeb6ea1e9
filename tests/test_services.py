"""Use cases on real storage (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.areas import Area
from bot.domain.users import Role, RoleGrant, User
from bot.services.areas import area_path, area_summary, areas_below, import_areas
from bot.services.drafts import discard_draft, load_draft, save_draft
from bot.services.errors import NotAllowed, ServiceError
from bot.services.users import ensure_user, set_home_area, set_language
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
USER_ID = 1_234_567_890
ADMIN_ID = 42

TREE_CSV = """code,name,level,parent_code
P1,Tỉnh Minh Họa,province,
D1,Huyện Yên Phú,district,P1
C1,Xã Đông Hòa,commune,D1
C2,Xã Tân Lập,commune,P1
C3,Phường An Bình,commune,D1
H1,Thôn Đoài,hamlet,C1
H2,Thôn Đông,hamlet,C1
"""
COUNTS = {"province": 1, "district": 1, "commune": 3, "hamlet": 2}


# Helpers read through a new session: they see only what was committed.
async def stored_user(factory: async_sessionmaker[AsyncSession], user_id: int) -> User | None:
    async with factory() as session:
        return await SqlUnitOfWork(session).users.get(user_id)


async def stored_counts(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with factory() as session:
        return await SqlUnitOfWork(session).areas.count_by_level()


async def stored_area(factory: async_sessionmaker[AsyncSession], code: str) -> Area | None:
    async with factory() as session:
        return await SqlUnitOfWork(session).areas.get(code)


@pytest.fixture
async def tree(uow: SqlUnitOfWork) -> SqlUnitOfWork:
    report = await import_areas(uow, TREE_CSV)
    assert report.ok, report.errors
    return uow


# --- users ---------------------------------------------------------------------------------


async def test_ensure_user_registers_a_new_user(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    user = await ensure_user(uow, USER_ID, NOW)

    assert user == User(id=USER_ID)
    assert await stored_user(session_factory, USER_ID) == user


async def test_ensure_user_returns_the_stored_user_afterwards(
    tree: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await ensure_user(tree, USER_ID, NOW)
    await set_language(tree, USER_ID, "en")
    await set_home_area(tree, USER_ID, "H1")

    async with session_factory() as session:
        again = await ensure_user(SqlUnitOfWork(session), USER_ID, NOW)

    assert again == User(id=USER_ID, language="en", area_code="H1")


async def test_a_user_who_writes_again_is_reachable_again(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await ensure_user(uow, USER_ID, NOW)
    await uow.users.set_unreachable(USER_ID, NOW)
    await uow.commit()
    assert (await stored_user(session_factory, USER_ID)).unreachable  # type: ignore[union-attr]

    user = await ensure_user(uow, USER_ID, NOW)

    assert not user.unreachable
    assert not (await stored_user(session_factory, USER_ID)).unreachable  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("telegram", "remembered"),
    [("en", "en"), ("en-GB", "en"), ("vi", "vi"), ("fr", None), (None, None)],
)
async def test_telegram_language_is_remembered_for_later_messages(
    uow: SqlUnitOfWork,
    session_factory: async_sessionmaker[AsyncSession],
    telegram: str | None,
    remembered: str | None,
) -> None:
    """A decision or reminder sent later, outside the user's own update, uses this."""
    await ensure_user(uow, USER_ID, NOW, telegram)

    assert (await stored_user(session_factory, USER_ID)).language == remembered  # type: ignore[union-attr]


async def test_a_known_user_without_a_language_gets_telegrams_once(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await ensure_user(uow, USER_ID, NOW)  # before the bot remembered languages

    await ensure_user(uow, USER_ID, NOW, "en")
    await ensure_user(uow, USER_ID, NOW, "vi")  # a saved language is not overwritten

    assert (await stored_user(session_factory, USER_ID)).language == "en"  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_set_language_accepts_supported_locales(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession], language: str
) -> None:
    await ensure_user(uow, USER_ID, NOW)

    await set_language(uow, USER_ID, language)

    stored_one = await stored_user(session_factory, USER_ID)
    assert stored_one is not None
    assert stored_one.language == language


@pytest.mark.parametrize("language", ["fr", "", "VI", "vi-VN"])
async def test_set_language_refuses_other_locales(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession], language: str
) -> None:
    await ensure_user(uow, USER_ID, NOW)
    await set_language(uow, USER_ID, "en")

    with pytest.raises(ServiceError):
        await set_language(uow, USER_ID, language)

    assert await stored_user(session_factory, USER_ID) == User(id=USER_ID, language="en")


@pytest.mark.parametrize("code", ["H1", "C2"], ids=["hamlet", "commune"])
async def test_set_home_area_accepts_hamlet_or_commune(
    tree: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession], code: str
) -> None:
    await ensure_user(tree, USER_ID, NOW)

    await set_home_area(tree, USER_ID, code)

    assert await stored_user(session_factory, USER_ID) == User(id=USER_ID, area_code=code)


@pytest.mark.parametrize(
    "code", ["P1", "D1", "NOWHERE", ""], ids=["province", "district", "unknown", "empty"]
)
async def test_set_home_area_refuses_other_places(
    tree: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession], code: str
) -> None:
    await ensure_user(tree, USER_ID, NOW)
    await set_home_area(tree, USER_ID, "H2")

    with pytest.raises(ServiceError):
        await set_home_area(tree, USER_ID, code)

    assert await stored_user(session_factory, USER_ID) == User(id=USER_ID, area_code="H2")


# --- areas ---------------------------------------------------------------------------------


async def test_import_creates_every_area(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    report = await import_areas(uow, TREE_CSV)

    assert (report.ok, report.created, report.updated) == (True, 7, 0)
    assert await stored_counts(session_factory) == COUNTS


async def test_import_with_one_bad_row_writes_nothing(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    bad = TREE_CSV + "H3,Thôn Mới,hamlet,NOWHERE\n"

    report = await import_areas(uow, bad)

    assert not report.ok
    assert [(error.line, error.column) for error in report.errors] == [(9, "parent_code")]
    assert (report.created, report.updated) == (0, 0)
    assert await stored_counts(session_factory) == {}


async def test_failed_reimport_keeps_the_previous_areas(
    tree: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    bad = "code,name,level,parent_code\nC1,Xã Đông Hòa Mới,commune,P1\nC9,,commune,P1\n"

    report = await import_areas(tree, bad)

    assert not report.ok
    assert await stored_counts(session_factory) == COUNTS
    assert await stored_area(session_factory, "C1") == Area("C1", "Xã Đông Hòa", "commune", "D1")


async def test_reimport_updates_names_and_counts_right(
    tree: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    again = (
        "code,name,level,parent_code\n"
        "C2,Xã Tân Lập Mới,commune,P1\n"
        "H1,Thôn Đoài Thượng,hamlet,C1\n"
        "H3,Thôn Mới,hamlet,C2\n"
    )

    report = await import_areas(tree, again)

    assert (report.ok, report.created, report.updated) == (True, 1, 2)
    renamed = [
        Area("C2", "Xã Tân Lập Mới", "commune", "P1"),
        Area("H1", "Thôn Đoài Thượng", "hamlet", "C1"),
    ]
    assert [await stored_area(session_factory, area.code) for area in renamed] == renamed
    assert await stored_counts(session_factory) == {**COUNTS, "hamlet": 3}


BELOW = [
    pytest.param(
        "P1",
        "commune",
        "",
        ["Phường An Bình", "Xã Đông Hòa", "Xã Tân Lập"],
        id="communes-through-district",
    ),
    pytest.param("P1", "commune", "dong hoa", ["Xã Đông Hòa"], id="without-diacritics"),
    pytest.param("P1", "commune", "ĐÔNG", ["Xã Đông Hòa"], id="upper-case"),
    pytest.param("P1", "commune", "xa", ["Xã Đông Hòa", "Xã Tân Lập"], id="prefix"),
    pytest.param("P1", "commune", "hue", [], id="no-match"),
    pytest.param("D1", "commune", "", ["Phường An Bình", "Xã Đông Hòa"], id="under-district"),
    pytest.param("C1", "hamlet", "", ["Thôn Đoài", "Thôn Đông"], id="hamlets"),
    pytest.param(None, "province", "", ["Tỉnh Minh Họa"], id="provinces"),
]


@pytest.mark.parametrize(("parent", "level", "query", "names"), BELOW)
async def test_areas_below(
    tree: SqlUnitOfWork, parent: str | None, level: str, query: str, names: list[str]
) -> None:
    found = await areas_below(tree, parent, level, query)

    assert [area.name for area in found] == names


PATHS = [
    pytest.param("H1", ["P1", "D1", "C1", "H1"], id="hamlet-through-district"),
    pytest.param("C2", ["P1", "C2"], id="commune-under-province"),
    pytest.param("P1", ["P1"], id="top"),
    pytest.param("XX", [], id="unknown"),
]


@pytest.mark.parametrize(("code", "codes"), PATHS)
async def test_area_path_runs_from_the_top_down(
    tree: SqlUnitOfWork, code: str, codes: list[str]
) -> None:
    assert [area.code for area in await area_path(tree, code)] == codes


async def test_area_summary_refuses_a_non_admin(tree: SqlUnitOfWork) -> None:
    await ensure_user(tree, USER_ID, NOW)

    for actor in (USER_ID, 999):
        with pytest.raises(NotAllowed):
            await area_summary(tree, actor, frozenset({ADMIN_ID}))


async def test_area_summary_counts_for_an_admin(tree: SqlUnitOfWork) -> None:
    assert await area_summary(tree, ADMIN_ID, frozenset({ADMIN_ID})) == COUNTS


async def test_area_summary_counts_for_a_commune_officer(tree: SqlUnitOfWork) -> None:
    officer = User(id=USER_ID, grants=(RoleGrant(Role.COMMUNE_OFFICER, "C1"),))
    await tree.users.add(officer, NOW)
    await tree.commit()

    assert await area_summary(tree, USER_ID, frozenset()) == COUNTS


# --- drafts --------------------------------------------------------------------------------

DRAFT: dict[str, Any] = {
    "họ_tên": "Lê Thị Thu Hằng",
    "thành_viên": [{"tên": "Bé Na", "lớp": 3}, {"tên": "Ông Tư", "lớp": None}],
}


async def test_save_draft_ignores_empty_data(uow: SqlUnitOfWork) -> None:
    await ensure_user(uow, USER_ID, NOW)

    assert await save_draft(uow, USER_ID, "family", {}, NOW) is False
    assert await load_draft(uow, USER_ID, "family") is None


async def test_draft_round_trip(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await ensure_user(uow, USER_ID, NOW)

    assert await save_draft(uow, USER_ID, "family", DRAFT, NOW) is True
    async with session_factory() as session:
        assert await load_draft(SqlUnitOfWork(session), USER_ID, "family") == DRAFT

    await discard_draft(uow, USER_ID, "family")
    async with session_factory() as session:
        assert await load_draft(SqlUnitOfWork(session), USER_ID, "family") is None


async def test_saving_again_replaces_the_draft(uow: SqlUnitOfWork) -> None:
    await ensure_user(uow, USER_ID, NOW)
    await save_draft(uow, USER_ID, "family", DRAFT, NOW)

    await save_draft(uow, USER_ID, "family", {"họ_tên": "Phạm Văn Đức"}, NOW)

    assert await load_draft(uow, USER_ID, "family") == {"họ_tên": "Phạm Văn Đức"}


async def test_discarding_a_missing_draft_is_harmless(uow: SqlUnitOfWork) -> None:
    await ensure_user(uow, USER_ID, NOW)

    await discard_draft(uow, USER_ID, "family")

    assert await load_draft(uow, USER_ID, "family") is None
