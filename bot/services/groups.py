"""Clans, units and hamlets as subjects of their own titles: registering them, who may act
for them, and the facts the bot fills into their self-assessments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.criteria_model import Title
from bot.domain.facts import Fact, Measure, Share, measured, total
from bot.domain.groups import (
    CLAN_NAME_MAX,
    GROUP_TITLE,
    STAFF_MAX,
    STAFF_MIN,
    UNIT_NAME_MAX,
    Clan,
    GroupKind,
    GroupRef,
    Unit,
    UnitKind,
    group_of,
    hamlet_subject,
    parse_group_name,
)
from bot.domain.households import Household, new_household_code
from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.registrations import Registration, decode_answers
from bot.domain.users import Role, User
from bot.services.areas import area_path
from bot.services.criteria import parsed_criteria
from bot.services.errors import NotAllowed, ServiceError
from bot.services.hamlets import tell_users
from bot.services.households import own_household
from bot.services.ports import Notifier, UnitOfWork
from bot.services.scope import (
    HEAD_ROLES,
    OFFICER_ROLES,
    check_hamlet,
    household_in_scope,
    oversees_area,
    refuse,
)

MSG_CONSENT_FIRST = N_("Please agree to how the bot keeps data first (press /start).")
MSG_NOT_A_COMMUNE = N_("Please choose a commune.")
MSG_NO_SUCH_GROUP = N_("This clan or unit no longer exists.")
MSG_NOT_INVITED = N_("Your family is not asked to join this clan.")
MSG_NOT_IN_CLAN = N_("Your family is not in a clan.")
MSG_NOT_ASKED = N_("No clan is waiting for this family's answer.")
MSG_ON_TELEGRAM = N_("This family is on Telegram: it answers the clan on its own phone.")
MSG_STAFF_RANGE = N_("Please type a number of people from {minimum} to {maximum}")
MSG_UNKNOWN_UNIT_KIND = N_("Please choose what kind of unit it is.")
MSG_NO_SUCH_UNIT = N_("No unit has this code. Please check it with the unit.")
MSG_NOT_A_CITIZEN_REGISTRATION = N_("Only a learning-citizen self-assessment counts for a unit.")
MSG_FAMILY_JOINED = N_("✅ The family of {family} confirmed it is in {clan}.")
MSG_FAMILY_LEFT = N_("The family of {family} said it is not in {clan}.")
MSG_NOT_FOR_GROUP = N_("Only the person who registered it, or the commune, may do this.")
MSG_UNIT_CONFIRMED = N_(
    "🏫 The commune confirmed that {name} is a real unit: once its self-assessment is checked, "
    "it can be recognised as a “Learning unit”."
)


@dataclass(frozen=True)
class ClanRegistered:
    """A new clan, its registration for the year, and what became of each household asked."""

    clan: Clan
    registration: Registration
    asked: tuple[int, ...]  # households asked to confirm (the representative's own is in)
    in_other_clan: tuple[int, ...]
    outside: tuple[int, ...]  # not households of the commune


async def register_clan(
    uow: UnitOfWork,
    actor: User,
    name: str,
    commune_code: str,
    household_ids: Sequence[int],
    *,
    year: int,
    now: datetime,
) -> ClanRegistered:
    """Any registered user registers a clan of the commune's households for `year`."""
    check_consent(actor)
    clean_name = _group_name(name, CLAN_NAME_MAX)
    await _check_commune(uow, commune_code)
    asked, in_other, outside = await _sort_households(uow, commune_code, household_ids)
    code = await _free_code(uow)
    clan = await uow.clans.add(code, clean_name, commune_code, actor.id, now)
    own = await uow.households.of_user(actor.id)
    for household_id in asked:
        mine = own is not None and own.id == household_id
        await uow.clans.add_member(clan.id, household_id, now, confirmed=mine)
    registration = await uow.group_registrations.add(
        clan.subject, commune_code, Title.DONG_HO.value, year, now
    )
    details = {"clan": clan.id, "asked": len(asked)}
    await uow.audit.record("clan_registered", None, details, now, actor_id=actor.id)
    await uow.commit()
    return ClanRegistered(clan, registration, asked, in_other, outside)


async def register_again(
    uow: UnitOfWork, actor: User, ref: GroupRef, *, year: int, now: datetime
) -> Registration:
    """The representative registers their clan or unit for another year: the movement runs
    year by year, and the clan's families and the unit's confirmation carry over. Once a
    year; someone else's group (a forged id) is refused and written down."""
    check_consent(actor)
    group = await _clan_or_unit(uow, ref)
    if group is None or group.representative_id != actor.id:
        raise await refuse(uow, actor.id, "register_again", now, None, MSG_NOT_FOR_GROUP)
    title = GROUP_TITLE[ref.kind].value
    found = await uow.group_registrations.find(group.subject, title, year)
    if found is not None:
        return found
    registration = await uow.group_registrations.add(
        group.subject, group.commune_code, title, year, now
    )
    details = {"subject": group.subject, "year": year}
    await uow.audit.record("group_registered_again", None, details, now, actor_id=actor.id)
    await uow.commit()
    return registration


