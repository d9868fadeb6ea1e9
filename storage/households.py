"""Households, members, linked accounts, registrations and the audit log over one session."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bot.domain.audit import AuditEntry
from bot.domain.deadlines import Deadlines
from bot.domain.households import Household, HouseholdForm, Member
from bot.domain.registrations import JsonAnswer, Registration, StatusEvent
from bot.domain.roster import ExistingHousehold, RosterRow
from bot.domain.status import Status
from bot.domain.text import search_key
from storage.db import EVERYTHING, read_cache
from storage.household_models import (
    AssessmentWindowRow,
    AuditRow,
    HouseholdAccountRow,
    HouseholdRow,
    MemberRow,
    RegistrationEventRow,
    RegistrationRow,
    registration_from,
)


class SqlHouseholdRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, form: HouseholdForm, code: str, now: datetime) -> Household:
        row = HouseholdRow(
            code=code,
            hamlet_code=form.hamlet_code,
            head_name=form.head_name,
            name_key=search_key(form.head_name),
            phone=form.phone,
            members_count=form.members_count,
            school_age_count=form.school_age_count,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def get(self, household_id: int) -> Household | None:
        row = await self._session.get(HouseholdRow, household_id, populate_existing=True)
        return row.to_domain() if row else None

    async def set_proxy(
        self, household_id: int, claim_code: str, consent_by: int, consent_at: datetime
    ) -> None:
        """Registered by a hamlet head: the code to claim it, and the verbal consent."""
        await self._session.execute(
            update(HouseholdRow)
            .where(HouseholdRow.id == household_id)
            .values(claim_code=claim_code, consent_by=consent_by, consent_at=consent_at)
        )

    async def by_claim_code(self, code: str) -> Household | None:
        row = await self._session.scalar(
            select(HouseholdRow).where(HouseholdRow.claim_code == code)
        )
        return row.to_domain() if row else None

    async def clear_claim_code(self, household_id: int) -> None:
        await self._session.execute(
            update(HouseholdRow).where(HouseholdRow.id == household_id).values(claim_code=None)
        )

    async def by_code(self, code: str) -> Household | None:
        row = await self._session.scalar(select(HouseholdRow).where(HouseholdRow.code == code))
        return row.to_domain() if row else None

    async def of_user(self, user_id: int) -> Household | None:
        row = await self._session.scalar(
            select(HouseholdRow)
            .join(HouseholdAccountRow, HouseholdAccountRow.household_id == HouseholdRow.id)
            .where(HouseholdAccountRow.user_id == user_id)
        )
        return row.to_domain() if row else None

    async def with_phone(self, hamlet_code: str, phone: str) -> Household | None:
        row = await self._session.scalar(
            select(HouseholdRow)
            .where(HouseholdRow.hamlet_code == hamlet_code, HouseholdRow.phone == phone)
            .order_by(HouseholdRow.id)
            .limit(1)
        )
        return row.to_domain() if row else None

    async def update_details(self, household_id: int, form: HouseholdForm) -> None:
        await self._session.execute(
            update(HouseholdRow)
            .where(HouseholdRow.id == household_id)
            .values(
                head_name=form.head_name,
                name_key=search_key(form.head_name),
                phone=form.phone,
                members_count=form.members_count,
                school_age_count=form.school_age_count,
            )
        )

    async def link(self, user_id: int, household_id: int, now: datetime) -> None:
        self._session.add(
            HouseholdAccountRow(user_id=user_id, household_id=household_id, linked_at=now)
        )
        await self._session.flush()

    async def accounts(self, household_id: int) -> list[int]:
        rows = await self._session.scalars(
            select(HouseholdAccountRow.user_id)
            .where(HouseholdAccountRow.household_id == household_id)
            .order_by(HouseholdAccountRow.linked_at, HouseholdAccountRow.user_id)
        )
        return list(rows)

    async def unlink(self, user_id: int) -> None:
        await self._session.execute(
            delete(HouseholdAccountRow).where(HouseholdAccountRow.user_id == user_id)
        )

    async def unlink_all(self, household_id: int) -> None:
        await self._session.execute(
            delete(HouseholdAccountRow).where(HouseholdAccountRow.household_id == household_id)
        )

    async def forget(self, household_id: int, now: datetime) -> None:
        """Erase the personal fields; the hamlet and the counts stay for the area's totals."""
        await self._session.execute(
            update(HouseholdRow)
            .where(HouseholdRow.id == household_id)
            .values(head_name=None, name_key=None, phone=None, forgotten_at=now)
        )
        await self._session.execute(
            update(MemberRow)
            .where(MemberRow.household_id == household_id)
            .values(name=None, birth_year=None)
        )

    async def add_member(
        self, household_id: int, name: str, birth_year: int, now: datetime
    ) -> Member:
        row = MemberRow(
            household_id=household_id, name=name, birth_year=birth_year, created_at=now
        )
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def members(self, household_id: int) -> list[Member]:
        rows = await self._session.scalars(
            select(MemberRow).where(MemberRow.household_id == household_id).order_by(MemberRow.id)
        )
        return [row.to_domain() for row in rows]

    async def remove_member(self, household_id: int, member_id: int) -> None:
        await self._session.execute(
            delete(MemberRow).where(
                MemberRow.household_id == household_id, MemberRow.id == member_id
            )
        )

    async def roster_keys(self, hamlet_codes: Sequence[str]) -> list[ExistingHousehold]:
        """What a roster's duplicate check needs of these hamlets' households, in one query:
        (id, hamlet code, name key, phone); forgotten households have nothing to match."""
        rows = await self._session.execute(
            select(
                HouseholdRow.id,
                HouseholdRow.hamlet_code,
                HouseholdRow.name_key,
                HouseholdRow.phone,
            )
            .where(HouseholdRow.hamlet_code.in_(hamlet_codes), HouseholdRow.forgotten_at.is_(None))
            .order_by(HouseholdRow.id)
        )
        return [(ident, hamlet, key, phone) for ident, hamlet, key, phone in rows]

    async def codes_taken(self, codes: Collection[str]) -> set[str]:
        """Those of `codes` already used, as household code or as claim code: looked up in
        IN lists, or, when fewer households are stored than codes asked about, read whole."""
        wanted, taken = list(codes), set[str]()
        stored = await self._session.scalar(select(func.count()).select_from(HouseholdRow))
        if (stored or 0) <= len(wanted):
            used = await self._session.execute(select(HouseholdRow.code, HouseholdRow.claim_code))
            return set(wanted).intersection(code for pair in used for code in pair if code)
        for start in range(0, len(wanted), IN_BATCH):
            chunk = wanted[start : start + IN_BATCH]
            taken.update(
                await self._session.scalars(
                    select(HouseholdRow.code).where(HouseholdRow.code.in_(chunk))
                )
            )
            claimed = select(HouseholdRow.claim_code).where(HouseholdRow.claim_code.in_(chunk))
            taken.update(code for code in await self._session.scalars(claimed) if code)
        return taken

    async def bulk_add(self, rows: Sequence[tuple[str, RosterRow]], now: datetime) -> int:
        """Insert roster rows, each with its household code, as Core executemany batches
        (the ORM would cost ten times more); nothing is flushed or committed here."""
        connection = await self._session.connection()
        statement = insert(_HOUSEHOLDS)
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            await connection.execute(
                statement, [_roster_values(code, row, now) for code, row in batch]
            )
        return len(rows)


