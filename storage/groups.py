"""Clans, units and the figures group facts are counted from, over one session."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.criteria_model import Title
from bot.domain.facts import PASSING_STATUSES, Share
from bot.domain.groups import Clan, ClanMember, GroupKind, Unit, group_subject
from bot.domain.households import HOUSEHOLD_SUBJECT
from bot.domain.recognition import Decision
from bot.domain.registrations import JsonAnswer, Registration
from bot.domain.status import Status
from bot.domain.text import search_key
from storage.group_models import ClanMemberRow, ClanRow, UnitCitizenRow, UnitRow
from storage.hamlets import this_years_registration
from storage.household_models import HouseholdRow, RegistrationEventRow, RegistrationRow


def learning(registration: type[RegistrationRow]) -> ColumnElement[bool]:
    """`bot.domain.facts.is_learning` as SQL, on a registration row."""
    passing = [status.value for status in PASSING_STATUSES]
    return or_(
        registration.status == Status.RECOGNISED.value,
        and_(registration.passed.is_(True), registration.status.in_(passing)),
    )


G = TypeVar("G")


class _GroupRows(Generic[G]):
    """What clans and units share: found by id, by commune, by representative; their codes."""

    _row: Any  # ClanRow or UnitRow

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, group_id: int) -> G | None:
        row = await self._session.get(self._row, group_id)
        return row.to_domain() if row else None

    async def codes_taken(self, codes: Collection[str]) -> set[str]:
        taken = await self._session.scalars(
            select(self._row.code).where(self._row.code.in_(codes))
        )
        return set(taken)

    async def of_commune(self, commune_code: str) -> list[G]:
        return await self._where(self._row.commune_code == commune_code, self._row.name_key)

    async def of_representative(self, user_id: int) -> list[G]:
        return await self._where(self._row.representative_id == user_id, self._row.id)

    async def _where(self, condition: Any, order: Any) -> list[G]:
        rows = await self._session.scalars(select(self._row).where(condition).order_by(order))
        return [row.to_domain() for row in rows]


class SqlClanRepository(_GroupRows[Clan]):
    _row = ClanRow

    async def add(
        self, code: str, name: str, commune_code: str, representative_id: int, now: datetime
    ) -> Clan:
        row = ClanRow(
            code=code,
            name=name,
            name_key=search_key(name),
            commune_code=commune_code,
            representative_id=representative_id,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def add_member(
        self, clan_id: int, household_id: int, now: datetime, *, confirmed: bool
    ) -> None:
        self._session.add(
            ClanMemberRow(
                clan_id=clan_id,
                household_id=household_id,
                added_at=now,
                confirmed_at=now if confirmed else None,
            )
        )
        await self._session.flush()

    async def membership(self, household_id: int) -> ClanMember | None:
        row = await self._session.get(ClanMemberRow, household_id)
        return (
            ClanMember(row.clan_id, row.household_id, row.confirmed_at is not None)
            if row
            else None
        )

    async def confirm(self, household_id: int, now: datetime) -> None:
        await self._session.execute(
            update(ClanMemberRow)
            .where(ClanMemberRow.household_id == household_id)
            .values(confirmed_at=now)
        )

    async def remove_member(self, household_id: int) -> None:
        await self._session.execute(
            delete(ClanMemberRow).where(ClanMemberRow.household_id == household_id)
        )

    async def members(self, clan_id: int) -> list[ClanMember]:
        rows = await self._session.scalars(
            select(ClanMemberRow)
            .where(ClanMemberRow.clan_id == clan_id)
            .order_by(ClanMemberRow.household_id)
        )
        return [ClanMember(r.clan_id, r.household_id, r.confirmed_at is not None) for r in rows]

    async def learning_families(self, clan_id: int, year: int) -> Share:
        """Confirmed member households, and those that are learning families in `year`."""
        family, on = this_years_registration(year, ClanMemberRow.household_id)
        row = (
            await self._session.execute(
                select(func.count(), _how_many(learning(family)))
                .select_from(ClanMemberRow)
                .outerjoin(family, on)
                .where(ClanMemberRow.clan_id == clan_id, ClanMemberRow.confirmed_at.is_not(None))
            )
        ).one()
        return Share(int(row[0]), int(row[1]))

    async def family_answers(
        self, clan_id: int, year: int
    ) -> list[tuple[int, dict[str, JsonAnswer]]]:
        """(criteria set id, answers) of each confirmed member's family registration of `year`
        that has a criteria set: what their measures are read from."""
        rows = await self._session.execute(
            select(RegistrationRow.criteria_set_id, RegistrationRow.answers)
            .join(ClanMemberRow, ClanMemberRow.household_id == RegistrationRow.household_id)
            .where(
                ClanMemberRow.clan_id == clan_id,
                ClanMemberRow.confirmed_at.is_not(None),
                RegistrationRow.subject == HOUSEHOLD_SUBJECT,
                RegistrationRow.title == Title.GIA_DINH.value,
                RegistrationRow.year == year,
                RegistrationRow.criteria_set_id.is_not(None),
            )
        )
        return [
            (set_id, json.loads(answers or "{}")) for set_id, answers in rows if set_id is not None
        ]

    async def families_named(
        self, hamlet_codes: Sequence[str], words: Sequence[str], limit: int
    ) -> list[tuple[int, str, str]]:
        """(id, head's name, hamlet code) of these hamlets' households, not forgotten, whose
        head's name holds each of `words` (search keys), by name; `limit` at most."""
        named = [HouseholdRow.name_key.contains(word, autoescape=True) for word in words]
        rows = await self._session.execute(
            _families(hamlet_codes)
            .where(*named)
            .order_by(HouseholdRow.name_key, HouseholdRow.id)
            .limit(limit)
        )
        return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]

    async def families_by_id(
        self, hamlet_codes: Sequence[str], household_ids: Collection[int]
    ) -> list[tuple[int, str, str]]:
        """The same for the households `household_ids` among them, by name."""
        if not household_ids:
            return []
        rows = await self._session.execute(
            _families(hamlet_codes)
            .where(HouseholdRow.id.in_(household_ids))
            .order_by(HouseholdRow.name_key, HouseholdRow.id)
        )
        return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]


