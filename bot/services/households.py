"""Use cases of a family: consent, registration with its pledge, linked phones, members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.criteria_model import Title
from bot.domain.hamlets import CLAIM_TRIES_PER_HOUR, MSG_TOO_MANY_TRIES
from bot.domain.households import (
    CONSENT_VERSION,
    HOUSEHOLD_SUBJECT,
    Household,
    HouseholdForm,
    Member,
    known_commitments,
    new_household_code,
)
from bot.domain.messages import N_
from bot.domain.registrations import Registration
from bot.services.deadlines import check_registration_open
from bot.services.errors import NotAllowed, ServiceError
from bot.services.ports import UnitOfWork
from bot.services.scope import refuse

GIA_DINH = Title.GIA_DINH.value

MSG_NEEDS_CONSENT = N_("Please read and accept how your data is used first.")
MSG_ALREADY_IN_HOUSEHOLD = N_("This Telegram account already belongs to a household.")
MSG_NOT_IN_HOUSEHOLD = N_("Please register your family first.")
MSG_WRONG_CODE = N_("No household has this code. Please check it and type it again.")


class PhoneAlreadyRegistered(ServiceError):
    """A household of the same hamlet has this phone: offer to link instead."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "A family in this hamlet is already registered with this phone number. "
                "If it is your family, ask them for the household code and link this phone."
            )
        )


