"""Clans and units as their families and representatives see them: a clan's families found
among the commune's households by their head's name (only the name and the hamlet are shown,
nothing else about them) and told that a new clan lists them; the groups a user represents,
with this year's registration; the units a household's learning citizens count for."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot.domain.areas import Area
from bot.domain.criteria_model import Title
from bot.domain.groups import Clan, Unit
from bot.domain.households import member_subject
from bot.domain.messages import N_
from bot.domain.registrations import Registration
from bot.domain.text import search_key
from bot.domain.users import User
from bot.services.areas import area_path, home_area_path
from bot.services.errors import ServiceError
from bot.services.groups import MSG_NOT_FOR_GROUP, ClanRegistered, check_consent
from bot.services.hamlets import tell_household
from bot.services.ports import Notifier, UnitOfWork
from bot.services.scope import refuse

SEARCH_MIN = 2  # letters typed before the commune's households are searched
MSG_TYPE_MORE = N_("Please type at least {minimum} letters of the name.")
MSG_NOT_YOUR_COMMUNE = N_("You can look for the families of your own commune only.")
MSG_CLAN_ASKS = N_(
    "👥 <b>{name}</b> has registered as a “Learning clan” and lists your family among its "
    "families.\nIs your family in this clan? Open the menu with /start, then "
    "“👥 Clans and units”, to say yes or no."
)


@dataclass(frozen=True)
class Family:
    """A household as a clan's representative sees it when choosing families."""

    household_id: int
    head_name: str
    hamlet_name: str


@dataclass(frozen=True)
class AskedFamilies:
    """What became of telling a new clan's families: how many were asked, and how many of
    them no linked account could be told (their representative tells them in person)."""

    asked: int
    not_told: int


@dataclass(frozen=True)
class MyGroups:
    """What the clans and units menu shows a user."""

    clan: Clan | None  # the clan their household is in, or asked to join
    confirmed: bool  # whether the household said yes to it
    clans: list[Clan]  # the clans and units the user registered
    units: list[Unit]
    commune: Area | None  # where they may register a clan or unit
    has_household: bool


@dataclass(frozen=True)
class GroupCard:
    """A clan or unit as its representative sees it, with this year's registration; for a
    clan, its families that confirmed and all those asked."""

    name: str
    code: str
    commune_name: str
    registration: Registration | None
    confirmed: int = 0
    asked: int = 0


async def my_groups(uow: UnitOfWork, user_id: int) -> MyGroups:
    household = await uow.households.of_user(user_id)
    membership = await uow.clans.membership(household.id) if household else None
    return MyGroups(
        clan=await uow.clans.get(membership.clan_id) if membership else None,
        confirmed=membership is not None and membership.confirmed,
        clans=await uow.clans.of_representative(user_id),
        units=await uow.units.of_representative(user_id),
        commune=await home_commune(uow, user_id),
        has_household=household is not None,
    )


async def clan_card(
    uow: UnitOfWork, actor_id: int, clan_id: int, year: int, now: datetime
) -> GroupCard:
    """The clan its representative registered; anyone else is refused and written down."""
    clan = await uow.clans.get(clan_id)
    if clan is None or clan.representative_id != actor_id:
        raise await refuse(uow, actor_id, "clan_card", now, message=MSG_NOT_FOR_GROUP)
    members = await uow.clans.members(clan.id)
    registration = await uow.group_registrations.find(clan.subject, Title.DONG_HO.value, year)
    commune = await uow.areas.get(clan.commune_code)
    return GroupCard(
        clan.name,
        clan.code,
        commune.name if commune else clan.commune_code,
        registration,
        confirmed=sum(1 for member in members if member.confirmed),
        asked=len(members),
    )