class SqlUnitRepository(_GroupRows[Unit]):
    _row = UnitRow

    async def add(
        self,
        code: str,
        name: str,
        kind: str,
        staff_count: int,
        commune_code: str,
        representative_id: int,
        now: datetime,
    ) -> Unit:
        row = UnitRow(
            code=code,
            name=name,
            name_key=search_key(name),
            kind=kind,
            staff_count=staff_count,
            commune_code=commune_code,
            representative_id=representative_id,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def by_code(self, code: str) -> Unit | None:
        row = await self._session.scalar(select(UnitRow).where(UnitRow.code == code))
        return row.to_domain() if row else None

    async def confirm(self, unit_id: int, by: int, now: datetime) -> None:
        await self._session.execute(
            update(UnitRow).where(UnitRow.id == unit_id).values(confirmed_at=now, confirmed_by=by)
        )

    async def link_citizen(self, registration_id: int, unit_id: int, now: datetime) -> None:
        """Count a learning-citizen registration for the unit (instead of any other)."""
        await self._session.execute(
            delete(UnitCitizenRow).where(UnitCitizenRow.registration_id == registration_id)
        )
        self._session.add(
            UnitCitizenRow(registration_id=registration_id, unit_id=unit_id, linked_at=now)
        )
        await self._session.flush()

    async def unit_of(self, registration_id: int) -> int | None:
        row = await self._session.get(UnitCitizenRow, registration_id)
        return row.unit_id if row else None

    async def learning_citizens(self, unit_id: int, year: int) -> int:
        """Registrations counted for the unit that are learning citizens in `year`."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(UnitCitizenRow)
            .join(RegistrationRow, RegistrationRow.id == UnitCitizenRow.registration_id)
            .where(
                UnitCitizenRow.unit_id == unit_id,
                RegistrationRow.title == Title.CONG_DAN.value,
                RegistrationRow.year == year,
                learning(RegistrationRow),
            )
        )
        return int(count or 0)


class SqlGroupFigures:
    """What a hamlet's facts are counted from: its households, and the clans they are in."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hamlet_families(self, hamlet_code: str, year: int) -> tuple[int, int, int]:
        """(households, registered as families in `year`, learning families in `year`)."""
        family, on = this_years_registration(year)
        row = (
            await self._session.execute(
                select(
                    func.count(HouseholdRow.id),
                    func.count(family.id),
                    _how_many(learning(family)),
                )
                .select_from(HouseholdRow)
                .outerjoin(family, on)
                .where(
                    HouseholdRow.hamlet_code == hamlet_code, HouseholdRow.forgotten_at.is_(None)
                )
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])

    async def hamlet_clans(self, hamlet_code: str, year: int) -> Share:
        """Clans with a confirmed member household in the hamlet, and the learning ones."""
        clan_ids = await self._session.scalars(
            select(ClanMemberRow.clan_id)
            .distinct()
            .join(HouseholdRow, HouseholdRow.id == ClanMemberRow.household_id)
            .where(
                HouseholdRow.hamlet_code == hamlet_code, ClanMemberRow.confirmed_at.is_not(None)
            )
        )
        subjects = [group_subject(GroupKind.CLAN, str(clan_id)) for clan_id in clan_ids]
        if not subjects:
            return Share(0, 0)
        learned = await self._session.scalar(
            select(func.count())
            .select_from(RegistrationRow)
            .where(
                RegistrationRow.household_id.is_(None),
                RegistrationRow.title == Title.DONG_HO.value,
                RegistrationRow.year == year,
                RegistrationRow.subject.in_(subjects),
                learning(RegistrationRow),
            )
        )
        return Share(len(subjects), int(learned or 0))


class SqlGroupRegistrations:
    """Registrations whose subject is a group (no household)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, subject: str, area_code: str, title: str, year: int, now: datetime
    ) -> Registration:
        row = RegistrationRow(
            household_id=None,
            area_code=area_code,
            subject=subject,
            title=title,
            year=year,
            status=Status.REGISTERED.value,
            commitments="[]",
            answers="{}",
        )
        row.events = [RegistrationEventRow(status=Status.REGISTERED.value, at=now)]
        self._session.add(row)
        await self._session.flush()
        return row.to_domain()

    async def find(self, subject: str, title: str, year: int) -> Registration | None:
        row = await self._session.scalar(
            select(RegistrationRow)
            .where(
                RegistrationRow.household_id.is_(None),
                RegistrationRow.subject == subject,
                RegistrationRow.title == title,
                RegistrationRow.year == year,
            )
            .execution_options(populate_existing=True)
        )
        return row.to_domain() if row else None

    async def of_area(self, area_codes: Sequence[str], year: int) -> list[Registration]:
        rows = await self._session.scalars(
            select(RegistrationRow)
            .where(
                RegistrationRow.household_id.is_(None),
                RegistrationRow.area_code.in_(area_codes),
                RegistrationRow.year == year,
            )
            .order_by(RegistrationRow.title, RegistrationRow.id)
        )
        return [row.to_domain() for row in rows]

    async def decisions(self, registration_ids: Collection[int]) -> dict[int, Decision]:
        """The commune's decision on each of these registrations that has one."""
        rows = await self._session.execute(
            select(
                RegistrationRow.id, RegistrationRow.decision_no, RegistrationRow.decided_on
            ).where(
                RegistrationRow.id.in_(list(registration_ids)),
                RegistrationRow.decision_no.is_not(None),
                RegistrationRow.decided_on.is_not(None),
            )
        )
        return {row.id: Decision(row.decision_no, row.decided_on) for row in rows}


def _families(hamlet_codes: Sequence[str]) -> Select[int, str | None, str]:
    """Households of these hamlets that still have a name (not forgotten)."""
    return select(HouseholdRow.id, HouseholdRow.head_name, HouseholdRow.hamlet_code).where(
        HouseholdRow.hamlet_code.in_(hamlet_codes),
        HouseholdRow.forgotten_at.is_(None),
        HouseholdRow.head_name.is_not(None),
    )


def _how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet `condition` (0 when none), in any dialect."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
