"""The household list for spreadsheets: one hamlet's households with this year's registration,
read from the database in batches, so that a commune of any size is written out in little
memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import ColumnElement, Row, ScalarSelect, and_, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.criteria_model import Title
from bot.domain.export import ExportRow, ExportSource, export_row
from bot.domain.hamlets import FILTER_STATUSES, ListFilter
from bot.domain.households import HOUSEHOLD_SUBJECT
from bot.domain.status import Status
from storage.hamlets import household_reachable
from storage.household_models import HouseholdRow, RegistrationEventRow, RegistrationRow
from storage.models import AreaRow

BATCH = 200  # rows fetched at a time: the event loop serves others between batches


def _reached(registration: type[RegistrationRow], status: Status) -> ScalarSelect[Any]:
    """When the registration last reached `status` (its latest such event)."""
    return (
        select(func.max(RegistrationEventRow.at))
        .where(
            RegistrationEventRow.registration_id == registration.id,
            RegistrationEventRow.status == status.value,
        )
        .scalar_subquery()
    )


def _kept(which: ListFilter, registration: type[RegistrationRow]) -> ColumnElement[bool] | None:
    """The households a filter keeps, as the hamlet head's list narrows them."""
    if which == ListFilter.NOT_REGISTERED:
        return registration.id.is_(None)
    if which == ListFilter.UNREACHABLE:
        return not_(household_reachable())
    if which in FILTER_STATUSES:
        return registration.status.in_([status.value for status in FILTER_STATUSES[which]])
    return None


def _source(row: Row[Any]) -> ExportSource:
    values = dict(row._mapping)
    values["status"] = Status(values["status"]) if values["status"] else None
    return ExportSource(**values)


class SqlExportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rows(
        self,
        hamlet_code: str,
        year: int,
        which: ListFilter = ListFilter.ALL,
        title: str = Title.GIA_DINH.value,
    ) -> AsyncIterator[ExportRow]:
        """The hamlet's households (erased ones left out) that `which` keeps, by name."""
        registration = aliased(RegistrationRow)
        on = and_(
            registration.household_id == HouseholdRow.id,
            registration.subject == HOUSEHOLD_SUBJECT,
            registration.title == title,
            registration.year == year,
        )
        query = (
            select(  # labelled as ExportSource's fields
                HouseholdRow.head_name,
                AreaRow.name.label("hamlet"),
                HouseholdRow.members_count.label("members"),
                HouseholdRow.phone,
                registration.status,
                registration.pledged_on,
                _reached(registration, Status.REGISTERED).label("registered_at"),
                registration.total,
                registration.passed,
                _reached(registration, Status.RECOGNISED).label("recognised_at"),
                registration.decided_on,
                registration.decision_no.label("decision_number"),
            )
            .join(AreaRow, AreaRow.code == HouseholdRow.hamlet_code)
            .outerjoin(registration, on)
            .where(HouseholdRow.hamlet_code == hamlet_code, HouseholdRow.forgotten_at.is_(None))
            .order_by(HouseholdRow.name_key, HouseholdRow.id)
            .execution_options(yield_per=BATCH)
        )
        kept = _kept(which, registration)
        if kept is not None:
            query = query.where(kept)
        result = await self._session.stream(query)
        try:
            async for batch in result.partitions(BATCH):  # one await a batch, not a row
                for row in batch:
                    yield export_row(_source(row))
        finally:
            await result.close()
