"""The outbox table: messages are added in bulk, claimed one at a time, and marked once.

A message is claimed by turning it `sending` in a committed transaction before the call to
Telegram; only `queued` messages are ever claimed, so a crash mid-call cannot send twice.
On PostgreSQL several senders claim with FOR UPDATE SKIP LOCKED; on SQLite one runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.outbox import (
    FAIL_INTERRUPTED,
    SKIP_CANCELLED,
    SKIP_MUTED,
    SKIP_UNREACHABLE,
    ClaimedMessage,
    OutboxState,
    OutgoingMessage,
    Priority,
    Step,
)
from storage.models import UserRow
from storage.outbox_models import OutboxRow

_OUTBOX: Table = OutboxRow.__table__  # type: ignore[assignment]
CANDIDATES = 20  # looked at per claim, for chats that must wait their turn
INSERT_CHUNK = 2000

ChatReady = Callable[[int], datetime | None]  # None: the chat may be written to now


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = self.session = session
        self._skip_locked = session.get_bind().dialect.name == "postgresql"

    async def add_many(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        rows = [_row(message, now) for message in messages]
        for start in range(0, len(rows), INSERT_CHUNK):
            await self._session.execute(insert(_OUTBOX), rows[start : start + INSERT_CHUNK])
        return len(rows)

    async def claim(
        self, now: datetime, bulk_allowed: bool, chat_ready: ChatReady
    ) -> ClaimedMessage | None:
        """The next message due, turned `sending`; messages to users who sent /stop or
        blocked the bot are skipped, and those whose chat must wait are put off."""
        for row in await self._candidates(now, bulk_allowed):
            skip = _skip_reason(row)
            ready = chat_ready(row.chat_id)
            if skip is not None:
                await self._finish(row.id, OutboxState.SKIPPED, skip, now)
            elif ready is not None:
                await self._set(row.id, not_before=ready)
            elif await self._take(row.id, now):
                return ClaimedMessage(row.id, row.chat_id, row.text, row.attempts)
        return None

    async def _take(self, row_id: int, now: datetime) -> bool:
        # Still queued? Without SKIP LOCKED another sender may have taken it meanwhile.
        result = await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.state == OutboxState.QUEUED)
            .values(state=OutboxState.SENDING, sending_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def _candidates(self, now: datetime, bulk_allowed: bool) -> Sequence[Any]:
        query = (
            select(
                OutboxRow.id,
                OutboxRow.chat_id,
                OutboxRow.text,
                OutboxRow.priority,
                OutboxRow.attempts,
                UserRow.muted_at,
                UserRow.unreachable_at,
            )
            .outerjoin(UserRow, UserRow.id == OutboxRow.chat_id)
            .where(OutboxRow.state == OutboxState.QUEUED, OutboxRow.not_before <= now)
            .order_by(OutboxRow.priority, OutboxRow.not_before, OutboxRow.id)
            .limit(CANDIDATES)
        )
        if not bulk_allowed:
            query = query.where(OutboxRow.priority == Priority.HIGH)
        if self._skip_locked:
            query = query.with_for_update(skip_locked=True, of=OutboxRow)
        return (await self._session.execute(query)).all()

    async def mark_sent(self, message_id: int, telegram_id: int | None, now: datetime) -> None:
        await self._set(
            message_id,
            state=OutboxState.SENT,
            done_at=now,
            message_id=telegram_id,
            attempts=OutboxRow.attempts + 1,
            reason=None,
        )

    async def mark_failed(self, message_id: int, step: Step, now: datetime) -> None:
        """After a failed call: queued again for later, or ended with the reason."""
        final = step.state != OutboxState.QUEUED
        values: dict[str, Any] = {"state": step.state, "reason": step.reason[:200]}
        values["attempts"] = OutboxRow.attempts + 1
        if final:
            values["done_at"] = now
        if step.retry_at is not None:
            values["not_before"] = step.retry_at
        await self._set(message_id, **values)

    async def interrupt(self, sending_before: datetime, now: datetime) -> int:
        """Messages left `sending` by a sender that died: failed, never sent again."""
        result = await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.state == OutboxState.SENDING, OutboxRow.sending_at < sending_before)
            .values(state=OutboxState.FAILED, reason=FAIL_INTERRUPTED, done_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def next_due(self, bulk_allowed: bool) -> datetime | None:
        query = select(func.min(OutboxRow.not_before)).where(OutboxRow.state == OutboxState.QUEUED)
        if not bulk_allowed:
            query = query.where(OutboxRow.priority == Priority.HIGH)
        due: datetime | None = await self._session.scalar(query)
        return due

    async def counts(self, broadcast_id: int) -> dict[tuple[str, str], int]:
        """(state, reason) -> messages of the broadcast."""
        rows = await self._session.execute(
            select(OutboxRow.state, OutboxRow.reason, func.count())
            .where(OutboxRow.broadcast_id == broadcast_id)
            .group_by(OutboxRow.state, OutboxRow.reason)
        )
        return {(state, reason or ""): n for state, reason, n in rows}

    async def cancel(self, broadcast_id: int, now: datetime) -> int:
        """Messages of the broadcast not yet sent are skipped; how many."""
        result = await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.broadcast_id == broadcast_id, OutboxRow.state == OutboxState.QUEUED)
            .values(state=OutboxState.SKIPPED, reason=SKIP_CANCELLED, done_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _finish(
        self, message_id: int, state: OutboxState, reason: str, now: datetime
    ) -> None:
        await self._set(message_id, state=state, reason=reason, done_at=now)

    async def _set(self, row_id: int, **values: Any) -> None:
        await self._session.execute(
            update(OutboxRow).where(OutboxRow.id == row_id).values(**values)
        )


def _row(message: OutgoingMessage, now: datetime) -> dict[str, Any]:
    return {
        "chat_id": message.chat_id,
        "text": message.text,
        "priority": int(message.priority),
        "state": OutboxState.QUEUED.value,
        "attempts": 0,
        "not_before": message.not_before or now,
        "created_at": now,
        "broadcast_id": message.broadcast_id,
        "reminder": message.reminder,
    }


def _skip_reason(row: Any) -> str | None:
    if row.unreachable_at is not None:
        return SKIP_UNREACHABLE
    if row.muted_at is not None and row.priority != Priority.HIGH:
        return SKIP_MUTED
    return None
