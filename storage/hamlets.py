"""The hamlet head's tables and queries: invitations, the household list, reminders, targets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, not_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.criteria_model import Title
from bot.domain.hamlets import (
    FILTER_STATUSES,
    PAGE_SIZE,
    HouseholdLine,
    Invite,
    ListFilter,
    Page,
)
from bot.domain.households import HOUSEHOLD_SUBJECT
from bot.domain.stats import StandingRow
from bot.domain.status import Status
from bot.domain.text import search_key
from bot.domain.users import Role
from storage.household_models import (
    HouseholdAccountRow,
    HouseholdRow,
    InviteRow,
    RegistrationRow,
    ReminderRow,
    TargetRow,
)
from storage.models import UserRow


class SqlInviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        token_hash: str,
        hamlet_code: str,
        created_by: int,
        now: datetime,
        expires: datetime,
        role: Role = Role.HAMLET_HEAD,
    ) -> Invite:
        row = InviteRow(
            token_hash=token_hash,
            hamlet_code=hamlet_code,
            created_by=created_by,
            created_at=now,
            expires_at=expires,
            role=role.value,
        )
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def by_hash(self, token_hash: str) -> Invite | None:
        row = await self._session.scalar(
            select(InviteRow).where(InviteRow.token_hash == token_hash)
        )
        return row.to_domain() if row else None

    async def get(self, invite_id: int) -> Invite | None:
        row = await self._session.get(InviteRow, invite_id, populate_existing=True)
        return row.to_domain() if row else None

    async def use(self, invite_id: int, user_id: int, now: datetime) -> bool:
        """Mark it used unless it already was, revoked or expired (one statement, so two
        people opening the same link at once cannot both become head)."""
        result = await self._session.execute(
            update(InviteRow)
            .where(
                InviteRow.id == invite_id,
                InviteRow.used_at.is_(None),
                InviteRow.revoked_at.is_(None),
                InviteRow.expires_at > now,
            )
            .values(used_by=user_id, used_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def revoke(self, invite_id: int, now: datetime) -> None:
        await self._session.execute(
            update(InviteRow)
            .where(InviteRow.id == invite_id, InviteRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def open_in(self, hamlet_codes: Sequence[str], now: datetime) -> list[Invite]:
        rows = await self._session.scalars(
            select(InviteRow)
            .where(
                InviteRow.hamlet_code.in_(hamlet_codes),
                InviteRow.used_at.is_(None),
                InviteRow.revoked_at.is_(None),
                InviteRow.expires_at > now,
            )
            .order_by(InviteRow.created_at, InviteRow.id)
        )
        return [row.to_domain() for row in rows]


def this_years_registration(
    year: int, household: Any = HouseholdRow.id
) -> tuple[type[RegistrationRow], ColumnElement[bool]]:
    """A family's registration of `year` (an alias), and the condition joining it to the
    `household` id column (HouseholdRow.id unless another table's is given)."""
    registration = aliased(RegistrationRow)
    on = and_(
        registration.household_id == household,
        registration.subject == HOUSEHOLD_SUBJECT,
        registration.title == Title.GIA_DINH.value,
        registration.year == year,
    )
    return registration, on


def takes_bulk() -> tuple[ColumnElement[bool], ...]:
    """Conditions on UserRow: a user reminders and broadcasts may go to (not stopped, not
    refused by Telegram)."""
    return (UserRow.muted_at.is_(None), UserRow.unreachable_at.is_(None))


def dialect_insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, for ON CONFLICT (same on SQLite and PostgreSQL)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def household_reachable() -> ColumnElement[bool]:
    """Some linked account that Telegram has not refused."""
    return exists().where(
        HouseholdAccountRow.household_id == HouseholdRow.id,
        UserRow.id == HouseholdAccountRow.user_id,
        UserRow.unreachable_at.is_(None),
    )


def _search(query: str) -> ColumnElement[bool] | None:
    """By name without diacritics, or by phone digits (a leading 0 stands for +84)."""
    key = search_key(query)
    digits = "".join(ch for ch in query if ch.isdigit())
    conditions = []
    if key:
        conditions.append(HouseholdRow.name_key.contains(key, autoescape=True))
    if len(digits) >= 3:
        conditions.append(HouseholdRow.phone.contains(digits.removeprefix("0"), autoescape=True))
    return or_(*conditions) if conditions else None


def _lines_query(
    hamlet_code: str, year: int
) -> tuple[Select[*tuple[Any, ...]], type[RegistrationRow], ColumnElement[bool]]:
    """The hamlet's households (not forgotten) with this year's registration and whether
    they can be reached, as `_line` reads them; also the parts that filters refer to."""
    registration, on = this_years_registration(year)
    reachable = household_reachable()
    query = (
        select(
            HouseholdRow.id,
            HouseholdRow.head_name,
            HouseholdRow.phone,
            registration.status,
            registration.id,
            reachable.label("reachable"),
        )
        .outerjoin(registration, on)
        .where(HouseholdRow.hamlet_code == hamlet_code, HouseholdRow.forgotten_at.is_(None))
    )
    return query, registration, reachable


def _line(row: Row[*tuple[Any, ...]]) -> HouseholdLine:
    household_id, head_name, phone, status, registration_id, reachable = row
    return HouseholdLine(
        id=household_id,
        head_name=head_name,
        phone=phone,
        status=Status(status) if status else None,
        reachable=bool(reachable),
        registration_id=registration_id,
    )


class SqlHamletRepository:
    """Reads over one hamlet's households for its head."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def page(
        self, hamlet_code: str, year: int, which: ListFilter, query: str, number: int
    ) -> Page:
        base, registration, reachable = _lines_query(hamlet_code, year)
        if which == ListFilter.NOT_REGISTERED:
            base = base.where(registration.id.is_(None))
        elif which == ListFilter.UNREACHABLE:
            base = base.where(not_(reachable))
        elif which in FILTER_STATUSES:
            base = base.where(registration.status.in_([s.value for s in FILTER_STATUSES[which]]))
        searched = _search(query)
        if searched is not None:
            base = base.where(searched)
        total = await self._session.scalar(select(func.count()).select_from(base.subquery()))
        number = max(0, min(number, max(0, ((total or 0) - 1) // PAGE_SIZE)))
        rows = await self._session.execute(
            base.order_by(HouseholdRow.name_key, HouseholdRow.id)
            .limit(PAGE_SIZE)
            .offset(number * PAGE_SIZE)
        )
        return Page(tuple(_line(row) for row in rows), int(total or 0), number)

    async def lines(
        self, hamlet_code: str, year: int, household_ids: Sequence[int] | None = None
    ) -> list[HouseholdLine]:
        """Every household of the hamlet (or those of `household_ids` in it), by name."""
        query, _, _ = _lines_query(hamlet_code, year)
        if household_ids is not None:
            query = query.where(HouseholdRow.id.in_(household_ids))
        rows = await self._session.execute(query.order_by(HouseholdRow.name_key, HouseholdRow.id))
        return [_line(row) for row in rows]

    async def standings(self, hamlet_code: str, year: int) -> list[StandingRow]:
        """The hamlet's numbers as /stats counts them (cached; the caller commits)."""
        from storage.stats import cached_standings  # storage.stats imports this module

        return await cached_standings(self._session, [hamlet_code], Title.GIA_DINH.value, year)


class SqlReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reminded(self, household_ids: Sequence[int], kind: str, day: date) -> set[int]:
        rows = await self._session.scalars(
            select(ReminderRow.household_id).where(
                ReminderRow.household_id.in_(household_ids),
                ReminderRow.kind == kind,
                ReminderRow.day == day,
            )
        )
        return set(rows)

    async def mark(self, household_id: int, kind: str, day: date) -> bool:
        """Record the reminder; False when the household was already reminded that day."""
        result = await self._session.execute(
            dialect_insert(self._session)(ReminderRow)
            .values(household_id=household_id, kind=kind, day=day)
            .on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))


class SqlTargetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, area_codes: Sequence[str], title: str, year: int) -> dict[str, int]:
        """The targets set for any of `area_codes`, by area code."""
        rows = await self._session.execute(
            select(TargetRow.area_code, TargetRow.percent).where(
                TargetRow.area_code.in_(area_codes),
                TargetRow.title == title,
                TargetRow.year == year,
            )
        )
        return {str(code): int(percent) for code, percent in rows}

    async def set(self, area_code: str, title: str, year: int, percent: int | None) -> None:
        """Set the area's own target; None removes it, so the one above applies again."""
        row = await self._session.get(TargetRow, (area_code, title, year))
        if percent is None:
            if row is not None:
                await self._session.delete(row)
        elif row is None:
            self._session.add(
                TargetRow(area_code=area_code, title=title, year=year, percent=percent)
            )
        else:
            row.percent = percent
        await self._session.flush()
