"""Broadcasts and their audiences: who, in an area, a message goes to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.broadcasts import AudienceSpec, Broadcast, Group, Recipient
from bot.domain.hamlets import FILTER_STATUSES, ListFilter
from bot.domain.status import Status
from bot.domain.users import Role
from storage.hamlets import takes_bulk, this_years_registration
from storage.household_models import HouseholdAccountRow, HouseholdRow
from storage.models import RoleRow, UserRow
from storage.outbox_models import BroadcastRow

CHUNK = 500
DRAFT = Status.DRAFT.value
GROUP_ROLES = {Group.HAMLET_HEADS: Role.HAMLET_HEAD, Group.OFFICERS: Role.COMMUNE_OFFICER}


class SqlBroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def recipients(
        self, spec: AudienceSpec, area_codes: Sequence[str], default_locale: str
    ) -> list[Recipient]:
        """Everyone the spec names in `area_codes` (the area and those under it), once each,
        with their language; people who sent /stop or blocked the bot are left out."""
        found: dict[int, Recipient] = {}
        for start in range(0, len(area_codes), CHUNK):
            chunk = area_codes[start : start + CHUNK]
            for user_id, language in await self._session.execute(_query(spec, chunk)):
                found[user_id] = Recipient(user_id, language or default_locale)
        return [found[user_id] for user_id in sorted(found)]

    async def add(
        self, spec: AudienceSpec, author_id: int, text: str, total: int, now: datetime
    ) -> int:
        result = await self._session.execute(
            insert(BroadcastRow)
            .values(
                author_id=author_id,
                area_code=spec.area_code,
                audience=spec.to_json(),
                text=text,
                total=total,
                created_at=now,
            )
            .returning(BroadcastRow.id)
        )
        return int(result.scalar_one())

    async def set_report(
        self, broadcast_id: int, chat_id: int, message_id: int, locale: str
    ) -> None:
        await self._set(
            broadcast_id,
            report_chat_id=chat_id,
            report_message_id=message_id,
            report_locale=locale,
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._session.get(BroadcastRow, broadcast_id, populate_existing=True)
        return _broadcast(row) if row else None

    async def unfinished(self) -> list[Broadcast]:
        rows = await self._session.scalars(
            select(BroadcastRow)
            .where(BroadcastRow.finished_at.is_(None))
            .order_by(BroadcastRow.id)
        )
        return [_broadcast(row) for row in rows]

    async def cancel(self, broadcast_id: int, now: datetime) -> None:
        await self._set(broadcast_id, cancelled_at=now)

    async def finish(self, broadcast_id: int, now: datetime) -> None:
        await self._set(broadcast_id, finished_at=now)

    async def _set(self, broadcast_id: int, **values: Any) -> None:
        await self._session.execute(
            update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(**values)
        )


def _query(spec: AudienceSpec, area_codes: Sequence[str]) -> Any:
    reachable = takes_bulk()
    if spec.group in GROUP_ROLES:
        return (
            select(UserRow.id, UserRow.language)
            .join(RoleRow, RoleRow.user_id == UserRow.id)
            .where(
                RoleRow.role == GROUP_ROLES[spec.group].value,
                RoleRow.area_code.in_(area_codes),
                *reachable,
            )
        )
    registration, on = this_years_registration(spec.year)
    query = (
        select(UserRow.id, UserRow.language)
        .join(HouseholdAccountRow, HouseholdAccountRow.user_id == UserRow.id)
        .join(HouseholdRow, HouseholdRow.id == HouseholdAccountRow.household_id)
        .outerjoin(registration, on)
        .where(
            HouseholdRow.hamlet_code.in_(area_codes),
            HouseholdRow.forgotten_at.is_(None),
            *reachable,
        )
    )
    if spec.status == ListFilter.NOT_REGISTERED:  # a draft is not a registration yet
        return query.where(or_(registration.id.is_(None), registration.status == DRAFT))
    if spec.status in FILTER_STATUSES:
        statuses = [status.value for status in FILTER_STATUSES[spec.status]]
        return query.where(registration.status.in_(statuses))
    return query


def _broadcast(row: BroadcastRow) -> Broadcast:
    return Broadcast(
        id=row.id,
        author_id=row.author_id,
        area_code=row.area_code,
        total=row.total,
        cancelled=row.cancelled_at is not None,
        finished=row.finished_at is not None,
        report_chat_id=row.report_chat_id,
        report_message_id=row.report_message_id,
        report_locale=row.report_locale,
    )
