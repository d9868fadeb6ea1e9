"""The commune's review of its groups: the clans, units and hamlets registered this year,
each decided through the same `decide` as households' (verify, return, recognise or not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.groups import GroupKind, group_of
from bot.domain.registrations import Registration
from bot.domain.users import User
from bot.services.groups import group_name
from bot.services.ports import UnitOfWork
from bot.services.scope import OFFICER_ROLES, check_area, refuse


@dataclass(frozen=True)
class GroupLine:
    """One group's registration as the commune's list shows it."""

    registration: Registration
    kind: GroupKind
    name: str
    unit_confirmed: bool | None = None  # units only: the commune confirmed it is real


async def group_lines(
    uow: UnitOfWork, actor: User, commune_code: str, year: int, now: datetime
) -> list[GroupLine]:
    """The commune's group registrations of `year` (clans, units, its hamlets)."""
    await check_area(uow, actor, commune_code, "review_groups", now, OFFICER_ROLES)
    below = [area.code for area in await uow.stats.areas_below(commune_code)]
    found = await uow.group_registrations.of_area(sorted({commune_code, *below}), year)
    return [await _line(uow, registration) for registration in found]


async def group_line(
    uow: UnitOfWork, actor: User, commune_code: str, registration_id: int, now: datetime
) -> GroupLine:
    """One of the commune's group registrations; another's (a forged id) is refused."""
    await check_area(uow, actor, commune_code, "review_groups", now, OFFICER_ROLES)
    registration = await uow.registrations.get(registration_id)
    below = {area.code for area in await uow.stats.areas_below(commune_code)}
    if registration is None or registration.household_id is not None:
        raise await refuse(uow, actor.id, "review_groups", now)
    if registration.area_code not in below:
        raise await refuse(uow, actor.id, "review_groups", now)
    return await _line(uow, registration)


async def _line(uow: UnitOfWork, registration: Registration) -> GroupLine:
    ref = group_of(registration.subject)
    assert ref is not None  # of_area returns group registrations only
    confirmed = None
    if ref.kind == GroupKind.UNIT and ref.number is not None:
        unit = await uow.units.get(ref.number)
        confirmed = unit.confirmed if unit else False
    return GroupLine(registration, ref.kind, await group_name(uow, registration), confirmed)