async def record_consent(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """The user agreed to the current data notice: keep its version and the time."""
    await uow.users.set_consent(user_id, CONSENT_VERSION, now)
    await uow.commit()


async def has_consent(uow: UnitOfWork, user_id: int) -> bool:
    user = await uow.users.get(user_id)
    return user is not None and user.consent_version == CONSENT_VERSION


async def phone_in_use(uow: UnitOfWork, hamlet_code: str, phone: str) -> bool:
    """A household of the hamlet registered with this phone: offer linking instead."""
    return await uow.households.with_phone(hamlet_code, phone) is not None


async def household_of(uow: UnitOfWork, user_id: int) -> Household | None:
    """The household this account speaks for, if any."""
    return await uow.households.of_user(user_id)


async def own_household(
    uow: UnitOfWork, user_id: int, action: str | None = None, now: datetime | None = None
) -> Household:
    """The user's household, or NotAllowed: every household action starts here. An action
    (`action` at `now`) by an account in no household is written down when refused: its
    household was erased or unlinked from another phone, or its buttons were forged."""
    household = await uow.households.of_user(user_id)
    if household is None and action is not None and now is not None:
        raise await refuse(uow, user_id, action, now, message=MSG_NOT_IN_HOUSEHOLD)
    if household is None:
        raise NotAllowed(MSG_NOT_IN_HOUSEHOLD)
    return household


async def register_household(
    uow: UnitOfWork, user_id: int, form: HouseholdForm, *, year: int, now: datetime
) -> tuple[Household, Registration]:
    """Create the household, link this account, and register its pledge for `year`."""
    await _check_may_join(uow, user_id)
    await check_household_form(uow, form)
    household, registration = await create_household(uow, form, year=year, now=now)
    await uow.households.link(user_id, household.id, now)
    await uow.users.set_area(user_id, form.hamlet_code)
    await uow.audit.record("register", household.id, {"title": GIA_DINH, "year": year}, now)
    await uow.commit()
    return household, registration


async def check_household_form(uow: UnitOfWork, form: HouseholdForm) -> None:
    """The place exists, the numbers fit, and the phone is not already the hamlet's."""
    hamlet = await uow.areas.get(form.hamlet_code)
    if hamlet is None or hamlet.level not in ("hamlet", "commune") or hamlet.retired:
        raise ServiceError(N_("This place is not in the list. Please choose again."))
    if not form.members_count >= 1 or not 0 <= form.school_age_count <= form.members_count:
        raise ServiceError(N_("The numbers of members and children do not fit together."))
    if await uow.households.with_phone(form.hamlet_code, form.phone) is not None:
        raise PhoneAlreadyRegistered()


async def create_household(
    uow: UnitOfWork, form: HouseholdForm, *, year: int, now: datetime
) -> tuple[Household, Registration]:
    """The household and its pledge for `year`, not committed (the caller adds its part)."""
    await check_registration_open(uow, form.hamlet_code, GIA_DINH, year, now)
    household = await uow.households.add(form, await free_code(uow), now)
    registration = await uow.registrations.add(
        household.id,
        HOUSEHOLD_SUBJECT,
        GIA_DINH,
        year,
        known_commitments(form.commitments),
        now,
    )
    return household, registration


async def pledge_for_year(
    uow: UnitOfWork, user_id: int, commitments: tuple[str, ...], *, year: int, now: datetime
) -> Registration:
    """A registered household pledges again for a new year: one registration a year."""
    household = await own_household(uow, user_id, "pledge", now)
    if await uow.registrations.find(household.id, HOUSEHOLD_SUBJECT, GIA_DINH, year):
        raise ServiceError(N_("Your family has already pledged for {year}."), year=str(year))
    await check_registration_open(uow, household.hamlet_code, GIA_DINH, year, now)
    registration = await uow.registrations.add(
        household.id, HOUSEHOLD_SUBJECT, GIA_DINH, year, known_commitments(commitments), now
    )
    await uow.audit.record("register", household.id, {"title": GIA_DINH, "year": year}, now)
    await uow.commit()
    return registration


async def link_account(uow: UnitOfWork, user_id: int, code: str, now: datetime) -> Household:
    """Let a phone speak for a household, given its household code (which its linked phones
    see) or the single-use claim code a hamlet head gave a family registered for it.

    Guessing is limited: CLAIM_TRIES_PER_HOUR wrong codes per user per hour."""
    await _check_may_join(uow, user_id)
    wrong = await uow.audit.count_since(user_id, "code_wrong", now - timedelta(hours=1))
    if wrong >= CLAIM_TRIES_PER_HOUR:
        raise ServiceError(MSG_TOO_MANY_TRIES)
    claimed = await uow.households.by_claim_code(code)
    household = claimed or await uow.households.by_code(code)
    if household is None or household.forgotten_at is not None:
        await uow.audit.record("code_wrong", None, {}, now, actor_id=user_id)
        await uow.commit()
        raise ServiceError(MSG_WRONG_CODE)
    if claimed is not None:
        await uow.households.clear_claim_code(household.id)
    await uow.households.link(user_id, household.id, now)
    await uow.users.set_area(user_id, household.hamlet_code)
    await uow.audit.record("claim" if claimed else "link", household.id, {}, now)
    await uow.commit()
    return household


async def add_member(
    uow: UnitOfWork, user_id: int, name: str, birth_year: int, now: datetime
) -> Member:
    household = await own_household(uow, user_id, "add_member", now)
    member = await uow.households.add_member(household.id, name, birth_year, now)
    await uow.commit()
    return member


async def members_of(uow: UnitOfWork, user_id: int) -> list[Member]:
    household = await own_household(uow, user_id)
    return await uow.households.members(household.id)


async def remove_member(uow: UnitOfWork, user_id: int, member_id: int) -> None:
    """Remove a member of one's own household; another household's member is refused."""
    household = await own_household(uow, user_id)
    if member_id not in {m.id for m in await uow.households.members(household.id)}:
        raise NotAllowed(N_("This person is not a member of your household."))
    registrations = await uow.registrations.of_household(household.id)
    if any(r.member_id == member_id for r in registrations):
        raise ServiceError(N_("This member has a self-assessment and cannot be removed."))
    await uow.households.remove_member(household.id, member_id)
    await uow.commit()


async def _check_may_join(uow: UnitOfWork, user_id: int) -> None:
    if not await has_consent(uow, user_id):
        raise NotAllowed(MSG_NEEDS_CONSENT)
    if await uow.households.of_user(user_id) is not None:
        raise ServiceError(MSG_ALREADY_IN_HOUSEHOLD)


async def free_code(uow: UnitOfWork) -> str:
    """A household code used by no household, as household code or as claim code."""
    while True:
        code = new_household_code()
        taken = await uow.households.by_code(code) or await uow.households.by_claim_code(code)
        if taken is None:
            return code


@dataclass(frozen=True)
class Overview:
    """A household with its members and every registration, for menus and /status."""

    household: Household
    members: list[Member]
    registrations: list[Registration]

    def current(
        self, title: str, year: int, subject: str = HOUSEHOLD_SUBJECT
    ) -> Registration | None:
        return next(
            (
                r
                for r in self.registrations
                if (r.title, r.year, r.subject) == (title, year, subject)
            ),
            None,
        )


async def overview(uow: UnitOfWork, user_id: int) -> Overview | None:
    """The user's household as the menus show it, or None when not in one."""
    household = await uow.households.of_user(user_id)
    if household is None:
        return None
    return Overview(
        household,
        await uow.households.members(household.id),
        await uow.registrations.of_household(household.id),
    )
