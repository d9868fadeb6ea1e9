"""The numbers behind /stats: every household below an area with its year's standing,
grouped in the database (one row per hamlet and standing, not one per household).

The groups are cached per hamlet, title and year with the hamlet's version they were counted
at; triggers (migration 0006) bump a hamlet's version on every write that can change its
numbers, so a read counts again only the hamlets written to since, and writes the cache."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    Table,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.areas import Area
from bot.domain.households import HOUSEHOLD_SUBJECT
from bot.domain.recognition import Proposal
from bot.domain.stats import StandingRow
from bot.domain.status import Status
from storage.hamlets import household_reachable
from storage.household_models import HouseholdRow, RegistrationRow
from storage.models import AreaRow
from storage.repositories import MAX_DEPTH
from storage.stats_models import (
    CHUNK,
    NOT_ASSESSED,
    STATUSES,
    HamletVersionRow,
    StandingCacheMetaRow,
    StandingCacheRow,
)
from storage.title_counts import COUNTED_LIVE, live_title_standings


def _below_query() -> Select[AreaRow]:
    """The area and every area under it (a recursive walk down), built once."""
    walk = (
        select(AreaRow.code, literal(0).label("depth"))
        .where(AreaRow.code == bindparam("code"))
        .cte("below", recursive=True)
    )
    child = aliased(AreaRow)
    walk = walk.union_all(
        select(child.code, (walk.c.depth + 1).label("depth")).where(
            child.parent_code == walk.c.code, walk.c.depth < MAX_DEPTH
        )
    )
    return select(AreaRow).join(walk, walk.c.code == AreaRow.code)


BELOW = _below_query()
_VERSIONS: Table = HamletVersionRow.__table__  # type: ignore[assignment]
_CACHE: Table = StandingCacheRow.__table__  # type: ignore[assignment]
_META: Table = StandingCacheMetaRow.__table__  # type: ignore[assignment]
_READ = [_CACHE.c[name] for name in ("hamlet_code", "status", "passed", "reachable", "n")]


def counting_query(hamlet_codes: Sequence[str], title: str, year: int) -> Select[*tuple[Any, ...]]:
    """The one counting query: households of these hamlets with the year's registration for
    `title` (LEFT JOIN), grouped by hamlet and standing, in the cache's columns."""
    registration = aliased(RegistrationRow)
    reachable = household_reachable().label("reachable")
    return (
        select(
            HouseholdRow.hamlet_code,
            literal(title, String()).label("title"),
            literal(year, Integer()).label("year"),
            func.coalesce(registration.status, "").label("status"),
            func.coalesce(cast(registration.passed, Integer), NOT_ASSESSED).label("passed"),
            reachable,
            func.count().label("n"),
        )
        .outerjoin(
            registration,
            (registration.household_id == HouseholdRow.id)
            & (registration.subject == HOUSEHOLD_SUBJECT)
            & (registration.title == title)
            & (registration.year == year),
        )
        .where(HouseholdRow.hamlet_code.in_(hamlet_codes))
        .group_by(HouseholdRow.hamlet_code, registration.status, registration.passed, reachable)
    )


async def live_standings(
    session: AsyncSession, hamlet_codes: Sequence[str], title: str, year: int
) -> list[StandingRow]:
    """Counted now, without the cache: what the cache must equal."""
    counted = counting_query(hamlet_codes, title, year).subquery()
    return _standings(await session.execute(select(*(counted.c[c.name] for c in _READ))))


async def cached_standings(
    session: AsyncSession,
    hamlet_codes: Sequence[str],
    title: str,
    year: int,
    by_commune: bool = False,
) -> list[StandingRow]:
    """The cached standings of these hamlets, counted again first where stale: not cached
    for the title and year yet, or at an older version than the hamlet's. Writes the cache:
    the caller commits. `by_commune`: summed per hamlet's parent (the row's `hamlet_code` is
    then the commune's), ten times fewer rows for a province, whose ranking is of communes."""
    codes = list(dict.fromkeys(hamlet_codes))
    rows: list[StandingRow] = []
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        stale = await _stale(session, chunk, title, year)
        if stale:
            await _recount(session, stale, title, year)
        of_chunk = (
            _CACHE.c.hamlet_code.in_(chunk),
            _CACHE.c.title == title,
            _CACHE.c.year == year,
        )
        read = _by_commune() if by_commune else select(*_READ)
        rows += _standings(await session.execute(read.where(*of_chunk)))
    return rows


