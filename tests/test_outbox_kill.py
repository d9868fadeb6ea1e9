"""A real `hoctap run` killed with SIGKILL half-way through a broadcast of 1,000, then
started again: each recipient gets the message at most once, and all but at most the one in
flight exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.broadcasts import AudienceSpec, Group
from bot.domain.outbox import FAIL_INTERRUPTED, OutboxState, OutgoingMessage
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.outbox_models import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.fake_bot_api import FakeBotAPI
from tests.test_e2e import Harness

RECIPIENTS = 1000
FIRST = 900_000_001
KILL_AFTER = 400  # delivered messages before the kill


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with FakeBotAPI() as api:
        api.set_faults(rate_limit_global=30, rate_limit_per_chat=1)
        running = Harness(api, tmp_path)
        running.settings |= {"SEND_RATE": "30", "QUIET_HOURS": "off"}
        try:
            yield running
        finally:
            await running.close()


async def queue_broadcast(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            uow, now = SqlUnitOfWork(session), datetime.now(UTC)
            spec = AudienceSpec("00001", Group.FAMILIES, year=2026)
            broadcast = await uow.broadcasts.add(spec, 1, "Họp thôn tối nay", RECIPIENTS, now)
            messages = [
                OutgoingMessage(FIRST + n, f"Họp thôn tối nay ({n})", broadcast_id=broadcast)
                for n in range(RECIPIENTS)
            ]
            await uow.outbox.add_many(messages, now)
            await session.commit()
    finally:
        await engine.dispose()


async def states(url: str) -> dict[tuple[str, str | None], int]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.execute(
                select(OutboxRow.state, OutboxRow.reason, func.count()).group_by(
                    OutboxRow.state, OutboxRow.reason
                )
            )
            return {(state, reason): n for state, reason, n in rows}
    finally:
        await engine.dispose()


async def wait_until(harness: Harness, delivered: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while sum(harness.api.delivered_counts().values()) < delivered:
        if loop.time() > deadline:
            harness.fail(f"fewer than {delivered} messages delivered in {timeout:.0f}s")
        await asyncio.sleep(0.05)


async def test_killed_half_way_the_broadcast_finishes_without_duplicates(
    harness: Harness,
) -> None:
    url = harness.settings["DATABASE_URL"]
    await queue_broadcast(url)

    first = await harness.start()
    await wait_until(harness, KILL_AFTER, timeout=90)
    first.process.kill()  # SIGKILL: no shutdown code runs
    await first.process.wait()
    first.stopping = True
    at_kill = sum(harness.api.delivered_counts().values())
    assert at_kill < RECIPIENTS, "the broadcast ended before the kill"

    await harness.start()
    await wait_until(harness, RECIPIENTS - 1, timeout=120)
    for _ in range(100):  # the last outcomes are written just after the calls
        unfinished = (OutboxState.SENDING, OutboxState.QUEUED)
        if not any(state in unfinished for state, _ in await states(url)):
            break
        await asyncio.sleep(0.1)

    delivered = harness.api.delivered_counts()
    assert max(delivered.values()) == 1, "a recipient got the message twice"
    missing = RECIPIENTS - len(delivered)
    assert missing <= 1
    found = await states(url)
    interrupted = found.get((OutboxState.FAILED, FAIL_INTERRUPTED), 0)
    assert found.get((OutboxState.SENT, None), 0) + interrupted == RECIPIENTS
    assert interrupted <= 1
    assert missing <= interrupted