async def pending_clan(uow: UnitOfWork, user_id: int) -> Clan | None:
    """The clan the user's household is asked to join and has not confirmed yet."""
    household = await uow.households.of_user(user_id)
    return await clan_asking(uow, household.id) if household else None


async def clan_asking(uow: UnitOfWork, household_id: int) -> Clan | None:
    """The clan the household is asked to join and has not confirmed yet."""
    membership = await uow.clans.membership(household_id)
    if membership is None or membership.confirmed:
        return None
    return await uow.clans.get(membership.clan_id)


async def confirm_clan_for(
    uow: UnitOfWork,
    head: User,
    household_id: int,
    now: datetime,
    notifier: Notifier | None = None,
) -> Clan:
    """The hamlet head confirms, for a family without Telegram that told them so, that it is
    in the clan asking it (a family with Telegram answers on its own phone). The
    representative is told."""
    household = await household_in_scope(uow, head, household_id, "confirm_clan_for", now)
    clan = await clan_asking(uow, household_id)
    if clan is None:
        raise ServiceError(MSG_NOT_ASKED)
    if await uow.households.accounts(household_id):
        raise ServiceError(MSG_ON_TELEGRAM)
    await uow.clans.confirm(household_id, now)
    details = {"clan": clan.id, "for_family": True}
    await uow.audit.record("clan_confirmed", household_id, details, now, actor_id=head.id)
    await uow.commit()
    await _tell_representative(uow, notifier, clan, head.id, MSG_FAMILY_JOINED, household, now)
    return clan


async def confirm_clan(
    uow: UnitOfWork,
    user_id: int,
    clan_id: int,
    now: datetime,
    notifier: Notifier | None = None,
) -> Clan:
    """One tap by a member household: yes, we are in this clan (its representative is told)."""
    household = await own_household(uow, user_id, "confirm_clan", now)
    membership = await uow.clans.membership(household.id)
    clan = await uow.clans.get(clan_id)
    if membership is None or membership.clan_id != clan_id or clan is None:
        raise await refuse(uow, user_id, "confirm_clan", now, household.id, MSG_NOT_INVITED)
    await uow.clans.confirm(household.id, now)
    await uow.audit.record(
        "clan_confirmed", household.id, {"clan": clan_id}, now, actor_id=user_id
    )
    await uow.commit()
    await _tell_representative(uow, notifier, clan, user_id, MSG_FAMILY_JOINED, household, now)
    return clan


async def leave_clan(
    uow: UnitOfWork, user_id: int, now: datetime, notifier: Notifier | None = None
) -> None:
    """A household leaves its clan (or declines to join): it no longer counts for it, and
    the clan's representative is told."""
    household = await own_household(uow, user_id, "leave_clan", now)
    membership = await uow.clans.membership(household.id)
    if membership is None:
        raise ServiceError(MSG_NOT_IN_CLAN)
    await uow.clans.remove_member(household.id)
    details = {"clan": membership.clan_id}
    await uow.audit.record("clan_left", household.id, details, now, actor_id=user_id)
    await uow.commit()
    clan = await uow.clans.get(membership.clan_id)
    await _tell_representative(uow, notifier, clan, user_id, MSG_FAMILY_LEFT, household, now)


async def _tell_representative(
    uow: UnitOfWork,
    notifier: Notifier | None,
    clan: Clan | None,
    actor_id: int,
    msgid: str,
    household: Household,
    now: datetime,
) -> None:
    if notifier is None or clan is None or clan.representative_id == actor_id:
        return
    params: dict[str, object] = {"family": household.head_name or "", "clan": clan.name}
    await tell_users(uow, notifier, [clan.representative_id], msgid, params, now)
    await uow.commit()  # a representative found unreachable


