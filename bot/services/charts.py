"""/chart: the areas just below one (a commune's hamlets, a province's communes), each with
the share of its households registered and recognised, against the target. The numbers are
those of /stats, cut to the bars a phone picture can show: the furthest behind first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.criteria_model import Title
from bot.domain.stats import Standing, share
from bot.domain.users import User
from bot.services.ports import UnitOfWork
from bot.services.scope import check_area
from bot.services.stats import area_stats, home_area

MAX_BARS = 30  # beyond this a phone shows the names too small (and Telegram shrinks it)


@dataclass(frozen=True)
class Bar:
    name: str
    registered: int  # percent of the area's households
    recognised: int


@dataclass(frozen=True)
class AreaChart:
    """What /chart draws for one area in one year."""

    place: str
    year: int
    title: str
    bars: tuple[Bar, ...]  # the furthest behind first
    target: int | None  # percent of households to be recognised
    areas: int  # how many areas are below: more than the bars when cut


async def area_chart(
    uow: UnitOfWork,
    actor: User,
    area_code: str | None,
    year: int,
    now: datetime,
    zone: ZoneInfo,
    title: str = Title.GIA_DINH.value,
) -> AreaChart:
    """The areas below `area_code` (the area itself when nothing is below, as for a hamlet)."""
    code = area_code or await home_area(uow, actor)
    await check_area(uow, actor, code, "chart", now)
    stats = await area_stats(uow, actor, code, year, now, zone, title)
    below = stats.below or (Standing(code, stats.area.name, stats.numbers),)
    bars = tuple(_bar(area) for area in below[:MAX_BARS])
    return AreaChart(stats.area.name, year, title, bars, stats.target, len(below))


def _bar(area: Standing) -> Bar:
    counts = area.numbers
    return Bar(
        area.name,
        share(counts.registered, counts.households),
        share(counts.recognised, counts.households),
    )
