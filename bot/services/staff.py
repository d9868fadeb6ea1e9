"""/audit and /whois: what staff did in an area, and who holds which role there. For
commune officers over their commune and super admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.areas import Area
from bot.domain.audit import AUDIT_DEFAULT, AUDIT_MAX, AuditEntry
from bot.domain.users import Role, User
from bot.services.ports import UnitOfWork
from bot.services.scope import check_area
from bot.services.stats import home_area


@dataclass(frozen=True)
class RoleHolder:
    user_id: int
    role: Role
    area: Area


async def recent_actions(
    uow: UnitOfWork, actor: User, area_code: str | None, count: int | None, now: datetime
) -> tuple[Area, list[AuditEntry]]:
    """The latest `count` entries (AUDIT_DEFAULT unless given, at most AUDIT_MAX) about the
    area, everything below it and their households."""
    code = area_code or await home_area(uow, actor)
    path = await check_area(uow, actor, code, "audit", now)
    below = [area.code for area in await uow.stats.areas_below(code)]
    limit = max(1, min(count or AUDIT_DEFAULT, AUDIT_MAX))
    return path[-1], await uow.audit.recent(below, limit)


async def role_holders(
    uow: UnitOfWork, actor: User, area_code: str | None, now: datetime
) -> tuple[Area, list[RoleHolder]]:
    """Everyone holding a staff role on the area or below it: officers first, then hamlet
    heads, each by area."""
    code = area_code or await home_area(uow, actor)
    path = await check_area(uow, actor, code, "whois", now)
    below = {area.code: area for area in await uow.stats.areas_below(code)}
    holders = []
    for role in (Role.COMMUNE_OFFICER, Role.HAMLET_HEAD):
        for user_id, where in await uow.users.holders(role, list(below)):
            holders.append(RoleHolder(user_id, role, below[where]))
    return path[-1], holders