async def register_unit(
    uow: UnitOfWork,
    actor: User,
    name: str,
    kind: str,
    staff_count: int,
    commune_code: str,
    *,
    year: int,
    now: datetime,
) -> tuple[Unit, Registration]:
    """A unit's representative registers it; the commune confirms it later."""
    check_consent(actor)
    clean_name = _group_name(name, UNIT_NAME_MAX)
    if kind not in {member.value for member in UnitKind}:
        raise ServiceError(MSG_UNKNOWN_UNIT_KIND)
    if not STAFF_MIN <= staff_count <= STAFF_MAX:
        raise ServiceError(MSG_STAFF_RANGE, minimum=STAFF_MIN, maximum=STAFF_MAX)
    await _check_commune(uow, commune_code)
    code = await _free_code(uow)
    unit = await uow.units.add(code, clean_name, kind, staff_count, commune_code, actor.id, now)
    registration = await uow.group_registrations.add(
        unit.subject, commune_code, Title.DON_VI.value, year, now
    )
    await uow.audit.record("unit_registered", None, {"unit": unit.id}, now, actor_id=actor.id)
    await uow.commit()
    return unit, registration


async def confirm_unit(
    uow: UnitOfWork,
    actor: User,
    unit_id: int,
    now: datetime,
    notifier: Notifier | None = None,
) -> Unit:
    """The commune officer confirms the unit is real; its representative is told (once: a
    unit confirmed already stays as it was)."""
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise ServiceError(MSG_NO_SUCH_GROUP)
    if not await oversees_area(uow, actor, unit.commune_code, OFFICER_ROLES):
        raise await refuse(uow, actor.id, "confirm_unit", now, None, MSG_NOT_FOR_GROUP)
    if unit.confirmed:
        return unit
    await uow.units.confirm(unit_id, actor.id, now)
    await uow.audit.record("unit_confirmed", None, {"unit": unit_id}, now, actor_id=actor.id)
    await uow.commit()
    if notifier is not None:
        params: dict[str, object] = {"name": unit.name}
        await tell_users(uow, notifier, [unit.representative_id], MSG_UNIT_CONFIRMED, params, now)
        await uow.commit()  # a representative found unreachable
    return replace(unit, confirmed=True)


async def count_for_unit(
    uow: UnitOfWork, user_id: int, registration_id: int, unit_code: str, now: datetime
) -> Unit:
    """A staff member's learning-citizen registration counts for their unit, by its code."""
    household = await own_household(uow, user_id, "count_for_unit", now)
    registration = await uow.registrations.get(registration_id)
    if registration is None or registration.household_id != household.id:
        raise await refuse(uow, user_id, "count_for_unit", now, household.id)
    if registration.title != Title.CONG_DAN.value:
        raise ServiceError(MSG_NOT_A_CITIZEN_REGISTRATION)
    unit = await uow.units.by_code(unit_code.strip().upper())
    if unit is None:
        raise ServiceError(MSG_NO_SUCH_UNIT)
    await uow.units.link_citizen(registration_id, unit.id, now)
    await uow.commit()
    return unit


async def register_hamlet(
    uow: UnitOfWork, actor: User, hamlet_code: str, *, year: int, now: datetime
) -> Registration:
    """The hamlet head registers the hamlet as a learning community (once a year)."""
    await check_hamlet(uow, actor, hamlet_code, "register_hamlet", now)
    subject, title = hamlet_subject(hamlet_code), Title.CONG_DONG.value
    found = await uow.group_registrations.find(subject, title, year)
    if found is not None:
        return found
    registration = await uow.group_registrations.add(subject, hamlet_code, title, year, now)
    await uow.audit.record(
        "hamlet_registered", None, {"hamlet": hamlet_code}, now, actor_id=actor.id
    )
    await uow.commit()
    return registration


async def may_act_for(
    uow: UnitOfWork, actor: User, registration: Registration, action: str, now: datetime
) -> bool:
    """Whether `actor` may fill in a group's registration; True when on its behalf (an
    officer). Anyone else is refused and written down."""
    ref = _group(registration)
    area = registration.area_code or ""
    if ref.kind == GroupKind.HAMLET and await oversees_area(uow, actor, area, HEAD_ROLES):
        return not actor.has_role(Role.HAMLET_HEAD)
    if ref.kind != GroupKind.HAMLET and await _representative(uow, ref) == actor.id:
        return False
    if await oversees_area(uow, actor, area, OFFICER_ROLES):
        return True
    raise await refuse(uow, actor.id, action, now, None, MSG_NOT_FOR_GROUP)


