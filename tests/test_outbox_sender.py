"""The outbox sender over real HTTP against the fake Bot API: every message accounted for,
none sent twice, whatever Telegram answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.progress import BroadcastReporter
from bot.delivery.sender import OutboxSender, SenderOptions
from bot.domain.broadcasts import AudienceSpec, Group
from bot.domain.outbox import (
    FAIL_INTERRUPTED,
    SKIP_MUTED,
    SKIP_UNREACHABLE,
    OutboxState,
    OutgoingMessage,
    Priority,
    QuietHours,
    RetryPolicy,
    parse_quiet_hours,
)
from bot.domain.users import User
from bot.i18n import create_i18n
from storage.db import create_engine, create_session_factory
from storage.models import UserRow
from storage.outbox_models import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.fake_bot_api import FakeBotAPI

Factory = async_sessionmaker[AsyncSession]
TOKEN = "123456:OUTBOX"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NEVER_QUIET = parse_quiet_hours("off")
FAST = RetryPolicy(max_attempts=3, backoff_base=0.05, backoff_cap=0.2)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    created = Bot(TOKEN, session=session)
    yield created
    await created.session.close()


def sender_for(
    session_factory: Factory,
    bot: Bot,
    rate: float = 200.0,
    wall: Callable[[], datetime] | None = None,
    **options: Any,
) -> OutboxSender:
    options.setdefault("quiet", NEVER_QUIET)  # tests run at any hour
    options.setdefault("policy", FAST)
    chosen = SenderOptions(rate=rate, zone=ZONE, **options)
    return OutboxSender(session_factory, bot, chosen, wall=wall or (lambda: datetime.now(UTC)))


async def store(
    session_factory: Factory, *messages: OutgoingMessage, at: datetime | None = None
) -> None:
    async with session_factory() as session:
        await SqlUnitOfWork(session).outbox.add_many(messages, at or datetime.now(UTC))
        await session.commit()


async def rows(session_factory: Factory) -> list[OutboxRow]:
    async with session_factory() as session:
        return list(await session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


async def run_until_done(sender: OutboxSender, session_factory: Factory) -> list[OutboxRow]:
    """Run the sender until no message is queued or in flight (at most 60 s)."""
    task = asyncio.create_task(sender.run())
    try:
        for _ in range(1200):
            found = await rows(session_factory)
            if all(row.state not in (OutboxState.QUEUED, OutboxState.SENDING) for row in found):
                return found
            await asyncio.sleep(0.05)
        raise AssertionError("the outbox did not empty in 60 s")
    finally:
        await sender.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def bulk(chat_id: int, text: str = "Xin chào") -> OutgoingMessage:
    return OutgoingMessage(chat_id, text)


async def test_every_message_accounted_for_under_faults(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    """Telegram's limits enforced, random 429s, blocked users and 5xx: each recipient gets
    its message once, or the row says why not."""
    chats = list(range(5001, 5081))
    blocked = {5003, 5040}
    api.set_faults(
        rate_limit_global=30,
        rate_limit_per_chat=1,
        random_429={"probability": 0.05, "retry_after": 1, "seed": 3},
        forbidden_chats=sorted(blocked),
        force_5xx={"count": 3, "status": 502},
    )
    await store(session_factory, *(bulk(chat) for chat in chats))
    done = await run_until_done(sender_for(session_factory, bot, rate=30), session_factory)

    delivered = api.delivered_counts()
    assert max(delivered.values()) == 1
    assert set(delivered) == {str(chat) for chat in chats if chat not in blocked}
    by_chat = {row.chat_id: row for row in done}
    assert {c for c, r in by_chat.items() if r.state == OutboxState.SENT} == set(chats) - blocked
    assert all(by_chat[c].state == OutboxState.SKIPPED for c in blocked)
    assert all(by_chat[c].reason == SKIP_UNREACHABLE for c in blocked)
    assert all(row.message_id for row in done if row.state == OutboxState.SENT)


async def test_blocked_users_are_marked_and_skipped_afterwards(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    async with session_factory() as session:
        await SqlUnitOfWork(session).users.add(User(id=6001), datetime.now(UTC))
        await session.commit()
    api.set_faults(forbidden_chats=[6001])
    await store(session_factory, bulk(6001, "one"))
    await run_until_done(sender_for(session_factory, bot), session_factory)
    async with session_factory() as session:
        assert (await SqlUnitOfWork(session).users.get(6001)).unreachable  # type: ignore[union-attr]

    api.reset()
    await store(session_factory, bulk(6001, "two"))
    done = await run_until_done(sender_for(session_factory, bot), session_factory)
    assert (done[-1].state, done[-1].reason) == (OutboxState.SKIPPED, SKIP_UNREACHABLE)
    assert api.delivered_counts() == {}  # not even tried


async def test_stopped_users_get_no_bulk_but_still_their_own_news(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        await uow.users.add(User(id=6101), datetime.now(UTC))
        await uow.users.set_muted(6101, datetime.now(UTC))
        await session.commit()
    await store(
        session_factory,
        bulk(6101, "broadcast"),
        OutgoingMessage(6101, "your household was verified", Priority.HIGH),
    )
    done = await run_until_done(sender_for(session_factory, bot), session_factory)
    assert [(r.state, r.reason) for r in done] == [
        (OutboxState.SKIPPED, SKIP_MUTED),
        (OutboxState.SENT, None),
    ]
    assert [m["text"] for m in api.sent_messages(6101)] == ["your household was verified"]


async def test_a_message_for_one_user_jumps_the_bulk_queue(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    await store(session_factory, *(bulk(7000 + n) for n in range(40)))
    await store(session_factory, OutgoingMessage(7999, "urgent", Priority.HIGH))
    await run_until_done(sender_for(session_factory, bot, rate=100), session_factory)
    order = [int(m["chat"]["id"]) for m in api.sent_messages()]
    assert len(order) == 41
    assert order.index(7999) <= 1  # at most one bulk message was already claimed


async def test_quiet_hours_hold_bulk_but_not_one_users_messages(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    late = datetime(2026, 11, 23, 22, 30, tzinfo=ZONE).astimezone(UTC)
    await store(session_factory, bulk(7101, "bulk"), at=late)
    await store(session_factory, OutgoingMessage(7102, "reply", Priority.HIGH), at=late)
    sender = sender_for(session_factory, bot, wall=lambda: late, quiet=QuietHours())
    assert await sender.flush() == 1
    await sender.drain()
    assert [m["text"] for m in api.sent_messages()] == ["reply"]
    assert (await rows(session_factory))[0].state == OutboxState.QUEUED

    morning = late + timedelta(hours=9)
    sender = sender_for(session_factory, bot, wall=lambda: morning, quiet=QuietHours())
    assert await sender.flush() == 1
    assert [m["text"] for m in api.sent_messages()] == ["reply", "bulk"]


async def test_a_message_in_flight_at_a_crash_is_reported_not_resent(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    await store(session_factory, bulk(7201, "in flight"), bulk(7202, "waiting"))
    async with session_factory() as session:  # the dead sender had claimed the first
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.chat_id == 7201)
            .values(state=OutboxState.SENDING, sending_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    sender = sender_for(session_factory, bot)
    done = await run_until_done(sender, session_factory)
    assert [(r.chat_id, r.state, r.reason) for r in done] == [
        (7201, OutboxState.FAILED, FAIL_INTERRUPTED),
        (7202, OutboxState.SENT, None),
    ]
    assert api.delivered_counts() == {"7202": 1}
    assert sender.interrupted == 1


async def test_a_dropped_connection_is_not_retried(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    """The request may have reached Telegram: sending again could show it twice."""
    api.set_faults(drop_connection={"count": 1, "method": "sendMessage"})
    await store(session_factory, bulk(7301))
    done = await run_until_done(sender_for(session_factory, bot), session_factory)
    assert done[0].state == OutboxState.FAILED
    sends = [r for r in api.requests if r["method"] == "sendMessage"]
    assert len(sends) == 1


async def test_server_errors_are_retried_then_given_up(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    api.set_faults(force_5xx={"count": 10, "status": 500})
    await store(session_factory, bulk(7401))
    done = await run_until_done(sender_for(session_factory, bot), session_factory)
    assert done[0].state == OutboxState.FAILED
    assert done[0].attempts == FAST.max_attempts
    assert "Internal Server Error" in (done[0].reason or "")


async def test_a_flood_waits_exactly_retry_after_then_sends(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    api.set_faults(force_429={"count": 1, "retry_after": 1})
    await store(session_factory, bulk(7501))
    loop = asyncio.get_running_loop()
    started = loop.time()
    done = await run_until_done(sender_for(session_factory, bot), session_factory)
    assert done[0].state == OutboxState.SENT
    sends = [r["at"] for r in api.requests if r["method"] == "sendMessage"]
    assert len(sends) == 2
    assert sends[1] - sends[0] >= 0.99
    assert loop.time() - started < 5


async def test_users_row_is_optional(session_factory: Factory, api: FakeBotAPI, bot: Bot) -> None:
    """A recipient not (or no longer) in users is still sent to."""
    await store(session_factory, bulk(7601))
    async with session_factory() as session:
        assert await session.get(UserRow, 7601) is None
    done = await run_until_done(sender_for(session_factory, bot), session_factory)
    assert done[0].state == OutboxState.SENT


async def test_two_senders_share_the_outbox_without_duplicates(
    migrated_url: str, session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    """Two processes' senders (two engines) claim from one outbox: on PostgreSQL with SKIP
    LOCKED, on SQLite by the claim's own check; each message goes once."""
    other_engine = create_engine(migrated_url)
    try:
        other = sender_for(create_session_factory(other_engine), bot)
        first = sender_for(session_factory, bot)
        await store(session_factory, *(bulk(8000 + n) for n in range(60)))
        task = asyncio.create_task(other.run())
        try:
            done = await run_until_done(first, session_factory)
        finally:
            await other.stop()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        await other_engine.dispose()
    assert all(row.state == OutboxState.SENT for row in done)
    assert sorted(api.delivered_counts().values()) == [1] * 60


