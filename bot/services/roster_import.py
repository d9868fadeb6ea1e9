"""Importing a commune's household roster: /import in the chat, `hoctap households import`.

The file is checked first (`check_roster`): nothing is stored, the officer reads the report.
Applying (`apply_roster`) reads and plans the same bytes again, which gives the same plan
against what is stored by then, and writes every household in one transaction: all of them
or, on any error, none. Rows with errors stop the import unless the officer chose to skip
them; likely duplicates are held back unless the officer includes them. Roster households
have no Telegram account and no registration: they count among the commune's households.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.areas import COMMUNE, HAMLET, Area
from bot.domain.households import CODE_ALPHABET, CODE_LENGTH
from bot.domain.messages import N_
from bot.domain.roster import ExistingHousehold, ImportPlan, plan_import
from bot.domain.users import User
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from bot.services.scope import check_area

ACTION = "import"

MSG_NOT_A_COMMUNE = N_(
    "{place} is not a commune: a household roster is imported into one commune at a time"
)
MSG_NO_HAMLETS = N_("{commune} has no hamlets yet: add its hamlets first, then import the roster")
MSG_HAS_ERRORS = N_(
    "Rows with errors: {count}. Correct them and send the file again, "
    "or import only the valid rows."
)
MSG_NOTHING_TO_IMPORT = N_("Nothing to import: no row of the file can be added")
MSG_PHONE_TAKEN = N_(
    "These rows cannot be added, a household of the same hamlet has their phone number: {rows}"
)

# 256 byte values fall evenly on the 32 letters of the alphabet: every letter as likely.
_LETTER_OF_BYTE = bytes(ord(CODE_ALPHABET[value % len(CODE_ALPHABET)]) for value in range(256))


class RosterRefused(ServiceError):
    """The roster cannot be applied as it is; `plan` says what the file holds."""

    def __init__(self, plan: ImportPlan, msgid: str, **params: object) -> None:
        super().__init__(msgid, **params)
        self.plan = plan


@dataclass(frozen=True)
class ImportReport:
    """What an applied roster did."""

    commune: Area
    imported: int
    skipped: int  # rows with errors, or held back as likely duplicates
    plan: ImportPlan


async def roster_commune(uow: UnitOfWork, actor: User, commune_code: str, now: datetime) -> Area:
    """The commune a roster goes into, when `actor` may import there (refusals audited)."""
    commune = (await check_area(uow, actor, commune_code, ACTION, now))[-1]
    if commune.level != COMMUNE:
        raise ServiceError(MSG_NOT_A_COMMUNE, place=commune.name)
    return commune


async def check_roster(
    uow: UnitOfWork, actor: User, commune_code: str, data: bytes, now: datetime
) -> ImportPlan:
    """Read and check a roster file against the commune's hamlets and households; nothing
    is stored. An unreadable file raises bot.roster_files.RosterFileError (an InputError)."""
    commune = await roster_commune(uow, actor, commune_code, now)
    plan, _ = await _plan(uow, commune, data)
    return plan


async def apply_roster(
    uow: UnitOfWork,
    actor: User,
    commune_code: str,
    data: bytes,
    now: datetime,
    include_rows: Collection[int] = (),
    *,
    skip_invalid: bool = False,
) -> ImportReport:
    """Import the roster in one transaction: the rows ready to add, plus the held-back rows
    numbered in `include_rows` (never one whose phone a household of its hamlet has).

    Rows with errors refuse it all unless `skip_invalid`; on any error nothing is written.
    """
    commune = await roster_commune(uow, actor, commune_code, now)
    plan, existing = await _plan(uow, commune, data)
    plan = _including(plan, include_rows, existing)
    check_applicable(plan, skip_invalid)
    codes = await _free_codes(uow, len(plan.to_add))
    try:
        added = await uow.households.bulk_add(list(zip(codes, plan.to_add, strict=True)), now)
        details = {"area": commune.code, "rows": added, "skipped": plan.rows - added}
        await uow.audit.record(ACTION, None, details, now, actor_id=actor.id)
        await uow.commit()
    except Exception:
        await uow.rollback()
        raise
    return ImportReport(commune, added, plan.rows - added, plan)


def check_applicable(plan: ImportPlan, skip_invalid: bool) -> None:
    """Raise RosterRefused when applying `plan` would stop: the file has no usable header or
    rows, rows have errors (unless skipped), or no row is left to add."""
    if not plan.rows and plan.errors:
        raise RosterRefused(plan, plan.errors[0].message_id, **plan.errors[0].params)
    if plan.errors and not skip_invalid:
        raise RosterRefused(plan, MSG_HAS_ERRORS, count=plan.counts.invalid)
    if not plan.to_add:
        raise RosterRefused(plan, MSG_NOTHING_TO_IMPORT)


async def _plan(
    uow: UnitOfWork, commune: Area, data: bytes
) -> tuple[ImportPlan, list[ExistingHousehold]]:
    """The plan against the commune's hamlets in use (a retired one is unknown to a roster)
    and the households of all its hamlets."""
    hamlets = [area for area in await uow.stats.areas_below(commune.code) if area.level == HAMLET]
    names = {area.code: area.name for area in hamlets if not area.retired}
    if not names:
        raise ServiceError(MSG_NO_HAMLETS, commune=commune.name)
    existing = await uow.households.roster_keys([area.code for area in hamlets])
    # Seconds of pure work on a big file: in a thread, so that other chats are answered.
    plan = await asyncio.to_thread(_plan_file, data, names, existing)
    return plan, existing


def _plan_file(
    data: bytes, hamlets: Mapping[str, str], existing: list[ExistingHousehold]
) -> ImportPlan:
    # openpyxl is loaded by the first import, not at every start-up.
    from bot.roster_files import read_roster

    return plan_import(read_roster(data), hamlets, existing)


def _including(
    plan: ImportPlan, rows: Collection[int], existing: list[ExistingHousehold]
) -> ImportPlan:
    """The plan with the chosen held-back rows, refused if one would give a hamlet a second
    household with the same phone (as registering in the chat would)."""
    if not rows:
        return plan
    taken = {(hamlet, phone) for _, hamlet, _, phone in existing if phone}
    taken.update((row.hamlet_code, row.phone) for row in plan.to_add)
    refused: list[int] = []
    for row in sorted((r for r in plan.held_back if r.row in rows), key=lambda r: r.row):
        if (row.hamlet_code, row.phone) in taken:
            refused.append(row.row)
        taken.add((row.hamlet_code, row.phone))
    if refused:
        raise ServiceError(MSG_PHONE_TAKEN, rows=", ".join(map(str, refused)))
    return plan.including(rows)


def _drawn_codes(count: int) -> list[str]:
    """`count` random household codes at once (one call for random bytes, not one a letter)."""
    letters = secrets.token_bytes(count * CODE_LENGTH).translate(_LETTER_OF_BYTE).decode()
    return [letters[start : start + CODE_LENGTH] for start in range(0, len(letters), CODE_LENGTH)]


async def _free_codes(uow: UnitOfWork, count: int) -> list[str]:
    """`count` household codes, different from each other and from every stored household
    or claim code; the few that clash are drawn again."""
    codes: dict[str, None] = {}
    while len(codes) < count:
        drawn = [
            code for code in dict.fromkeys(_drawn_codes(count - len(codes))) if code not in codes
        ]
        taken = await uow.households.codes_taken(drawn)
        codes.update(dict.fromkeys(code for code in drawn if code not in taken))
    return list(codes)