async def group_facts(
    uow: UnitOfWork, registration: Registration, shipped: Mapping[str, str]
) -> dict[Fact, Share]:
    """The live figures of a group's facts for its registration's year."""
    ref, year = _group(registration), registration.year
    if ref.kind == GroupKind.CLAN and ref.number is not None:
        return {
            Fact.CLAN_LEARNING_FAMILIES: await uow.clans.learning_families(ref.number, year),
            Fact.CLAN_CHILDREN_IN_SCHOOL: await _children_in_school(uow, ref.number, year),
        }
    if ref.kind == GroupKind.UNIT and ref.number is not None:
        unit = await uow.units.get(ref.number)
        if unit is None:
            return {}
        learned = await uow.units.learning_citizens(unit.id, year)
        return {
            Fact.UNIT_LEARNING_CITIZENS: Share(unit.staff_count, min(learned, unit.staff_count))
        }
    if ref.kind == GroupKind.HAMLET:
        households, registered, learning = await uow.group_figures.hamlet_families(ref.key, year)
        return {
            Fact.HAMLET_FAMILIES_REGISTERED: Share(households, registered),
            Fact.HAMLET_LEARNING_FAMILIES: Share(households, learning),
            Fact.HAMLET_LEARNING_CLANS: await uow.group_figures.hamlet_clans(ref.key, year),
        }
    return {}


def group_title(registration: Registration) -> Title | None:
    ref = group_of(registration.subject)
    return GROUP_TITLE[ref.kind] if ref else None


async def _children_in_school(uow: UnitOfWork, clan_id: int, year: int) -> Share:
    shares = [
        measured(parsed_criteria(text), decode_answers(answers), Measure.CHILDREN_IN_SCHOOL)
        for set_id, answers in await uow.clans.family_answers(clan_id, year)
        if (text := await uow.criteria.text_of(set_id))
    ]
    return total(shares)


def _group(registration: Registration) -> GroupRef:
    ref = group_of(registration.subject)
    if ref is None or registration.household_id is not None:
        raise ServiceError(MSG_NO_SUCH_GROUP)
    return ref


async def _representative(uow: UnitOfWork, ref: GroupRef) -> int | None:
    group = await _clan_or_unit(uow, ref)
    return group.representative_id if group else None


async def _clan_or_unit(uow: UnitOfWork, ref: GroupRef) -> Clan | Unit | None:
    if ref.number is None or ref.kind == GroupKind.HAMLET:
        return None
    return await (uow.clans.get if ref.kind == GroupKind.CLAN else uow.units.get)(ref.number)


def check_consent(actor: User) -> None:
    """Groups are registered, and families looked for, only by users who consented."""
    if actor.consent_version is None:
        raise NotAllowed(MSG_CONSENT_FIRST)


def _group_name(name: str, maximum: int) -> str:
    try:
        return parse_group_name(name, maximum=maximum)
    except InputError as error:
        raise ServiceError(error.msgid, **error.params) from error


async def _check_commune(uow: UnitOfWork, commune_code: str) -> None:
    path = await area_path(uow, commune_code)
    if not path or path[-1].level != "commune":
        raise ServiceError(MSG_NOT_A_COMMUNE)


async def _sort_households(
    uow: UnitOfWork, commune_code: str, household_ids: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(to ask, already in another clan, not the commune's), each household once."""
    asked: list[int] = []
    in_other: list[int] = []
    outside: list[int] = []
    for household_id in dict.fromkeys(household_ids):
        household = await uow.households.get(household_id)
        path = await area_path(uow, household.hamlet_code) if household else []
        if (
            household is None
            or household.forgotten_at
            or commune_code not in {a.code for a in path}
        ):
            outside.append(household_id)
        elif await uow.clans.membership(household_id) is not None:
            in_other.append(household_id)
        else:
            asked.append(household_id)
    return tuple(asked), tuple(in_other), tuple(outside)


async def _free_code(uow: UnitOfWork) -> str:
    """A code no clan and no unit uses (units give theirs to staff)."""
    while True:
        code = new_household_code()
        if not await uow.clans.codes_taken([code]) and not await uow.units.codes_taken([code]):
            return code


async def tell_group(
    uow: UnitOfWork,
    notifier: Notifier,
    registration: Registration,
    msgid: str,
    params: dict[str, object],
    now: datetime,
) -> bool:
    """Tell who acts for a group: a clan's or unit's representative, a hamlet's heads."""
    ref = _group(registration)
    name, recipients = await _name_and_people(uow, ref)
    return await tell_users(uow, notifier, recipients, msgid, {**params, "name": name}, now)


async def group_name(uow: UnitOfWork, registration: Registration) -> str:
    """The clan's, unit's or hamlet's name, as people know it."""
    name, _ = await _name_and_people(uow, _group(registration))
    return name


async def _name_and_people(uow: UnitOfWork, ref: GroupRef) -> tuple[str, list[int]]:
    if ref.kind == GroupKind.HAMLET:
        area = await uow.areas.get(ref.key)
        heads = await uow.users.holders(Role.HAMLET_HEAD, [ref.key])
        return (area.name if area else ref.key), [user_id for user_id, _ in heads]
    group = await _clan_or_unit(uow, ref)
    return (group.name, [group.representative_id]) if group else (ref.key, [])
