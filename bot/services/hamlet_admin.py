"""/hamlets: a commune's officers add, rename, merge, retire and restore its hamlets.

Hamlets are in no national list, so the commune keeps its own. A retired hamlet is no longer
offered to families or to invitations, but it stays in the tree with its history and its
numbers; merging moves every household of one hamlet to another in one transaction. Every
change is audited with codes and counts; each call checks the officer's scope again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.areas import COMMUNE, HAMLET, Area
from bot.domain.hamlet_admin import (
    code_candidates,
    listed,
    namesake,
    parse_hamlet_code,
    parse_hamlet_name,
)
from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.users import Role, User
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from bot.services.scope import MSG_NOT_YOUR_AREA, check_area, refuse

MSG_NOT_A_COMMUNE = N_(
    "Hamlets are kept per commune: type /hamlets and the commune's code, for example "
    "/hamlets {example}"
)
MSG_SAME_NAME = N_("{commune} already has a hamlet called {name}.")
MSG_SAME_NAME_RETIRED = N_(
    "{commune} already has a retired hamlet called {name}: open it and restore it instead."
)
MSG_CODE_TAKEN = N_("The code {code} is already used. Please type another one.")
MSG_HAS_HOUSEHOLDS = N_(
    "{name} still has {households} households: merge it into another hamlet instead."
)
MSG_RETIRED = N_("{name} is retired: restore it first.")
MSG_NOT_RETIRED = N_("{name} is in use: there is nothing to restore.")
MSG_SAME_HAMLET = N_("A hamlet cannot be merged into itself.")
MSG_NO_OTHER = N_("There is no other hamlet in use in the commune to merge {name} into.")


@dataclass(frozen=True)
class HamletCard:
    """One hamlet as its commune's officer sees it."""

    hamlet: Area
    households: int
    heads: int
    merged_into: Area | None  # where its households went, when retired by a merge


@dataclass(frozen=True)
class Handover:
    """What leaves a hamlet that is merged or retired: its households (moved to the other
    hamlet), the grants of its heads and its open invitations (both ended)."""

    hamlet: Area
    households: int
    heads: int
    invites: int


async def commune_hamlets(
    uow: UnitOfWork, actor: User, commune_code: str, now: datetime
) -> tuple[Area, list[Area]]:
    """The commune and its hamlets, those in use first, each group by name."""
    commune = await _commune(uow, actor, commune_code, "hamlets", now)
    hamlets = [a for a in await uow.areas.children(commune_code) if a.level == HAMLET]
    return commune, listed(hamlets)


async def hamlet_card(uow: UnitOfWork, actor: User, code: str, now: datetime) -> HamletCard:
    """The hamlet, its households (forgotten ones too, as /stats counts them) and heads."""
    hamlet = await _hamlet(uow, actor, code, "hamlet_card", now)
    counts = await uow.areas.household_counts([code])
    heads = await uow.users.holders(Role.HAMLET_HEAD, [code])
    into = await uow.areas.get(hamlet.merged_into) if hamlet.merged_into else None
    return HamletCard(hamlet, counts.get(code, 0), len(heads), into)


async def add_hamlet(
    uow: UnitOfWork,
    actor: User,
    commune_code: str,
    name: str,
    now: datetime,
    code: str | None = None,
) -> Area:
    """Add a hamlet under the commune; without a `code`, one is made up from the commune's."""
    commune = await _commune(uow, actor, commune_code, "hamlet_add", now)
    name = _clean(parse_hamlet_name, name)
    await _check_unique(uow, commune, name)
    if code is not None:
        code = _clean(parse_hamlet_code, code)
        if await uow.areas.get(code) is not None:
            raise ServiceError(MSG_CODE_TAKEN, code=code)
    hamlet = Area(code or await _free_code(uow, commune), name, HAMLET, commune.code)
    await uow.areas.upsert_many([hamlet])
    details = {"commune": commune.code, "hamlet": hamlet.code}
    await uow.audit.record("hamlet_add", None, details, now, actor_id=actor.id)
    await uow.commit()
    return hamlet


