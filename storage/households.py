"""Households, members, linked accounts, registrations and the audit log over one session."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.domain.households import Household, HouseholdForm, Member
from bot.domain.registrations import JsonAnswer, Registration
from bot.domain.status import Status
from bot.domain.text import search_key
from storage.household_models import (
    AssessmentWindowRow,
    AuditRow,
    HouseholdAccountRow,
    HouseholdRow,
    MemberRow,
    RegistrationEventRow,
    RegistrationRow,
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
        # populate_existing: a status set earlier in this unit of work added an event row.
        # The history is joined in: one query instead of two on this hot path.
        rows = await self._session.scalars(
            select(RegistrationRow)
            .where(RegistrationRow.id == registration_id)
            .options(joinedload(RegistrationRow.events))
            .execution_options(populate_existing=True)
        )
        row = rows.unique().one_or_none()
        return row.to_domain() if row else None

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
        await self._session.execute(
            update(RegistrationRow)
            .where(RegistrationRow.id == registration_id)
            .values(criteria_set_id=criteria_set_id, answers=json.dumps(dict(answers)))
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

    async def window(
        self, area_codes: list[str], title: str, year: int
    ) -> tuple[datetime | None, datetime | None] | None:
        """The window of the most specific of `area_codes` (listed from the top down)."""
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
                return rows[code].opens_at, rows[code].closes_at
        return None

    async def set_window(
        self,
        area_code: str,
        title: str,
        year: int,
        opens_at: datetime | None,
        closes_at: datetime | None,
    ) -> None:
        row = await self._session.get(AssessmentWindowRow, (area_code, title, year))
        if row is None:
            row = AssessmentWindowRow(area_code=area_code, title=title, year=year)
            self._session.add(row)
        row.opens_at, row.closes_at = opens_at, closes_at
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
            )
        )
        await self._session.flush()

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