async def unit_card(
    uow: UnitOfWork, actor_id: int, unit_id: int, year: int, now: datetime
) -> tuple[Unit, GroupCard]:
    """The unit its representative registered; anyone else is refused and written down."""
    unit = await uow.units.get(unit_id)
    if unit is None or unit.representative_id != actor_id:
        raise await refuse(uow, actor_id, "unit_card", now, message=MSG_NOT_FOR_GROUP)
    registration = await uow.group_registrations.find(unit.subject, Title.DON_VI.value, year)
    commune = await uow.areas.get(unit.commune_code)
    name = commune.name if commune else unit.commune_code
    return unit, GroupCard(unit.name, unit.code, name, registration)


async def units_counted(uow: UnitOfWork, user_id: int, year: int) -> dict[int, Unit]:
    """The unit each member of the user's household counts for as a learning citizen in
    `year` (by member id); members counted for none are left out."""
    household = await uow.households.of_user(user_id)
    if household is None:
        return {}
    counted: dict[int, Unit] = {}
    for member in await uow.households.members(household.id):
        subject, title = member_subject(member.id), Title.CONG_DAN.value
        registration = await uow.registrations.find(household.id, subject, title, year)
        unit_id = await uow.units.unit_of(registration.id) if registration else None
        unit = await uow.units.get(unit_id) if unit_id is not None else None
        if unit is not None:
            counted[member.id] = unit
    return counted


async def home_commune(uow: UnitOfWork, user_id: int) -> Area | None:
    """The commune the user lives in: their household's, else the place they chose."""
    household = await uow.households.of_user(user_id)
    if household is not None:
        path = await area_path(uow, household.hamlet_code)
    else:
        path = await home_area_path(uow, user_id)
    return next((area for area in reversed(path) if area.level == "commune"), None)


async def find_families(
    uow: UnitOfWork,
    actor: User,
    commune_code: str,
    typed: str,
    limit: int,
    *,
    now: datetime,
) -> list[Family]:
    """Households of the actor's commune whose head's name holds every typed word (accents
    optional), by name; `limit` at most."""
    words = search_key(typed).split()
    if len("".join(words)) < SEARCH_MIN:
        raise ServiceError(MSG_TYPE_MORE, minimum=SEARCH_MIN)
    hamlets = await _hamlets(uow, actor, commune_code, now)
    rows = await uow.clans.families_named(list(hamlets), words, limit)
    return [Family(id_, name, hamlets[code]) for id_, name, code in rows]


async def families_by_id(
    uow: UnitOfWork, actor: User, commune_code: str, household_ids: Collection[int], now: datetime
) -> list[Family]:
    """The chosen households of the actor's commune, by name (others are left out)."""
    hamlets = await _hamlets(uow, actor, commune_code, now)
    rows = await uow.clans.families_by_id(list(hamlets), household_ids)
    return [Family(id_, name, hamlets[code]) for id_, name, code in rows]


async def ask_families(
    uow: UnitOfWork, notifier: Notifier, registered: ClanRegistered, actor_id: int, now: datetime
) -> AskedFamilies:
    """Tell each household the new clan asked (not the representative's own, already in it)
    on every linked account, in its language."""
    own = await uow.households.of_user(actor_id)
    asked = [h for h in registered.asked if own is None or h != own.id]
    params: dict[str, object] = {"name": registered.clan.name}
    not_told = 0
    for household_id in asked:
        if not await tell_household(uow, notifier, household_id, MSG_CLAN_ASKS, params, now):
            not_told += 1
    await uow.commit()
    return AskedFamilies(len(asked), not_told)


async def _hamlets(
    uow: UnitOfWork, actor: User, commune_code: str, now: datetime
) -> dict[str, str]:
    """The hamlets (code: name) of the commune, when it is the actor's own."""
    check_consent(actor)
    commune = await home_commune(uow, actor.id)
    if commune is None or commune.code != commune_code:
        raise await refuse(uow, actor.id, "find_families", now, message=MSG_NOT_YOUR_COMMUNE)
    children = await uow.areas.children(commune_code)
    return {area.code: area.name for area in children if area.level == "hamlet"}
