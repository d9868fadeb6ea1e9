"""The numbers behind /stats for the titles other than the family's: who could hold the title
in an area (the members households declared, the hamlets themselves, the commune's clans and
confirmed units), each with its registration of the year, grouped in the database by place
and standing, in the same rows the family's numbers use.

Counted live, not cached: clans, units and hamlets are a few per commune. Citizens are as many
as household members; a cache like the families' would need triggers on members too, and
/stats over a province for citizens is rare enough to count when asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    cast,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.criteria_model import Title
from bot.domain.groups import GroupKind
from bot.domain.stats import StandingRow
from storage.group_models import ClanRow, UnitRow
from storage.hamlets import household_reachable
from storage.household_models import HouseholdRow, RegistrationRow
from storage.models import AreaRow
from storage.stats_models import CHUNK, NOT_ASSESSED, STATUSES

# A subjects query selects (place, subject, reachable) for the hamlets bound as `codes`.
SubjectsQuery = Callable[[Sequence[str]], Select[Any]]


def subject_column(prefix: str, key: Any) -> Any:
    """The registration subject of a row: "member:12", "clan:3"... (see bot/domain)."""
    return literal(f"{prefix}:", String()) + cast(key, String())


def _hamlets(codes: Sequence[str]) -> Select[Any]:
    return select(
        AreaRow.code.label("place"),
        subject_column(GroupKind.HAMLET.value, AreaRow.code).label("subject"),
        true().label("reachable"),
    ).where(AreaRow.code.in_(codes), AreaRow.level == "hamlet", AreaRow.retired_at.is_(None))


def _communes_of(codes: Sequence[str]) -> Select[Any]:
    return select(AreaRow.parent_code).where(AreaRow.code.in_(codes))


def _clans(codes: Sequence[str]) -> Select[Any]:
    return select(
        ClanRow.commune_code.label("place"),
        subject_column(GroupKind.CLAN.value, ClanRow.id).label("subject"),
        true().label("reachable"),
    ).where(ClanRow.commune_code.in_(_communes_of(codes)))


def _units(codes: Sequence[str]) -> Select[Any]:
    # A unit counts once the commune has confirmed it is real: until then it may not exist.
    return select(
        UnitRow.commune_code.label("place"),
        subject_column(GroupKind.UNIT.value, UnitRow.id).label("subject"),
        true().label("reachable"),
    ).where(UnitRow.commune_code.in_(_communes_of(codes)), UnitRow.confirmed_at.is_not(None))


SUBJECTS: dict[str, SubjectsQuery] = {
    Title.CONG_DONG.value: _hamlets,
    Title.DONG_HO.value: _clans,
    Title.DON_VI.value: _units,
}


def counting_query(subjects: Select[Any], title: str, year: int) -> Select[Any]:
    """The subjects with the year's registration for `title` (LEFT JOIN), grouped by place
    and standing, in the columns of the family's counting query."""
    found = subjects.subquery()
    registration = aliased(RegistrationRow)
    return (
        select(
            found.c.place,
            func.coalesce(registration.status, "").label("status"),
            func.coalesce(cast(registration.passed, Integer), NOT_ASSESSED).label("passed"),
            found.c.reachable,
            func.count().label("n"),
        )
        .outerjoin(
            registration,
            (registration.subject == found.c.subject)
            & (registration.title == title)
            & (registration.year == year),
        )
        .group_by(found.c.place, registration.status, registration.passed, found.c.reachable)
    )


COUNTED_LIVE = frozenset({*SUBJECTS, Title.CONG_DAN.value})


async def live_title_standings(
    session: AsyncSession, hamlet_codes: Sequence[str], title: str, year: int
) -> list[StandingRow]:
    """The standings of `title`'s subjects in these hamlets (or their communes, for clans
    and units), a row per place and standing: `hamlet_code` is the place."""
    codes = list(dict.fromkeys(hamlet_codes))
    rows: list[StandingRow] = []
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        if title == Title.CONG_DAN.value:
            rows += await _citizens(session, chunk, year)
            continue
        query = counting_query(SUBJECTS[title](chunk), title, year)
        rows += [_row(*found) for found in await session.execute(query)]
    return _merged(rows)


def _row(place: str, status: str, passed: int, reachable: bool, n: int) -> StandingRow:
    passed_now = None if passed == NOT_ASSESSED else bool(passed)
    return StandingRow(STATUSES[status], passed_now, bool(reachable), n, place)


async def _citizens(session: AsyncSession, codes: Sequence[str], year: int) -> list[StandingRow]:
    """Citizens: the members each household declared (most are never named one by one), of
    whom those with a learning-citizen registration this year stand where it stands; the
    rest count as not registered."""
    declared = dict(
        (
            await session.execute(
                select(HouseholdRow.hamlet_code, func.sum(HouseholdRow.members_count))
                .where(HouseholdRow.hamlet_code.in_(codes))
                .group_by(HouseholdRow.hamlet_code)
            )
        ).all()
    )
    registration = aliased(RegistrationRow)
    reachable = household_reachable().label("reachable")
    registered = (
        select(
            HouseholdRow.hamlet_code,
            registration.status,
            func.coalesce(cast(registration.passed, Integer), NOT_ASSESSED),
            reachable,
            func.count(),
        )
        .join(HouseholdRow, HouseholdRow.id == registration.household_id)
        .where(
            HouseholdRow.hamlet_code.in_(codes),
            registration.title == Title.CONG_DAN.value,
            registration.year == year,
        )
        .group_by(HouseholdRow.hamlet_code, registration.status, registration.passed, reachable)
    )
    rows = [_row(*found) for found in await session.execute(registered)]
    counted = dict.fromkeys(declared, 0)
    for row in rows:
        counted[row.hamlet_code] = counted.get(row.hamlet_code, 0) + row.count
    for code, members in declared.items():
        rest = int(members or 0) - counted[code]
        if rest > 0:
            rows.append(StandingRow(None, None, True, rest, code))
    return rows


def _merged(rows: list[StandingRow]) -> list[StandingRow]:
    """Clans and units are counted per commune: hamlets of one commune in two chunks would
    count the commune's twice, so repeated rows are kept once."""
    return list(dict.fromkeys(rows))
