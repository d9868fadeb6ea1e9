"""/stats: an area's numbers for a year against its target, and the areas below it ranked
from the furthest behind. For commune officers over their commune, and super admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.areas import Area
from bot.domain.criteria_model import Title
from bot.domain.messages import N_
from bot.domain.stats import (
    Numbers,
    Standing,
    furthest_behind,
    households_to_target,
    inherited_target,
    numbers_by_hamlet,
    projected,
    registrations_to_target,
    roll_up,
)
from bot.domain.users import Role, User, areas_with_role
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from bot.services.scope import check_area
from bot.services.targets import national

MSG_WHICH_AREA = N_("Which area? Add its code, for example: /stats {example}")
MSG_UNKNOWN_AREA = N_("There is no area with the code {code}.")


@dataclass(frozen=True)
class AreaStats:
    """What /stats shows about one area in one year."""

    area: Area
    year: int
    title: str
    numbers: Numbers  # of households, or of the title's subjects (citizens, clans...)
    target: int | None  # percent of households to be recognised
    to_recognise: int | None  # households still to be recognised for the target
    to_register: int | None  # households still to register for the target to be reachable
    projection: int | None  # households registered by `until` at the pace so far
    until: date
    below: tuple[Standing, ...]  # the areas just below, the furthest behind first
    below_targets: dict[str, int | None]


async def home_area(uow: UnitOfWork, actor: User) -> str:
    """The area /stats is about when none is named: the officer's first commune, or the one
    area at the top of the tree for a super admin."""
    communes = areas_with_role(actor, Role.COMMUNE_OFFICER)
    if communes:
        return communes[0]
    tops = await uow.areas.children(None)
    if len(tops) == 1:
        return tops[0].code
    example = tops[0].code if tops else "79"
    raise ServiceError(MSG_WHICH_AREA, example=example)


async def area_stats(
    uow: UnitOfWork,
    actor: User,
    area_code: str | None,
    year: int,
    now: datetime,
    zone: ZoneInfo,
    title: str = Title.GIA_DINH.value,
) -> AreaStats:
    today = now.astimezone(zone).date()
    code = area_code or await home_area(uow, actor)
    path = await check_area(uow, actor, code, "stats", now)
    below = await uow.stats.areas_below(code)
    hamlets = [a.code for a in below if a.level == "hamlet"]
    # Above a commune the ranking is of communes (or districts): count per commune, not per
    # hamlet, which reads ten times fewer rows for a province.
    by_commune = path[-1].level not in ("commune", "hamlet")
    counted = await uow.stats.standings(hamlets, title, year, by_commune)
    await uow.commit()  # a read that may have refreshed the numbers' cache: keep the work
    leaves = numbers_by_hamlet(counted)  # keyed by hamlet, or by commune
    totals = roll_up({a.code: a.parent_code for a in below if a.code != code}, leaves)
    children = [a for a in below if a.parent_code == code]
    path_codes = [a.code for a in path]
    targets = await uow.targets.of([*path_codes, *(a.code for a in children)], title, year)
    top = national(title, year)
    target = inherited_target(path_codes, targets, top)
    numbers = totals.get(code, Numbers())
    since, until = await _pace_window(uow, path_codes, title, year, zone)
    child_targets = {
        a.code: inherited_target([*path_codes, a.code], targets, top) for a in children
    }
    standings = [Standing(a.code, a.name, totals.get(a.code, Numbers())) for a in children]
    return AreaStats(
        area=path[-1],
        year=year,
        title=title,
        numbers=numbers,
        target=target,
        to_recognise=households_to_target(numbers, target),
        to_register=registrations_to_target(numbers, target),
        projection=projected(numbers.registered, since, min(today, until), until)
        if today.year == year
        else None,
        until=until,
        below=tuple(furthest_behind(standings, target)) if _ranked(numbers, standings) else (),
        below_targets=child_targets,
    )


def _ranked(numbers: Numbers, standings: list[Standing]) -> bool:
    """Whether the areas below are ranked: not when what is counted belongs to the area
    itself (a commune's clans and units are not any hamlet's), whose hamlets all have none."""
    return not numbers.households or any(s.numbers.households for s in standings)


async def _pace_window(
    uow: UnitOfWork, path_codes: list[str], title: str, year: int, zone: ZoneInfo
) -> tuple[date, date]:
    """From when registrations are counted, and until when: the registration window the
    commune set, else the calendar year."""
    deadlines = await uow.registrations.deadlines(path_codes, title, year)
    opens = deadlines.first_day(deadlines.registration_opens, zone)
    closes = deadlines.last_day(deadlines.registration_closes, zone)
    return opens or date(year, 1, 1), closes or date(year, 12, 31)
