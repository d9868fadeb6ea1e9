"""What the bot keeps about a user and their household, shown on request or erased.

Both are written to the audit log with ids and counts only, never a name or a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.areas import Area
from bot.domain.households import Household, Member
from bot.domain.registrations import Registration
from bot.services.areas import area_path
from bot.services.ports import UnitOfWork


@dataclass(frozen=True)
class StoredData:
    """Everything stored that concerns the user; household fields are None without one."""

    language: str | None
    consent_version: int | None
    consent_at: datetime | None
    place: list[Area]
    household: Household | None
    members: list[Member]
    registrations: list[Registration]
    linked_accounts: int


async def my_data(uow: UnitOfWork, user_id: int, now: datetime) -> StoredData:
    user = await uow.users.get(user_id)
    household = await uow.households.of_user(user_id)
    area_code = household.hamlet_code if household else (user.area_code if user else None)
    data = StoredData(
        language=user.language if user else None,
        consent_version=user.consent_version if user else None,
        consent_at=await uow.users.consent_time(user_id),
        place=await area_path(uow, area_code) if area_code else [],
        household=household,
        members=await uow.households.members(household.id) if household else [],
        registrations=await uow.registrations.of_household(household.id) if household else [],
        linked_accounts=len(await uow.households.accounts(household.id)) if household else 0,
    )
    await uow.audit.record("show_data", household.id if household else None, {}, now)
    await uow.commit()
    return data


async def forget_me(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """Erase names, phone and years of birth, unlink every account of the household, and
    drop those accounts' consent, place and drafts. Statuses stay, anonymous, for totals."""
    household = await uow.households.of_user(user_id)
    details: dict[str, object] = {}
    accounts = [user_id]
    if household is not None:
        accounts = sorted({user_id, *await uow.households.accounts(household.id)})
        members = await uow.households.members(household.id)
        await uow.households.forget(household.id, now)
        await uow.households.unlink_all(household.id)
        details = {"accounts": len(accounts), "members": len(members)}
    for account in accounts:  # their drafts may hold the names too
        await uow.users.set_consent(account, None, None)
        await uow.users.set_area(account, None)
        await uow.drafts.delete_all(account)
    await uow.audit.record("forget", household.id if household else None, details, now)
    await uow.commit()