def _by_commune() -> Select[*tuple[Any, ...]]:
    parent = AreaRow.parent_code
    return (
        select(parent, _CACHE.c.status, _CACHE.c.passed, _CACHE.c.reachable, func.sum(_CACHE.c.n))
        .join(AreaRow, AreaRow.code == _CACHE.c.hamlet_code)
        .group_by(parent, _CACHE.c.status, _CACHE.c.passed, _CACHE.c.reachable)
    )


async def _stale(session: AsyncSession, codes: list[str], title: str, year: int) -> list[str]:
    fresh = await session.scalars(
        select(_META.c.hamlet_code)
        .outerjoin(_VERSIONS, _VERSIONS.c.hamlet_code == _META.c.hamlet_code)
        .where(
            _META.c.hamlet_code.in_(codes),
            _META.c.title == title,
            _META.c.year == year,
            _META.c.version >= func.coalesce(_VERSIONS.c.version, 0),
        )
    )
    done = set(fresh)
    return sorted(code for code in codes if code not in done)


async def _recount(session: AsyncSession, codes: list[str], title: str, year: int) -> None:
    """Count these hamlets again into the cache, at the versions read before counting: a
    write racing the count leaves them stale, to be counted again next time. The meta rows
    go first: on PostgreSQL their row locks make a concurrent recount of the same hamlets
    wait for this one to commit instead of colliding with its rows."""
    found = await session.execute(
        select(_VERSIONS.c.hamlet_code, _VERSIONS.c.version).where(
            _VERSIONS.c.hamlet_code.in_(codes)
        )
    )
    versions: dict[str, int] = dict(found.all())
    meta = [
        {"hamlet_code": code, "title": title, "year": year, "version": versions.get(code, 0)}
        for code in codes
    ]
    await session.execute(_upsert_meta(session, meta))
    of_codes = (_CACHE.c.hamlet_code.in_(codes), _CACHE.c.title == title, _CACHE.c.year == year)
    await session.execute(delete(_CACHE).where(*of_codes))
    query = counting_query(codes, title, year)
    await session.execute(insert(_CACHE).from_select(list(query.selected_columns.keys()), query))


def _upsert_meta(session: AsyncSession, rows: list[dict[str, Any]]) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE: the same SQL on both databases, each dialect's
    insert() builds it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_META).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[_META.c.hamlet_code, _META.c.title, _META.c.year],
        set_={"version": statement.excluded.version},
    )


def _standings(rows: Iterable[Row[*tuple[Any, ...]]]) -> list[StandingRow]:
    """Rows of the `_READ` columns, as the domain counts them (tens of thousands for a
    province: unpacked, not read by name)."""
    return [
        StandingRow(
            STATUSES[status],
            None if passed == NOT_ASSESSED else bool(passed),
            bool(reachable),
            n,
            hamlet,
        )
        for hamlet, status, passed, reachable, n in rows
    ]


class SqlStatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def areas_below(self, code: str) -> list[Area]:
        """The area and everything under it (any order)."""
        rows = await self._session.scalars(BELOW, {"code": code})
        return [row.to_domain() for row in rows]

    async def standings(
        self, hamlet_codes: list[str], title: str, year: int, by_commune: bool = False
    ) -> list[StandingRow]:
        """Households of these hamlets, forgotten ones included (they are counted
        anonymously), grouped by hamlet (or by commune) and by the year's standing for
        `title`; from the cache, counted again first for the hamlets written to since (the
        caller commits). The other titles are counted live (see `storage/title_counts.py`),
        per hamlet, or per commune for the commune's clans and units."""
        if title in COUNTED_LIVE:
            return await live_title_standings(self._session, hamlet_codes, title, year)
        return await cached_standings(self._session, hamlet_codes, title, year, by_commune)

    async def proposals(self, hamlet_codes: list[str], title: str, year: int) -> list[Proposal]:
        """Registrations of these hamlets verified by their heads, by hamlet then name."""
        rows = await self._session.execute(
            select(
                RegistrationRow.id,
                HouseholdRow.id,
                HouseholdRow.head_name,
                HouseholdRow.hamlet_code,
                RegistrationRow.total,
                AreaRow.name,
            )
            .join(HouseholdRow, HouseholdRow.id == RegistrationRow.household_id)
            .join(AreaRow, AreaRow.code == HouseholdRow.hamlet_code)
            .where(
                HouseholdRow.hamlet_code.in_(hamlet_codes),
                RegistrationRow.subject == HOUSEHOLD_SUBJECT,
                RegistrationRow.title == title,
                RegistrationRow.year == year,
                RegistrationRow.status == Status.VERIFIED.value,
            )
            .order_by(HouseholdRow.hamlet_code, HouseholdRow.name_key, HouseholdRow.id)
        )
        return [Proposal(*row) for row in rows]
