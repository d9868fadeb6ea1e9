"""The /stats cache on real storage: after every kind of write the next /stats equals a
fresh count, a read counts again only the hamlets written to, and each title and year is
cached on its own. SQLite always, PostgreSQL too when HOCTAP_TEST_DATABASE_URL is set.

Each write is committed in one unit of work and /stats read in a later one, as the bot
does; the triggers of migration 0006 are what must notice the write.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, event, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.criteria_model import Title
from bot.domain.households import HouseholdForm
from bot.domain.stats import Numbers, count_numbers, numbers_by_hamlet
from bot.domain.status import Status
from bot.domain.users import User
from bot.services import hamlets as hm
from bot.services import households as hh
from bot.services import stats as st
from storage.household_models import HouseholdAccountRow, HouseholdRow, RegistrationRow
from storage.models import UserRow
from storage.stats import live_standings
from storage.stats_models import HamletVersionRow, StandingCacheMetaRow, StandingCacheRow
from storage.uow import SqlUnitOfWork
from tests.test_hamlet_services import (
    YEAR,
    ZONE,
    Factory,
    areas,  # noqa: F401  (fixture)
    household,
    later_unit,
    super_admin,
)
from tests.test_stats_services import NOW

HAMLETS = ["H1", "H2", "H3"]  # H1, H2 in commune C1; H3 in C2
GIA_DINH = Title.GIA_DINH.value
TRIGGERS = {
    f"{table}_{kind}_hamlet"
    for table, kinds in {
        "registrations": ("ai", "au", "ad"),
        "households": ("ai", "au", "ad"),
        "household_accounts": ("ai", "au", "ad"),
        "users": ("au",),
    }.items()
    for kind in kinds
}
REACHABLE, BLOCKED, NEWCOMER = 11, 12, 13  # account ids


@dataclass(frozen=True)
class World:
    an: int  # H1, recognised, a reachable account
    binh: int  # H1, verified
    cuong: int  # H1, self-assessed and failed
    dung: int  # H1, not registered, a blocked account
    giang: int  # H2, not registered
    ha: int  # H3, recognised


@pytest.fixture
async def world(areas: SqlUnitOfWork) -> World:  # noqa: F811
    return World(
        an=await household(
            areas, "An", "+84912000001", status=Status.RECOGNISED, account=REACHABLE
        ),
        binh=await household(areas, "Bình", "+84912000002", status=Status.VERIFIED),
        cuong=await household(
            areas, "Cường", "+84912000003", status=Status.SELF_ASSESSED, score=(50, False)
        ),
        dung=await household(areas, "Dung", "+84912000004", account=BLOCKED, blocked=True),
        giang=await household(areas, "Giang", "+84912000006", hamlet="H2"),
        ha=await household(areas, "Hà", "+84912000007", hamlet="H3", status=Status.RECOGNISED),
    )


async def by_hamlet(uow: SqlUnitOfWork, title: str = GIA_DINH, year: int = YEAR) -> Any:
    """/stats of the province (which reads and commits the cache), and each hamlet's numbers
    from the cache, as that read left it."""
    stats = await st.area_stats(uow, super_admin(), "P1", year, NOW, ZONE, title)
    cached = await uow.stats.standings(HAMLETS, title, year)
    assert stats.numbers == count_numbers(cached)
    return numbers_by_hamlet(cached)


async def assert_fresh(uow: SqlUnitOfWork, title: str = GIA_DINH, year: int = YEAR) -> Any:
    """The cache, as /stats reads it, equals counting now (row for row), and is returned."""
    numbers = await by_hamlet(uow, title, year)
    live = await live_standings(uow.session, HAMLETS, title, year)
    assert Counter(await uow.stats.standings(HAMLETS, title, year)) == Counter(live)
    assert numbers == numbers_by_hamlet(live)
    return numbers


async def registration_id(uow: SqlUnitOfWork, household_id: int) -> int:
    found = await uow.registrations.find(household_id, "household", GIA_DINH, YEAR)
    assert found is not None
    return found.id


async def add_registration(uow: SqlUnitOfWork, w: World) -> None:
    await uow.registrations.add(w.giang, "household", GIA_DINH, YEAR, (), NOW)


async def recognise(uow: SqlUnitOfWork, w: World) -> None:
    await uow.registrations.set_status(await registration_id(uow, w.binh), Status.RECOGNISED, NOW)


async def pass_on_second_try(uow: SqlUnitOfWork, w: World) -> None:
    """Only `passed` changes: the status stays self-assessed."""
    registration = await registration_id(uow, w.cuong)
    await uow.registrations.set_status(registration, Status.SELF_ASSESSED, NOW, score=(90, True))


async def add_household(uow: SqlUnitOfWork, w: World) -> None:
    await household(uow, "Khánh", "+84912000008", hamlet="H2")


async def move_household(uow: SqlUnitOfWork, w: World) -> None:
    await uow.session.execute(
        update(HouseholdRow).where(HouseholdRow.id == w.an).values(hamlet_code="H3")
    )


async def merge_hamlet(uow: SqlUnitOfWork, w: World) -> None:
    await uow.areas.relocate("H1", "H2")


async def link_account(uow: SqlUnitOfWork, w: World) -> None:
    await uow.users.add(User(id=NEWCOMER), NOW)
    await uow.households.link(NEWCOMER, w.binh, NOW)


async def move_account(uow: SqlUnitOfWork, w: World) -> None:
    await uow.session.execute(
        update(HouseholdAccountRow)
        .where(HouseholdAccountRow.user_id == REACHABLE)
        .values(household_id=w.giang)
    )


async def unlink_account(uow: SqlUnitOfWork, w: World) -> None:
    await uow.households.unlink(REACHABLE)


async def block_user(uow: SqlUnitOfWork, w: World) -> None:
    await uow.users.set_unreachable(REACHABLE, NOW)


async def unblock_user(uow: SqlUnitOfWork, w: World) -> None:
    await uow.users.set_unreachable(BLOCKED, None)


async def delete_user(uow: SqlUnitOfWork, w: World) -> None:
    await uow.session.execute(delete(UserRow).where(UserRow.id == REACHABLE))


async def delete_household(uow: SqlUnitOfWork, w: World) -> None:
    await uow.session.execute(delete(HouseholdRow).where(HouseholdRow.id == w.cuong))


async def delete_registration(uow: SqlUnitOfWork, w: World) -> None:
    await uow.session.execute(
        delete(RegistrationRow).where(RegistrationRow.household_id == w.binh)
    )


Write = Callable[[SqlUnitOfWork, World], Awaitable[None]]
WRITES: dict[str, Write] = {
    "registration added": add_registration,
    "status changed": recognise,
    "passed changed": pass_on_second_try,
    "household added": add_household,
    "household moved": move_household,
    "hamlet merged": merge_hamlet,
    "account linked": link_account,
    "account moved": move_account,
    "account unlinked": unlink_account,
    "user unreachable": block_user,
    "user reachable again": unblock_user,
    "user deleted": delete_user,
    "household deleted": delete_household,
    "registration deleted": delete_registration,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
async def test_after_each_kind_of_write_stats_equal_a_fresh_count(
    areas: SqlUnitOfWork,  # noqa: F811
    world: World,
    session_factory: Factory,
    write: Write,
) -> None:
    before = await assert_fresh(areas)  # every hamlet cached

    await write(areas, world)
    await areas.commit()

    async with later_unit(session_factory) as later:
        after = await assert_fresh(later)
    assert after != before  # so a cache the write left stale would have shown


async def test_a_user_marked_unreachable_then_reachable_again(
    areas: SqlUnitOfWork,  # noqa: F811
    world: World,
    session_factory: Factory,
) -> None:
    reachable = (await assert_fresh(areas))["H1"].unreachable
    for at, unreachable in ((NOW, reachable + 1), (None, reachable)):
        await areas.users.set_unreachable(REACHABLE, at)
        await areas.commit()
        async with later_unit(session_factory) as later:
            assert (await assert_fresh(later))["H1"].unreachable == unreachable


async def test_the_hamlet_heads_numbers_are_the_same_cached_count(
    areas: SqlUnitOfWork,  # noqa: F811
    world: World,
    session_factory: Factory,
) -> None:
    first = await hm.hamlet_numbers(areas, super_admin(), "H1", YEAR, NOW)
    await add_household(areas, world)
    await household(areas, "Lan", "+84912000009", status=Status.REGISTERED)

    async with later_unit(session_factory) as later:
        second = await hm.hamlet_numbers(later, super_admin(), "H1", YEAR, NOW)
        live = await live_standings(later.session, ["H1"], GIA_DINH, YEAR)
    assert first.numbers == Numbers(4, 3, 3, 2, 2, 1, 3)
    assert second.numbers == count_numbers(live) == Numbers(5, 4, 3, 2, 2, 1, 4)


async def test_writes_after_a_count_in_the_same_transaction_are_counted(
    areas: SqlUnitOfWork,  # noqa: F811
    world: World,
    session_factory: Factory,
) -> None:
    """Nothing is committed until the end: a hamlet bumped once in a transaction must be
    bumped again once a count in that transaction has caught up with it."""
    await by_hamlet(areas)
    form = HouseholdForm("H2", "Khánh", "+84912000008", 4, 2, ())
    khanh = await areas.households.add(form, await hh.free_code(areas), NOW)
    for household_id in (khanh.id, world.giang):
        cached = await areas.stats.standings(HAMLETS, GIA_DINH, YEAR)
        assert Counter(cached) == Counter(
            await live_standings(areas.session, HAMLETS, GIA_DINH, YEAR)
        )
        await areas.registrations.add(household_id, "household", GIA_DINH, YEAR, (), NOW)
    await areas.commit()

    async with later_unit(session_factory) as later:
        assert (await assert_fresh(later))["H2"].registered == 2


@contextmanager
def recounts(engine: AsyncEngine) -> Iterator[list[Any]]:
    """The parameters of every INSERT INTO standing_cache run meanwhile."""
    seen: list[Any] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO STANDING_CACHE "):
            seen.append(parameters)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_a_read_counts_again_only_the_hamlets_written_to(
    areas: SqlUnitOfWork,  # noqa: F811
    world: World,
    session_factory: Factory,
    engine: AsyncEngine,
) -> None:
    await by_hamlet(areas)
    with recounts(engine) as seen:
        await by_hamlet(areas)
    assert seen == []  # nothing written: nothing counted

    # A cache row of H1 spoilt by hand stays as it is while nothing is written to H1.
    spoil = update(StandingCacheRow).where(StandingCacheRow.hamlet_code == "H1").values(n=99)
    await areas.session.execute(spoil)
    await add_household(areas, world)  # H2 only

    async with later_unit(session_factory) as later:
        with recounts(engine) as seen:
            numbers = await by_hamlet(later)
        versions = dict((await later.session.execute(select(HamletVersionRow.__table__))).all())
        meta = await later.session.execute(
            select(StandingCacheMetaRow.hamlet_code, StandingCacheMetaRow.version)
        )
    assert len(seen) == 1
    assert "H2" in str(seen[0])
    assert "H1" not in str(seen[0])
    assert "H3" not in str(seen[0])
    assert numbers["H1"].households > 99  # still the spoilt cache
    assert numbers["H2"].households == 2
    assert dict(meta.all()) == {code: versions.get(code, 0) for code in HAMLETS}


async def test_a_hamlet_without_households_is_not_counted_again(
    areas: SqlUnitOfWork,  # noqa: F811
    engine: AsyncEngine,
) -> None:
    assert await by_hamlet(areas) == {}
    with recounts(engine) as seen:
        assert await by_hamlet(areas) == {}
    assert seen == []


async def test_two_reads_counting_the_same_hamlets_at_once_do_not_collide(
    world: World, session_factory: Factory
) -> None:
    async with later_unit(session_factory) as first, later_unit(session_factory) as second:
        counted = await first.stats.standings(HAMLETS, GIA_DINH, YEAR)  # not committed yet
        other = asyncio.create_task(second.stats.standings(HAMLETS, GIA_DINH, YEAR))
        await asyncio.sleep(0.2)  # the second one counts too, and waits for the first
        await first.commit()
        assert Counter(await asyncio.wait_for(other, 10)) == Counter(counted)
        await second.commit()


async def test_years_are_cached_on_their_own(
    areas: SqlUnitOfWork,  # noqa: F811
    world: World,
    session_factory: Factory,
) -> None:
    # Only the family's title is cached: the others are counted live (storage/title_counts).
    keys = [(GIA_DINH, YEAR), (GIA_DINH, YEAR - 1)]
    before = {key: await assert_fresh(areas, *key) for key in keys}
    assert before[GIA_DINH, YEAR]["H1"].registered == 3
    assert before[GIA_DINH, YEAR - 1]["H1"].registered == 0

    await areas.registrations.add(world.dung, "household", GIA_DINH, YEAR - 1, (), NOW)
    await areas.commit()

    async with later_unit(session_factory) as later:
        last_year = await assert_fresh(later, GIA_DINH, YEAR - 1)
        # this year's gia_dinh was not read: its cache is still at the old version
        meta = await later.session.scalars(
            select(StandingCacheMetaRow.title).where(
                StandingCacheMetaRow.hamlet_code == "H1",
                StandingCacheMetaRow.version
                == select(HamletVersionRow.version)
                .where(HamletVersionRow.hamlet_code == "H1")
                .scalar_subquery(),
            )
        )
        assert list(meta) == [GIA_DINH]
        after = {key: await assert_fresh(later, *key) for key in keys}
    assert last_year["H1"].registered == 1
    assert after[GIA_DINH, YEAR] == before[GIA_DINH, YEAR]


async def test_every_trigger_is_there_at_head(areas: SqlUnitOfWork) -> None:  # noqa: F811
    """A SQLite migration that rebuilds one of these tables in batch mode drops its
    triggers: it must create them again."""
    dialect = areas.session.get_bind().dialect.name
    query = (
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        if dialect == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    )
    assert set(await areas.session.scalars(text(query))) == TRIGGERS