# A roster's households go in through the table, not the ORM; the bind limits of SQLite
# (32,766) and asyncpg (32,767) cap an IN list.
_HOUSEHOLDS: Table = HouseholdRow.__table__  # type: ignore[assignment]
INSERT_BATCH = 10_000
IN_BATCH = 5_000


def _roster_values(code: str, row: RosterRow, now: datetime) -> dict[str, Any]:
    return {
        "code": code,
        "hamlet_code": row.hamlet_code,
        "head_name": row.head_name,
        "name_key": search_key(row.head_name),
        "phone": row.phone,
        "members_count": row.members,
        "school_age_count": 0,  # a roster does not say
        "created_at": now,
    }


_REGISTRATIONS: Table = RegistrationRow.__table__  # type: ignore[assignment]
_EVENTS: Table = RegistrationEventRow.__table__  # type: ignore[assignment]
_ACCOUNTS: Table = HouseholdAccountRow.__table__  # type: ignore[assignment]


def _registration_query() -> Any:
    """A registration and its history, one row per status event, in Core: the hot path reads
    one per answer, and through the ORM that costs half as much again (the callers flush
    first, as the ORM would). Built once: making a statement costs about as much as running
    it."""
    events = _EVENTS.c
    return (
        select(
            _REGISTRATIONS,
            events.status.label("event_status"),
            events.at.label("event_at"),
            events.comment.label("event_comment"),
        )
        .outerjoin(_EVENTS, events.registration_id == _REGISTRATIONS.c.id)
        .where(_REGISTRATIONS.c.id == bindparam("id"))
        .order_by(events.id)
    )


