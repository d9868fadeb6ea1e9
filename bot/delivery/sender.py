"""The outbox sender: sends stored messages as fast as Telegram's limits allow, in priority
order, never twice.

Each message is claimed (turned `sending` and committed) before its call; the outcome is
written after. A message found `sending` when a sender starts was in flight when the last one
died: it is failed as interrupted, not sent again (at most once for that one message).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.methods import SendMessage
from aiogram.types import LinkPreviewOptions
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.outcome import FailedCall, failed_call
from bot.delivery.pacing import Pacer
from bot.domain.outbox import ClaimedMessage, Failure, QuietHours, RetryPolicy, after_failure
from storage.outbox import SqlOutboxRepository
from storage.repositories import SqlUserRepository

log = logging.getLogger("hoctap.delivery")
IDLE_POLL = 5.0  # seconds between looks at an empty outbox (new messages also wake it)


@dataclass
class SenderOptions:
    rate: float = 25.0
    quiet: QuietHours = field(default_factory=QuietHours)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    max_in_flight: int = 30
    # A message `sending` for longer was lost with its sender. None: one sender only
    # (SQLite), so everything `sending` at start-up was lost.
    stale_after: timedelta | None = None


class OutboxSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Bot,
        options: SenderOptions,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._sessions, self._bot, self.options = session_factory, bot, options
        self.pacer = pacer or Pacer(options.rate)
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._slots = asyncio.Semaphore(options.max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._last_sweep = float("-inf")
        self.interrupted = 0

    def wake(self) -> None:
        """New messages were stored: look now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Send until `stop`; start-up first reports what the last sender left in flight."""
        await self._sweep(at_start=True)
        while not self._stopping:
            try:
                await self.step()
            except Exception:  # a database hiccup must not end sending for good
                log.exception("outbox step failed")
                await self._sleep(1.0)

    async def stop(self) -> None:
        """Stop claiming; let messages in flight finish so none is left `sending`."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def step(self) -> bool:
        """Claim and start sending one message when its slot comes; False when idle."""
        wait = self.pacer.next_slot() - self._clock()
        if wait > 0:
            await self._sleep(wait)
            return True
        await self._slots.acquire()
        claimed = await self._claim()
        if claimed is None:
            self._slots.release()
            await self._idle()
            return False
        # A reply may have taken the place while the claim ran: wait for the next one.
        while (late := self.pacer.next_slot() - self._clock()) > 0:
            await self._sleep(late)
        self.pacer.take(claimed.chat_id, self._clock())
        task = asyncio.create_task(self._send(claimed))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def flush(self, limit: int | None = None) -> int:
        """Send due messages one after another without pacing, up to `limit`; how many were
        tried. For the console and tests, where no Telegram limits apply."""
        tried = 0
        while limit is None or tried < limit:
            claimed = await self._claim(paced=False)
            if claimed is None:
                break
            await self._slots.acquire()
            await self._send(claimed)
            tried += 1
        return tried

    async def drain(self) -> None:
        """Wait for the messages in flight (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _claim(self, paced: bool = True) -> ClaimedMessage | None:
        """The next message due, turned `sending`; unpaced, no chat has to wait its turn."""
        now, mono = self._wall(), self._clock()

        def chat_ready(chat_id: int) -> datetime | None:
            ready = self.pacer.chat_ready_at(chat_id) if paced else 0.0
            return now + timedelta(seconds=ready - mono) if ready > mono else None

        async with self._sessions() as session:
            outbox = SqlOutboxRepository(session)
            claimed = await outbox.claim(now, self._bulk_allowed(now), chat_ready)
            await session.commit()
        return claimed

    def _bulk_allowed(self, now: datetime) -> bool:
        return not self.options.quiet.contains(now, self.options.zone)

    async def _idle(self) -> None:
        await self._sweep(at_start=False)
        now = self._wall()
        async with self._sessions() as session:
            due = await SqlOutboxRepository(session).next_due(self._bulk_allowed(now))
        wait = IDLE_POLL if due is None else (due - now).total_seconds()
        if not self._bulk_allowed(now):
            quiet_ends = self.options.quiet.ends_after(now, self.options.zone)
            wait = min(wait, (quiet_ends - now).total_seconds())
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=min(max(wait, 0.01), IDLE_POLL))

    async def _sweep(self, at_start: bool) -> None:
        """Fail, as interrupted, messages left `sending` by a sender that died."""
        stale = self.options.stale_after
        if (stale is None and not at_start) or self._clock() - self._last_sweep < 60.0:
            return
        self._last_sweep = self._clock()
        now = self._wall()
        async with self._sessions() as session:
            found = await SqlOutboxRepository(session).interrupt(now - (stale or timedelta()), now)
            await session.commit()
        if found:
            self.interrupted += found
            log.warning("%d outbox message(s) were in flight when a sender stopped", found)

    async def _send(self, message: ClaimedMessage) -> None:
        try:
            call = SendMessage(
                chat_id=message.chat_id,
                text=message.text,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            try:
                result = await self._bot(call)
            except AiogramError as error:
                await self._failed(message, failed_call(error))
                return
            await self._record(lambda o, now: o.mark_sent(message.id, result.message_id, now))
        finally:
            self._slots.release()

    async def _failed(self, message: ClaimedMessage, call: FailedCall) -> None:
        if call.failure is Failure.FLOOD:
            self.pacer.on_flood(message.chat_id, call.retry_after, self._clock())
        attempts = message.attempts + 1
        step = after_failure(
            call.failure,
            call.reason,
            attempts,
            self._wall(),
            self.options.policy,
            call.retry_after,
        )

        async def write(outbox: SqlOutboxRepository, now: datetime) -> None:
            await outbox.mark_failed(message.id, step, now)
            if call.failure is Failure.UNREACHABLE:
                await SqlUserRepository(outbox.session).set_unreachable(message.chat_id, now)

        await self._record(write)
        if step.retry_at is not None:
            self._wake.set()

    async def _record(
        self, write: Callable[[SqlOutboxRepository, datetime], Awaitable[None]]
    ) -> None:
        # If this fails the message stays `sending` and is reported later: never resent.
        async with self._sessions() as session:
            await write(SqlOutboxRepository(session), self._wall())
            await session.commit()
