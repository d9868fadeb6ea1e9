"""/recognize: the commune recognises, by one decision, households their hamlet heads
proposed, or declines one with a reason; each household is told. Commune officers over the
commune and super admins only; every decision is audited (ids, counts and numbers only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.criteria_model import Title
from bot.domain.messages import N_
from bot.domain.recognition import MSG_REASON_NEEDED, Decision, Proposal
from bot.domain.status import Status
from bot.domain.users import User
from bot.services.assessments import decide
from bot.services.errors import ServiceError
from bot.services.hamlets import tell_household
from bot.services.ports import Notifier, UnitOfWork
from bot.services.scope import check_area, refuse

GIA_DINH = Title.GIA_DINH.value
MSG_NONE_CHOSEN = N_("Please choose at least one household.")
MSG_NO_LONGER_PROPOSED = N_(
    "Some of the chosen households are no longer waiting for a decision. Please look again."
)
MSG_RECOGNISED = N_(
    "🎉 Congratulations! By decision {decision} of {day}, the commune recognised your family "
    "as a “Learning family” for {year}. Press /status to see the details."
)


async def proposed(
    uow: UnitOfWork, actor: User, commune_code: str, year: int, now: datetime
) -> list[Proposal]:
    """The commune's households verified by their hamlet heads, waiting for a decision."""
    await check_area(uow, actor, commune_code, "recognise", now)
    below = await uow.stats.areas_below(commune_code)
    hamlets = [area.code for area in below if area.level == "hamlet"]
    return await uow.stats.proposals(hamlets, GIA_DINH, year)


async def recognise(
    uow: UnitOfWork,
    notifier: Notifier,
    actor: User,
    commune_code: str,
    registration_ids: Sequence[int],
    decision: Decision,
    *,
    year: int,
    now: datetime,
) -> int:
    """Recognise the chosen households by `decision`: all of them, or none when one is not
    (or no longer) a proposal of this commune. Returns how many were recognised."""
    chosen = set(registration_ids)
    if not chosen:
        raise ServiceError(MSG_NONE_CHOSEN)
    waiting = {p.registration_id: p for p in await proposed(uow, actor, commune_code, year, now)}
    await _check_all_waiting(uow, actor, chosen - waiting.keys(), commune_code, now)
    for registration_id in sorted(chosen):
        await uow.registrations.set_status(
            registration_id, Status.RECOGNISED, now, comment=decision.number
        )
    await uow.registrations.set_decision(sorted(chosen), decision.number, decision.day)
    details = {
        "area": commune_code,
        "year": year,
        "count": len(chosen),
        "decision": decision.number,
    }
    await uow.audit.record("recognise", None, details, now, actor_id=actor.id)
    await uow.commit()
    params = {"decision": decision.number, "day": decision.day, "year": str(year)}
    for registration_id in sorted(chosen):
        household = waiting[registration_id].household_id
        await tell_household(uow, notifier, household, MSG_RECOGNISED, params, now)
    await uow.commit()  # accounts found unreachable
    return len(chosen)


async def _check_all_waiting(
    uow: UnitOfWork, actor: User, missing: set[int], commune_code: str, now: datetime
) -> None:
    """A chosen id that is not waiting: refused (and audited) when it is not this commune's
    at all, as forged callback data would be; otherwise it was decided meanwhile."""
    if not missing:
        return
    below = {area.code for area in await uow.stats.areas_below(commune_code)}
    for registration_id in sorted(missing):
        registration = await uow.registrations.get(registration_id)
        household_id = registration.household_id if registration else None
        household = await uow.households.get(household_id) if household_id else None
        if household is None or household.hamlet_code not in below:
            raise await refuse(
                uow, actor.id, "recognise", now, household.id if household else None
            )
    raise ServiceError(MSG_NO_LONGER_PROPOSED)


async def decline(
    uow: UnitOfWork,
    notifier: Notifier,
    actor: User,
    registration_id: int,
    reason: str,
    now: datetime,
) -> None:
    """Mark one proposed household "not recognised" with the reason it is told."""
    if not reason.strip():
        raise ServiceError(MSG_REASON_NEEDED)
    await decide(uow, notifier, actor, registration_id, Status.NOT_RECOGNISED, now, comment=reason)
