"""The hamlet's households for its head's spreadsheet: one row each, scope-checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.hamlets import HouseholdLine
from bot.domain.status import Status
from bot.domain.users import User
from bot.services.ports import UnitOfWork
from bot.services.scope import check_hamlet


@dataclass(frozen=True)
class ExportRow:
    """One household as the export lists it; a datetime is shown as its local day."""

    head_name: str
    hamlet: str
    members: int
    phone: str
    registered_on: date | None  # the meeting's day for a pledge, else when it registered
    score: int | None
    status: Status | None  # this year's; None: not registered
    passed: bool | None
    recognised_on: date | None
    decision_number: str | None = None  # the commune's decision: comes with a later issue


async def hamlet_export_rows(
    uow: UnitOfWork, actor: User, hamlet_code: str, year: int, now: datetime
) -> list[ExportRow]:
    """Every household of the hamlet with this year's registration, by name."""
    await check_hamlet(uow, actor, hamlet_code, "export", now)
    area = await uow.areas.get(hamlet_code)
    hamlet = area.name if area else hamlet_code
    rows = [await _row(uow, line, hamlet) for line in await uow.hamlets.lines(hamlet_code, year)]
    await uow.audit.record(
        "export", None, {"hamlet": hamlet_code, "rows": len(rows)}, now, actor_id=actor.id
    )
    await uow.commit()
    return rows


async def _row(uow: UnitOfWork, line: HouseholdLine, hamlet: str) -> ExportRow:
    household = await uow.households.get(line.id)
    registration = (
        await uow.registrations.get(line.registration_id) if line.registration_id else None
    )
    registered_on: date | None = None
    if registration is not None:
        registered_on = registration.pledged_on or registration.reached_at(Status.REGISTERED)
    submitted = registration is not None and registration.status not in (
        Status.DRAFT,
        Status.REGISTERED,
    )
    return ExportRow(
        head_name=line.head_name or "",
        hamlet=hamlet,
        members=household.members_count if household else 0,
        phone=line.phone or "",
        registered_on=registered_on,
        score=registration.total if registration and submitted else None,
        status=line.status,
        passed=registration.passed if registration and submitted else None,
        recognised_on=registration.reached_at(Status.RECOGNISED) if registration else None,
    )