async def test_the_progress_message_counts_then_reports(
    session_factory: Factory, api: FakeBotAPI, bot: Bot
) -> None:
    """The officer's message shows the counts with a cancel button while sending, then the
    final report with each failure reason."""
    i18n = create_i18n("en")
    progress = await bot.send_message(9001, "📤 Preparing the broadcast…")
    now = datetime.now(UTC)
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        spec = AudienceSpec("00001", Group.FAMILIES, year=2026)
        broadcast = await uow.broadcasts.add(spec, 9001, "Họp thôn", 4, now)
        await uow.broadcasts.set_report(broadcast, 9001, progress.message_id, "en")
        chats = (9101, 9102, 9103, 9104)
        await uow.outbox.add_many(
            [OutgoingMessage(c, "Họp thôn", broadcast_id=broadcast) for c in chats], now
        )
        await session.commit()
    api.set_faults(forbidden_chats=[9102], force_5xx={"count": 9, "method": "sendMessage"})
    sender = sender_for(session_factory, bot, policy=RetryPolicy(max_attempts=1))
    reporter = BroadcastReporter(session_factory, bot, i18n, ZONE)

    await sender.flush(2)  # 9101 fails with a 5xx (one attempt allowed), 9102 is blocked
    await reporter.tick()
    shown = api.sent_messages(9001)[-1]
    assert shown["text"] == "📤 Sent 0/4 — 1 could not be reached"
    cancel = shown["reply_markup"]["inline_keyboard"][0][0]
    assert cancel == {
        "text": "⏹ Cancel the broadcast",
        "callback_data": f"bcast:cancel:{broadcast}",
    }

    api.reset()
    await sender.flush()
    await reporter.tick()
    edits = [r for r in api.requests if r["method"] == "editMessageText"]
    assert edits[-1]["params"]["text"] == (
        "✅ Broadcast finished.\nSent: 2/4\nCould not be reached: 1\n"
        "Had turned messages off (/stop): 0\nFailed: 1\n• Bad Gateway: 1"
    )
    assert "reply_markup" not in edits[-1]["params"]
    async with session_factory() as session:
        assert (await SqlUnitOfWork(session).broadcasts.get(broadcast)).finished  # type: ignore[union-attr]
