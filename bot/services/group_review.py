"""The commune's review of its groups: the clans, units and hamlets registered this year,
each decided through the same `decide` as households' (verify, return, recognise by a
decision, or not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.groups import GroupKind, group_of
from bot.domain.messages import N_
from bot.domain.recognition import Decision
from bot.domain.registrations import Registration
from bot.domain.status import Status
from bot.domain.users import User
from bot.services.assessments import decide
from bot.services.errors import ServiceError
from bot.services.groups import group_name
from bot.services.ports import Notifier, UnitOfWork
from bot.services.scope import OFFICER_ROLES, check_area, refuse

MSG_UNIT_NOT_CONFIRMED = N_("🏫 The commune has not confirmed this unit is real yet.")


@dataclass(frozen=True)
class GroupLine:
    """One group's registration as the commune's list shows it."""

    registration: Registration
    kind: GroupKind
    name: str
    unit_confirmed: bool | None = None  # units only: the commune confirmed it is real
    decision: Decision | None = None  # the commune's decision recognising it


async def group_lines(
    uow: UnitOfWork, actor: User, commune_code: str, year: int, now: datetime
) -> list[GroupLine]:
    """The commune's group registrations of `year` (clans, units, its hamlets)."""
    await check_area(uow, actor, commune_code, "review_groups", now, OFFICER_ROLES)
    below = [area.code for area in await uow.stats.areas_below(commune_code)]
    found = await uow.group_registrations.of_area(sorted({commune_code, *below}), year)
    decisions = await uow.group_registrations.decisions([r.id for r in found])
    return [await _line(uow, registration, decisions) for registration in found]


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
    decisions = await uow.group_registrations.decisions([registration.id])
    return await _line(uow, registration, decisions)


async def recognise_group(
    uow: UnitOfWork,
    notifier: Notifier,
    actor: User,
    commune_code: str,
    registration_id: int,
    decision: Decision,
    now: datetime,
) -> GroupLine:
    """Recognise one of the commune's groups by `decision` (its number and day kept, the
    group told both); a group of another commune (a forged id) is refused and written down."""
    line = await group_line(uow, actor, commune_code, registration_id, now)
    if line.unit_confirmed is False:  # a unit is recognised once known to be real
        raise ServiceError(MSG_UNIT_NOT_CONFIRMED)
    await decide(
        uow, notifier, actor, line.registration.id, Status.RECOGNISED, now, decision=decision
    )
    return line


async def _line(
    uow: UnitOfWork, registration: Registration, decisions: dict[int, Decision]
) -> GroupLine:
    ref = group_of(registration.subject)
    assert ref is not None  # of_area returns group registrations only
    confirmed = None
    if ref.kind == GroupKind.UNIT and ref.number is not None:
        unit = await uow.units.get(ref.number)
        confirmed = unit.confirmed if unit else False
    name = await group_name(uow, registration)
    return GroupLine(registration, ref.kind, name, confirmed, decisions.get(registration.id))