async def rename_hamlet(uow: UnitOfWork, actor: User, code: str, name: str, now: datetime) -> Area:
    """Give the hamlet a new name; its code, households and history stay."""
    hamlet = await _hamlet(uow, actor, code, "hamlet_rename", now)
    name = _clean(parse_hamlet_name, name)
    await _check_unique(uow, await _parent(uow, hamlet), name, but=hamlet.code)
    renamed = replace(hamlet, name=name)
    await uow.areas.upsert_many([renamed])
    details = {"hamlet": code, "name": name}
    await uow.audit.record("hamlet_rename", None, details, now, actor_id=actor.id)
    await uow.commit()
    return renamed


async def merge_choices(
    uow: UnitOfWork, actor: User, code: str, now: datetime
) -> tuple[Area, list[Area]]:
    """The hamlet, and those in use of the same commune that it may be merged into."""
    hamlet = await _in_use(uow, actor, code, "hamlet_merge", now)
    siblings = await uow.areas.children(hamlet.parent_code)
    choices = [a for a in siblings if a.level == HAMLET and not a.retired and a.code != code]
    if not choices:
        raise ServiceError(MSG_NO_OTHER, name=hamlet.name)
    return hamlet, listed(choices)


async def merge_plan(
    uow: UnitOfWork, actor: User, source: str, target: str, now: datetime
) -> tuple[Handover, Area]:
    """What merging `source` into `target` would do, nothing done yet."""
    hamlet, into = await _merge_pair(uow, actor, source, target, now)
    return await _handover(uow, hamlet, now), into


async def merge_hamlets(
    uow: UnitOfWork, actor: User, source: str, target: str, now: datetime
) -> tuple[Handover, Area]:
    """Move every household of `source` to `target`, end the grants of its heads and its open
    invitations, and retire it as merged into `target`: all of it, or nothing."""
    hamlet, into = await _merge_pair(uow, actor, source, target, now)
    moved = await uow.areas.relocate(source, target)
    heads, invites = await _end_roles(uow, source, now)
    await uow.areas.set_retired(source, now, merged_into=target)
    done = Handover(hamlet, moved, heads, invites)
    details = {"hamlet": source, "into": target, **_counts(done)}
    await uow.audit.record("hamlet_merge", None, details, now, actor_id=actor.id)
    await uow.commit()
    return done, into


async def retire_plan(uow: UnitOfWork, actor: User, code: str, now: datetime) -> Handover:
    """What retiring the hamlet would end; refused while it still has households."""
    hamlet = await _in_use(uow, actor, code, "hamlet_retire", now)
    hand = await _handover(uow, hamlet, now)
    if hand.households:
        raise ServiceError(MSG_HAS_HOUSEHOLDS, name=hamlet.name, households=hand.households)
    return hand


async def retire_hamlet(uow: UnitOfWork, actor: User, code: str, now: datetime) -> Handover:
    """Retire a hamlet without households: it is no longer offered, its heads' grants and
    open invitations end, and its history stays."""
    hand = await retire_plan(uow, actor, code, now)
    heads, invites = await _end_roles(uow, code, now)
    await uow.areas.set_retired(code, now)
    done = replace(hand, heads=heads, invites=invites)
    details = {"hamlet": code, **_counts(done)}
    await uow.audit.record("hamlet_retire", None, details, now, actor_id=actor.id)
    await uow.commit()
    return done


async def restore_hamlet(uow: UnitOfWork, actor: User, code: str, now: datetime) -> Area:
    """Put a retired hamlet back in use (households merged away stay where they went)."""
    hamlet = await _hamlet(uow, actor, code, "hamlet_restore", now)
    if not hamlet.retired:
        raise ServiceError(MSG_NOT_RETIRED, name=hamlet.name)
    await _check_unique(uow, await _parent(uow, hamlet), hamlet.name, but=hamlet.code)
    await uow.areas.set_retired(code, None)
    details = {"hamlet": code, "was_merged_into": hamlet.merged_into}
    await uow.audit.record("hamlet_restore", None, details, now, actor_id=actor.id)
    await uow.commit()
    return replace(hamlet, retired=False, merged_into=None)


