"""Targets per area, year and title (percent of households, clans, hamlets or units
recognised), over the national ones shipped as data. Only commune officers (over their
commune and below) and super admins set them; every change is audited with codes and values
only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.areas import Area
from bot.domain.messages import N_
from bot.domain.national_targets import national_target
from bot.domain.stats import inherited_target
from bot.domain.users import User
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from bot.services.scope import check_area
from bot.target_files import load_national_targets

TARGET_MIN, TARGET_MAX = 1, 100
MSG_TARGET_RANGE = N_("A target is a percentage from {minimum} to {maximum}.")


def national(title: str, year: int) -> int | None:
    """The shipped national target for the title in the year, under every area's own."""
    return national_target(load_national_targets(), title, year)


@dataclass(frozen=True)
class TargetLine:
    """An area's target for a year: its own, or the one it inherits from above."""

    area: Area
    own: int | None
    applies: int | None
    national: bool = False  # what applies is the national target: nothing above set one


async def targets_of(
    uow: UnitOfWork, actor: User, area_code: str, title: str, year: int, now: datetime
) -> list[TargetLine]:
    """The area and the areas just below it, each with its own and its applying target."""
    path = await check_area(uow, actor, area_code, "targets", now)
    children = [area for area in await uow.areas.children(area_code) if not area.retired]
    codes = [a.code for a in path]
    targets = await uow.targets.of([*codes, *(a.code for a in children)], title, year)
    top = national(title, year)
    lines = []
    for area, area_codes in [(path[-1], codes), *((c, [*codes, c.code]) for c in children)]:
        set_above = inherited_target(area_codes, targets)
        applies = top if set_above is None else set_above
        lines.append(TargetLine(area, targets.get(area.code), applies, set_above is None))
    return lines


async def set_target(
    uow: UnitOfWork,
    actor: User,
    area_code: str,
    title: str,
    year: int,
    percent: int | None,
    now: datetime,
) -> None:
    """Set the area's own target, or clear it (None) to inherit the one above again."""
    if percent is not None and not TARGET_MIN <= percent <= TARGET_MAX:
        raise ServiceError(MSG_TARGET_RANGE, minimum=TARGET_MIN, maximum=TARGET_MAX)
    await check_area(uow, actor, area_code, "set_target", now)
    await uow.targets.set(area_code, title, year, percent)
    details = {"area": area_code, "title": title, "year": year, "percent": percent}
    await uow.audit.record("set_target", None, details, now, actor_id=actor.id)
    await uow.commit()
