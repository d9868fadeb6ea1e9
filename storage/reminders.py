"""Reminder rules a commune changed, the occurrences already run, and who each reminder
reaches: families by this year's registration, hamlet heads with their households waiting,
officers with the commune's numbers. People who sent /stop or blocked the bot are left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.criteria_model import Title
from bot.domain.deadlines import Deadlines
from bot.domain.reminder_settings import NOT_ASSESSED, VERIFIED, ReminderRecipient, RuleChange
from bot.domain.reminders import Audience
from bot.domain.status import Status
from bot.domain.users import Role
from storage.group_models import ClanRow, UnitRow
from storage.hamlets import dialect_insert, takes_bulk, this_years_registration
from storage.household_models import (
    AssessmentWindowRow,
    HouseholdAccountRow,
    HouseholdRow,
    RegistrationRow,
)
from storage.models import AreaRow, RoleRow, UserRow
from storage.outbox_models import ReminderRuleRow, ReminderRunRow
from storage.title_counts import subject_column

CHUNK = 500  # area codes per statement, well under the bind limits


class SqlReminderRuleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def changes(self, area_codes: Sequence[str]) -> dict[str, dict[str, RuleChange]]:
        """Area code -> rule key -> the area's own values."""
        found: dict[str, dict[str, RuleChange]] = defaultdict(dict)
        for start in range(0, len(area_codes), CHUNK):
            rows = await self._session.scalars(
                select(ReminderRuleRow).where(
                    ReminderRuleRow.area_code.in_(area_codes[start : start + CHUNK])
                )
            )
            for row in rows:
                found[row.area_code][row.key] = RuleChange(row.active, row.offset_days, row.hour)
        return dict(found)

    async def change(
        self, area_code: str, key: str, change: RuleChange, now: datetime, actor_id: int
    ) -> None:
        values = {
            "active": change.active,
            "offset_days": change.offset_days,
            "hour": change.hour,
            "updated_at": now,
            "updated_by": actor_id,
        }
        await self._session.execute(
            dialect_insert(self._session)(ReminderRuleRow)
            .values(area_code=area_code, key=key, **values)
            .on_conflict_do_update(index_elements=["area_code", "key"], set_=values)
        )

    async def record_run(
        self, area_code: str, key: str, occurrence: datetime, now: datetime, recipients: int
    ) -> bool:
        """Record the occurrence as run; False when it already was (by another worker)."""
        result = await self._session.execute(
            dialect_insert(self._session)(ReminderRunRow)
            .values(
                area_code=area_code,
                key=key,
                occurrence=occurrence,
                ran_at=now,
                recipients=recipients,
            )
            .on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    async def runs(
        self, area_codes: Sequence[str], since: datetime
    ) -> dict[str, set[tuple[str, datetime]]]:
        """Area code -> (rule key, occurrence) run for occurrences from `since` on."""
        found: dict[str, set[tuple[str, datetime]]] = defaultdict(set)
        for start in range(0, len(area_codes), CHUNK):
            rows = await self._session.execute(
                select(ReminderRunRow.area_code, ReminderRunRow.key, ReminderRunRow.occurrence)
                .where(ReminderRunRow.area_code.in_(area_codes[start : start + CHUNK]))
                .where(ReminderRunRow.occurrence >= since)
            )
            for code, key, occurrence in rows:
                found[code].add((key, occurrence))
        return dict(found)

    async def communes_with_deadlines(
        self, title: str, years: Collection[int]
    ) -> list[tuple[str, int, Deadlines]]:
        """(commune code, year, its deadlines) of the communes in use that set deadlines."""
        rows = await self._session.execute(
            select(AssessmentWindowRow)
            .join(AreaRow, AreaRow.code == AssessmentWindowRow.area_code)
            .where(
                AssessmentWindowRow.title == title,
                AssessmentWindowRow.year.in_(list(years)),
                AreaRow.level == "commune",
                AreaRow.retired_at.is_(None),
            )
            .order_by(AssessmentWindowRow.area_code, AssessmentWindowRow.year)
        )
        return [(row.area_code, row.year, row.to_domain()) for row in rows.scalars()]

    async def audience(
        self,
        audience: Audience,
        title: str,
        commune_code: str,
        hamlet_codes: Sequence[str],
        year: int,
        default_locale: str,
    ) -> list[ReminderRecipient]:
        """Who a reminder for `audience` about `title` reaches in the commune now, in a
        stable order."""
        if audience == Audience.HAMLET_HEADS:
            return await self._heads(hamlet_codes, year, default_locale)
        if audience == Audience.COMMUNE_OFFICERS:
            return await self._officers(commune_code, hamlet_codes, year, default_locale)
        if audience == Audience.GROUPS_NOT_ASSESSED:
            query = _groups_not_assessed(title, commune_code, hamlet_codes, year)
            rows = await self._session.execute(query)
            found = [ReminderRecipient(u, lang or default_locale, name) for u, lang, name in rows]
            return sorted(found, key=lambda r: (r.user_id, r.name))
        found = []
        for start in range(0, len(hamlet_codes), CHUNK):
            query = _families(audience, hamlet_codes[start : start + CHUNK], year, title)
            for user_id, language, name, code in await self._session.execute(query):
                found.append(ReminderRecipient(user_id, language or default_locale, name or code))
        return sorted(found, key=lambda r: r.user_id)

    async def _heads(
        self, hamlet_codes: Sequence[str], year: int, default_locale: str
    ) -> list[ReminderRecipient]:
        """Each head of a hamlet with households waiting, once per such hamlet."""
        waiting = await self._counts(hamlet_codes, year, by_hamlet=True)
        found = []
        for start in range(0, len(hamlet_codes), CHUNK):
            rows = await self._session.execute(
                select(UserRow.id, UserRow.language, AreaRow.code, AreaRow.name)
                .join(RoleRow, RoleRow.user_id == UserRow.id)
                .join(AreaRow, AreaRow.code == RoleRow.area_code)
                .where(
                    RoleRow.role == Role.HAMLET_HEAD.value,
                    RoleRow.area_code.in_(hamlet_codes[start : start + CHUNK]),
                    *takes_bulk(),
                )
            )
            for user_id, language, code, name in rows:
                count = waiting.get((code, Status.SELF_ASSESSED.value), 0)
                if count:
                    locale = language or default_locale
                    found.append(ReminderRecipient(user_id, locale, name, waiting=count))
        return sorted(found, key=lambda r: (r.user_id, r.name))

    async def _officers(
        self, commune_code: str, hamlet_codes: Sequence[str], year: int, default_locale: str
    ) -> list[ReminderRecipient]:
        counts = await self._counts(hamlet_codes, year, by_hamlet=False)
        verified = sum(counts.get(("", status.value), 0) for status in VERIFIED)
        waiting = counts.get(("", Status.SELF_ASSESSED.value), 0)
        returned = counts.get(("", Status.RETURNED.value), 0)
        rows = await self._session.execute(
            select(UserRow.id, UserRow.language, AreaRow.name)
            .join(RoleRow, RoleRow.user_id == UserRow.id)
            .join(AreaRow, AreaRow.code == RoleRow.area_code)
            .where(
                RoleRow.role == Role.COMMUNE_OFFICER.value,
                RoleRow.area_code == commune_code,
                *takes_bulk(),
            )
            .order_by(UserRow.id)
        )
        return [
            ReminderRecipient(
                user_id, language or default_locale, name, waiting, verified, returned
            )
            for user_id, language, name in rows
        ]

    async def _counts(
        self, hamlet_codes: Sequence[str], year: int, *, by_hamlet: bool
    ) -> dict[tuple[str, str], int]:
        """(hamlet code, or "" for all, status) -> households this year, not forgotten."""
        found: dict[tuple[str, str], int] = defaultdict(int)
        registration, on = this_years_registration(year)
        for start in range(0, len(hamlet_codes), CHUNK):
            rows = await self._session.execute(
                select(HouseholdRow.hamlet_code, registration.status, func.count())
                .join(registration, on)
                .where(
                    HouseholdRow.hamlet_code.in_(hamlet_codes[start : start + CHUNK]),
                    HouseholdRow.forgotten_at.is_(None),
                )
                .group_by(HouseholdRow.hamlet_code, registration.status)
            )
            for code, status, count in rows:
                found[(code if by_hamlet else "", status)] += int(count)
        return dict(found)


def _families(
    audience: Audience, hamlet_codes: Sequence[str], year: int, title: str
) -> Select[*tuple[Any, ...]]:
    registration, on = _registration_of(title, year)
    query = (
        select(UserRow.id, UserRow.language, HouseholdRow.head_name, HouseholdRow.code)
        .distinct()  # a family with two citizens registered hears once
        .join(HouseholdAccountRow, HouseholdAccountRow.user_id == UserRow.id)
        .join(HouseholdRow, HouseholdRow.id == HouseholdAccountRow.household_id)
        .outerjoin(registration, on)
        .where(
            HouseholdRow.hamlet_code.in_(hamlet_codes),
            HouseholdRow.forgotten_at.is_(None),
            *takes_bulk(),
        )
    )
    if audience == Audience.NOT_REGISTERED:  # a draft is not a registration yet
        return query.where(
            or_(registration.id.is_(None), registration.status == Status.DRAFT.value)
        )
    return query.where(registration.status.in_([status.value for status in NOT_ASSESSED]))


def _registration_of(title: str, year: int) -> tuple[Any, Any]:
    """A household's registration of the year for a family's title: its own, or for
    learning citizens any of its members'."""
    if title != Title.CONG_DAN.value:
        return this_years_registration(year)
    registration = aliased(RegistrationRow)
    on = and_(
        registration.household_id == HouseholdRow.id,
        registration.subject.startswith("member:"),
        registration.title == title,
        registration.year == year,
    )
    return registration, on


def _groups_not_assessed(
    title: str, commune_code: str, hamlet_codes: Sequence[str], year: int
) -> Select[*tuple[Any, ...]]:
    """(user id, language, group name) of whoever answers for the commune's clans, units
    or hamlets registered for `title` this year and not self-assessed yet."""
    registration = aliased(RegistrationRow)
    waiting = (
        (registration.title == title)
        & (registration.year == year)
        & registration.status.in_([status.value for status in NOT_ASSESSED])
    )
    if title == Title.CONG_DONG.value:
        return (
            select(UserRow.id, UserRow.language, AreaRow.name)
            .join(RoleRow, RoleRow.user_id == UserRow.id)
            .join(AreaRow, AreaRow.code == RoleRow.area_code)
            .join(registration, registration.subject == subject_column("hamlet", AreaRow.code))
            .where(
                RoleRow.role == Role.HAMLET_HEAD.value,
                AreaRow.code.in_(list(hamlet_codes)),
                waiting,
                *takes_bulk(),
            )
        )
    group: Any = ClanRow if title == Title.DONG_HO.value else UnitRow
    kind = "clan" if group is ClanRow else "unit"
    return (
        select(UserRow.id, UserRow.language, group.name)
        .join(group, group.representative_id == UserRow.id)
        .join(registration, registration.subject == subject_column(kind, group.id))
        .where(group.commune_code == commune_code, waiting, *takes_bulk())
    )