async def _commune(uow: UnitOfWork, actor: User, code: str, action: str, now: datetime) -> Area:
    commune = (await check_area(uow, actor, code, action, now))[-1]
    if commune.level != COMMUNE:
        below = await uow.stats.areas_below(code)
        example = next((a.code for a in below if a.level == COMMUNE), "")
        raise ServiceError(MSG_NOT_A_COMMUNE, example=example)
    return commune


async def _hamlet(uow: UnitOfWork, actor: User, code: str, action: str, now: datetime) -> Area:
    """The hamlet `code`, when `actor` is an officer over its commune (or a super admin); any
    other code, as forgeable as callback data, is refused and written down."""
    hamlet = (await check_area(uow, actor, code, action, now))[-1]
    if hamlet.level != HAMLET:
        raise await refuse(uow, actor.id, action, now, message=MSG_NOT_YOUR_AREA)
    return hamlet


async def _in_use(uow: UnitOfWork, actor: User, code: str, action: str, now: datetime) -> Area:
    hamlet = await _hamlet(uow, actor, code, action, now)
    if hamlet.retired:
        raise ServiceError(MSG_RETIRED, name=hamlet.name)
    return hamlet


async def _merge_pair(
    uow: UnitOfWork, actor: User, source: str, target: str, now: datetime
) -> tuple[Area, Area]:
    hamlet = await _in_use(uow, actor, source, "hamlet_merge", now)
    if source == target:
        raise ServiceError(MSG_SAME_HAMLET)
    into = await _in_use(uow, actor, target, "hamlet_merge", now)
    if into.parent_code != hamlet.parent_code:  # only a forged button offers that
        raise await refuse(uow, actor.id, "hamlet_merge", now, message=MSG_NOT_YOUR_AREA)
    return hamlet, into


async def _parent(uow: UnitOfWork, hamlet: Area) -> Area:
    commune = await uow.areas.get(hamlet.parent_code or "")
    assert commune is not None  # a hamlet's parent is kept by a foreign key
    return commune


async def _check_unique(uow: UnitOfWork, commune: Area, name: str, but: str | None = None) -> None:
    """Refuse a name the commune already has for another hamlet, compared without diacritics."""
    hamlets = [a for a in await uow.areas.children(commune.code) if a.level == HAMLET]
    found = namesake(hamlets, name, but)
    if found is not None:
        msgid = MSG_SAME_NAME_RETIRED if found.retired else MSG_SAME_NAME
        raise ServiceError(msgid, commune=commune.name, name=found.name)


async def _free_code(uow: UnitOfWork, commune: Area) -> str:
    """The first unused code after the commune's hamlets: "26734-01", "26734-02", ..."""
    start = len(await uow.areas.children(commune.code)) + 1
    for candidate in code_candidates(commune.code, start):
        if await uow.areas.get(candidate) is None:
            return candidate
    raise AssertionError("code_candidates never ends")  # pragma: no cover


async def _handover(uow: UnitOfWork, hamlet: Area, now: datetime) -> Handover:
    counts = await uow.areas.household_counts([hamlet.code])
    heads = await uow.users.holders(Role.HAMLET_HEAD, [hamlet.code])
    invites = await uow.invites.open_in([hamlet.code], now)
    return Handover(hamlet, counts.get(hamlet.code, 0), len(heads), len(invites))


async def _end_roles(uow: UnitOfWork, code: str, now: datetime) -> tuple[int, int]:
    """End the hamlet heads' grants on `code` and its open invitations; how many of each."""
    heads = await uow.users.holders(Role.HAMLET_HEAD, [code])
    for user_id, _ in heads:
        await uow.users.revoke(user_id, Role.HAMLET_HEAD, code)
    invites = await uow.invites.open_in([code], now)
    for invite in invites:
        await uow.invites.revoke(invite.id, now)
    return len(heads), len(invites)


def _counts(hand: Handover) -> dict[str, int]:
    return {"households": hand.households, "heads": hand.heads, "invites": hand.invites}


def _clean(parse: Callable[[str], str], text: str) -> str:
    """The value a domain parser makes of `text`; its complaint becomes a ServiceError."""
    try:
        return parse(text)
    except InputError as bad:
        raise ServiceError(bad.msgid, **bad.params) from bad
