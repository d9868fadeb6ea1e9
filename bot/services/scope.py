"""Who may act where: every staff use case checks its actor here, in the service layer.

Buttons only show what a user may do; callback data and command arguments can be forged, so
each call checks again. A refusal is written to the audit log (ids only) before it is raised.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.domain.areas import Area
from bot.domain.households import Household
from bot.domain.messages import N_
from bot.domain.users import Role, User, holds_role, oversees
from bot.services.areas import area_path
from bot.services.errors import NotAllowed
from bot.services.ports import UnitOfWork

HEAD_ROLES = (Role.HAMLET_HEAD, Role.COMMUNE_OFFICER)
OFFICER_ROLES = (Role.COMMUNE_OFFICER,)

MSG_OUTSIDE = N_("This household is outside your area.")
MSG_NOT_YOUR_HAMLET = N_("This hamlet is outside your area.")
MSG_NOT_YOUR_AREA = N_("This area is outside the ones you look after.")


async def refuse(
    uow: UnitOfWork,
    actor_id: int,
    action: str,
    now: datetime,
    household_id: int | None = None,
    message: str | None = None,
) -> NotAllowed:
    """Write the refused attempt down (ids only), for the caller to raise."""
    await uow.audit.record("refused", household_id, {"attempted": action}, now, actor_id=actor_id)
    await uow.commit()
    default = MSG_OUTSIDE if household_id is not None else MSG_NOT_YOUR_HAMLET
    return NotAllowed(message or default)


async def check_hamlet(
    uow: UnitOfWork,
    actor: User,
    hamlet_code: str,
    action: str,
    now: datetime,
    roles: Collection[Role] = HEAD_ROLES,
) -> None:
    """Refuse unless `hamlet_code` is a hamlet where `actor` holds one of `roles`."""
    path = await area_path(uow, hamlet_code)
    if (
        not path
        or path[-1].level != "hamlet"
        or not oversees(actor, [a.code for a in path], roles)
    ):
        raise await refuse(uow, actor.id, action, now)


async def household_in_scope(
    uow: UnitOfWork,
    actor: User,
    household_id: int,
    action: str,
    now: datetime,
    roles: Collection[Role] = HEAD_ROLES,
) -> Household:
    """The household, when `actor` holds one of `roles` over its hamlet."""
    household = await uow.households.get(household_id)
    if household is not None and await oversees_area(uow, actor, household.hamlet_code, roles):
        return household
    raise await refuse(uow, actor.id, action, now, household_id)


async def oversees_area(
    uow: UnitOfWork, actor: User, area_code: str, roles: Collection[Role]
) -> bool:
    """Whether `actor` holds one of `roles` over the area (or an area above it)."""
    codes = [area.code for area in await area_path(uow, area_code)]
    return bool(codes) and oversees(actor, codes, roles)


async def check_area(
    uow: UnitOfWork,
    actor: User,
    area_code: str,
    action: str,
    now: datetime,
    roles: Collection[Role] = OFFICER_ROLES,
) -> list[Area]:
    """The area's path (top-down), when `actor` holds one of `roles` over it: an officer
    over their commune and what is below it, a super admin anywhere. An unknown code is
    refused like a forbidden one, so that codes cannot be probed."""
    path = await area_path(uow, area_code)
    if path and path[-1].code == area_code and oversees(actor, [a.code for a in path], roles):
        return path
    raise await refuse(uow, actor.id, action, now, message=MSG_NOT_YOUR_AREA)


MSG_ROLE_GONE = N_("You no longer hold the role this needs, so nothing was done.")


async def check_role(
    uow: UnitOfWork, actor: User, roles: Collection[Role], action: str, now: datetime
) -> None:
    """Refuse unless `actor` holds one of `roles` somewhere (a super admin always does): the
    first check of a staff window's button, before its scope is checked."""
    if not holds_role(actor, roles):
        raise await refuse(uow, actor.id, action, now, message=MSG_ROLE_GONE)