def _registration_of(rows: Sequence[Any]) -> Registration | None:
    """The registration in the rows of `_registration_query` (None when there are none)."""
    if not rows:
        return None
    events = tuple(
        StatusEvent(Status(row.event_status), row.event_at, row.event_comment)
        for row in rows
        if row.event_status is not None
    )
    return registration_from(rows[0], events)


_REGISTRATION = _registration_query()
_OWN_REGISTRATION = (
    _registration_query()
    .add_columns(_HOUSEHOLDS.c.hamlet_code)
    .join(_HOUSEHOLDS, _HOUSEHOLDS.c.id == _REGISTRATIONS.c.household_id)
    .join(_ACCOUNTS, _ACCOUNTS.c.household_id == _HOUSEHOLDS.c.id)
    .where(_ACCOUNTS.c.user_id == bindparam("user_id"))
)


def _update_loaded(session: AsyncSession, registration_id: int, **values: Any) -> None:
    """After a Core UPDATE, what the ORM's own would do: a row loaded in this session takes
    the new values."""
    loaded = session.identity_map.get(identity_key(RegistrationRow, registration_id))
    if loaded is None:
        return
    for name, value in values.items():
        set_committed_value(loaded, name, value)


_SAVE_ANSWERS = (
    update(_REGISTRATIONS)
    .where(_REGISTRATIONS.c.id == bindparam("registration_id"))
    .values(criteria_set_id=bindparam("set_id"), answers=bindparam("answers"))
)


class SqlRegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        household_id: int,
        subject: str,
        title: str,
        year: int,
        commitments: tuple[str, ...],
        now: datetime,
        *,
        pledged_on: date | None = None,
        recorded_by: int | None = None,
    ) -> Registration:
        row = RegistrationRow(
            household_id=household_id,
            subject=subject,
            title=title,
            year=year,
            status=Status.REGISTERED.value,
            commitments=json.dumps(list(commitments)),
            answers="{}",
            pledged_on=pledged_on,
            recorded_by=recorded_by,
        )
        row.events = [RegistrationEventRow(status=Status.REGISTERED.value, at=now)]
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def get(self, registration_id: int) -> Registration | None:
        await self._session.flush()
        rows = (await self._session.execute(_REGISTRATION, {"id": registration_id})).all()
        return _registration_of(rows)

    async def own(self, registration_id: int, user_id: int) -> tuple[str, Registration] | None:
        """The registration with its household's hamlet, when it is the household the user's
        account is linked to; else None. One query for the check every answer makes."""
        params = {"id": registration_id, "user_id": user_id}
        await self._session.flush()
        rows = (await self._session.execute(_OWN_REGISTRATION, params)).all()
        registration = _registration_of(rows)
        return (rows[0].hamlet_code, registration) if registration else None

    async def find(
        self, household_id: int, subject: str, title: str, year: int
    ) -> Registration | None:
        row = await self._session.scalar(
            select(RegistrationRow)
            .where(
                RegistrationRow.household_id == household_id,
                RegistrationRow.subject == subject,
                RegistrationRow.title == title,
                RegistrationRow.year == year,
            )
            .execution_options(populate_existing=True)
        )
        return row.to_domain() if row else None

    async def of_household(self, household_id: int) -> list[Registration]:
        rows = await self._session.scalars(
            select(RegistrationRow)
            .where(RegistrationRow.household_id == household_id)
            .order_by(RegistrationRow.year.desc(), RegistrationRow.id)
            .execution_options(populate_existing=True)
        )
        return [row.to_domain() for row in rows]

    async def set_assessed_by(self, registration_id: int, user_id: int | None) -> None:
        await self._session.execute(
            update(RegistrationRow)
            .where(RegistrationRow.id == registration_id)
            .values(assessed_by=user_id)
        )

    async def set_commitments(self, registration_id: int, commitments: tuple[str, ...]) -> None:
        await self._session.execute(
            update(RegistrationRow)
            .where(RegistrationRow.id == registration_id)
            .values(commitments=json.dumps(list(commitments)))
        )

    async def save_answers(
        self, registration_id: int, criteria_set_id: int, answers: Mapping[str, JsonAnswer]
    ) -> None:
        # A Core UPDATE: a third of the ORM's cost, once per answer.
        text = json.dumps(dict(answers))
        params = {"registration_id": registration_id, "set_id": criteria_set_id, "answers": text}
        await self._session.execute(_SAVE_ANSWERS, params)
        _update_loaded(
            self._session, registration_id, criteria_set_id=criteria_set_id, answers=text
        )

    async def set_status(
        self,
        registration_id: int,
        status: Status,
        at: datetime,
        *,
        comment: str | None = None,
        score: tuple[int, bool] | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status.value}
        if score is not None:
            values["total"], values["passed"] = score
        await self._session.execute(
            update(RegistrationRow).where(RegistrationRow.id == registration_id).values(**values)
        )
        self._session.add(
            RegistrationEventRow(
                registration_id=registration_id, status=status.value, at=at, comment=comment
            )
        )
        await self._session.flush()

    async def set_decision(self, registration_ids: list[int], number: str, day: date) -> None:
        """The commune's decision (number and date) on these registrations."""
        await self._session.execute(
            update(RegistrationRow)
            .where(RegistrationRow.id.in_(registration_ids))
            .values(decision_no=number, decided_on=day)
        )

    async def deadlines(self, area_codes: list[str], title: str, year: int) -> Deadlines:
        """The deadlines of the most specific of `area_codes` (listed from the top down) that
        has any; none set: no limits.

        Each answer checks them: they go through the read cache, which keeps values only
        for SQLite, served by one process (storage/db.py); with PostgreSQL's several workers
        every read goes to the database. `set_deadlines`, their one writer, forgets them all
        (a commune's change reaches its hamlets' paths)."""
        key = (tuple(area_codes), title, year)
        load = partial(self._deadlines, area_codes, title, year)
        found = await read_cache(self._session, "deadlines").through(self._session, key, load)
        return found or Deadlines()

    async def _deadlines(self, area_codes: list[str], title: str, year: int) -> Deadlines:
        rows = {
            row.area_code: row
            for row in await self._session.scalars(
                select(AssessmentWindowRow).where(
                    AssessmentWindowRow.area_code.in_(area_codes),
                    AssessmentWindowRow.title == title,
                    AssessmentWindowRow.year == year,
                )
            )
        }
        for code in reversed(area_codes):
            if code in rows:
                return rows[code].to_domain()
        return Deadlines()

    async def set_deadlines(
        self, area_code: str, title: str, year: int, deadlines: Deadlines
    ) -> None:
        # Every cached path through this area (its hamlets') may change: forget them all.
        read_cache(self._session, "deadlines").written(self._session, EVERYTHING)
        row = await self._session.get(AssessmentWindowRow, (area_code, title, year))
        if row is None:
            row = AssessmentWindowRow(area_code=area_code, title=title, year=year)
            self._session.add(row)
        row.update_from(deadlines)
        await self._session.flush()


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        action: str,
        household_id: int | None,
        details: dict[str, Any],
        now: datetime,
        *,
        actor_id: int | None = None,
    ) -> None:
        self._session.add(
            AuditRow(
                at=now,
                action=action,
                household_id=household_id,
                details=json.dumps(details, ensure_ascii=False, sort_keys=True),
                actor_id=actor_id,
                # Every staff action names its area in its details ("area" or "hamlet").
                area_code=details.get("area") or details.get("hamlet"),
            )
        )
        await self._session.flush()

    async def recent(self, area_codes: list[str] | None, limit: int) -> list[AuditEntry]:
        """The latest entries about these areas (or about their households), newest first;
        all areas when None."""
        query = (
            select(AuditRow)
            .where(AuditRow.actor_id.is_not(None))  # staff actions; families' own are private
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        if area_codes is not None:
            households = select(HouseholdRow.id).where(HouseholdRow.hamlet_code.in_(area_codes))
            query = query.where(
                or_(AuditRow.area_code.in_(area_codes), AuditRow.household_id.in_(households))
            )
        return [
            AuditEntry(row.at, row.action, row.actor_id, row.area_code, json.loads(row.details))
            for row in await self._session.scalars(query)
        ]

    async def count_since(self, actor_id: int, action: str, since: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(AuditRow)
                .where(
                    AuditRow.actor_id == actor_id, AuditRow.action == action, AuditRow.at > since
                )
            )
            or 0
        )

    async def entries(self, household_id: int | None = None) -> list[dict[str, Any]]:
        query = select(AuditRow).order_by(AuditRow.id)
        if household_id is not None:
            query = query.where(AuditRow.household_id == household_id)
        return [
            {
                "action": row.action,
                "household_id": row.household_id,
                "actor_id": row.actor_id,
                "at": row.at,
                **json.loads(row.details),
            }
            for row in await self._session.scalars(query)
        ]

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(AuditRow)) or 0)
