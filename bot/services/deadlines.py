"""The deadlines of the commune's year: set by its officers (audited), and kept by every
use case they limit (registering and pledging, self-assessing, verifying)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.areas import Area
from bot.domain.deadlines import (
    MSG_REGISTRATION_CLOSED,
    MSG_REGISTRATION_NOT_OPEN,
    MSG_VERIFICATION_CLOSED,
    Deadline,
    Deadlines,
    window_refusal,
    with_day,
)
from bot.domain.messages import N_
from bot.domain.users import User
from bot.services.areas import area_path
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from bot.services.scope import check_area

MSG_NOT_A_COMMUNE = N_(
    "Deadlines are set for a commune: type /deadlines and the commune's code, for example "
    "/deadlines {example}"
)


async def deadlines_at(uow: UnitOfWork, area_code: str, title: str, year: int) -> Deadlines:
    """The deadlines that apply at an area: its commune's, else its province's."""
    codes = [area.code for area in await area_path(uow, area_code)]
    return await uow.registrations.deadlines(codes, title, year)


async def check_registration_open(
    uow: UnitOfWork, area_code: str, title: str, year: int, now: datetime
) -> None:
    """Refuse registering or pledging for `year` outside the commune's registration window."""
    deadlines = await deadlines_at(uow, area_code, title, year)
    refusal = window_refusal(deadlines.registration_opens, deadlines.registration_closes, now)
    if refusal is not None:
        not_yet, moment = refusal
        if not_yet:
            raise ServiceError(MSG_REGISTRATION_NOT_OPEN, date=moment)
        raise ServiceError(MSG_REGISTRATION_CLOSED, date=_last_moment(moment))


async def check_verification_open(
    uow: UnitOfWork, area_code: str, title: str, year: int, now: datetime
) -> None:
    """Refuse verifying or returning a self-assessment once the deadline has passed."""
    deadlines = await deadlines_at(uow, area_code, title, year)
    refusal = window_refusal(None, deadlines.verification_closes, now)
    if refusal is not None:
        raise ServiceError(MSG_VERIFICATION_CLOSED, date=_last_moment(refusal[1]))


def _last_moment(closes: datetime) -> datetime:
    """A window closes at the start of the next day; people are told the last minute in."""
    return closes - timedelta(minutes=1)


async def deadlines_of(
    uow: UnitOfWork, actor: User, commune_code: str, title: str, year: int, now: datetime
) -> Deadlines:
    """The deadlines that apply in the commune (its own, else the province's)."""
    path = await _commune_path(uow, actor, commune_code, "deadlines", now)
    return await uow.registrations.deadlines([a.code for a in path], title, year)


async def set_deadline(
    uow: UnitOfWork,
    actor: User,
    commune_code: str,
    title: str,
    year: int,
    which: Deadline,
    day: date | None,
    now: datetime,
    zone: ZoneInfo,
) -> Deadlines:
    """Set one deadline of the commune's year to `day` (None clears it); the others stay.
    A day out of the year's order is refused with the reason, and nothing changes."""
    path = await _commune_path(uow, actor, commune_code, "set_deadline", now)
    current = await uow.registrations.deadlines([a.code for a in path], title, year)
    changed, problem = with_day(current, which, day, year, zone)
    if problem is not None:
        raise ServiceError(
            problem.msgid,
            year=str(year),
            next_year=str(year + 1),
            earlier=problem.earlier or "",
            later=problem.later or "",
        )
    await uow.registrations.set_deadlines(commune_code, title, year, changed)
    details = {
        "area": commune_code,
        "title": title,
        "year": year,
        "deadline": which.value,
        "day": day.isoformat() if day else None,
    }
    await uow.audit.record("set_deadline", None, details, now, actor_id=actor.id)
    await uow.commit()
    return changed


async def _commune_path(
    uow: UnitOfWork, actor: User, code: str, action: str, now: datetime
) -> list[Area]:
    path = await check_area(uow, actor, code, action, now)
    if path[-1].level != "commune":
        communes = await uow.stats.areas_below(code)
        example = next((a.code for a in communes if a.level == "commune"), "")
        raise ServiceError(MSG_NOT_A_COMMUNE, example=example)
    return path
