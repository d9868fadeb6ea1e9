"""`python -m tests.bench broadcast [--recipients N] [--interactive-rate R]`: a broadcast under
Telegram's limits while users keep talking to the bot.

N bulk outbox rows (3,000) to distinct chats on a temp-file SQLite, sent by the real
`OutboxSender` at 30/s over real HTTP to the in-process fake Bot API, which allows 30 sending
calls per sliding second overall and one per chat, and refuses 2% of the broadcast's calls at
random with a 429 (seeded; not the replies: one refused with retry_after=1 takes a second
whatever the bot does, so it would measure the fault, not the bot). Meanwhile R users a
second (2.0) send /help through the real dispatcher, on the
interactive bot of `create_bot`, sharing the sender's pacer; each update is timed from feed to
handler completion (its reply sent). The floor is the fake's own limit: `ratio` is the
accepted sending calls a second (broadcast and replies) over the broadcast's span, divided
by 30. Every recipient must get exactly one message (`duplicates`, `lost`). The last line
printed is one JSON object.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Message, Update, User
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.config import Settings
from bot.delivery.pacing import Pacer
from bot.delivery.running import sender_bot
from bot.delivery.sender import OutboxSender, SenderOptions
from bot.domain.outbox import OutboxState, OutgoingMessage
from bot.i18n import create_i18n
from bot.runner import api_server, create_bot
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.outbox_models import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.bench.registration import percentile
from tests.fake_bot_api import FakeBotAPI

LIMIT = 30
TOKEN = "123456:BROADCAST"
FIRST_RECIPIENT = 6_000_000
FIRST_TALKER = 6_900_000
TALKERS = 40  # distinct users in the interactive stream: each writes every 20 s at 2/s
RANDOM_429 = {"probability": 0.02, "retry_after": 1, "seed": 7}
SENDING = ("send", "copy", "forward", "edit")
JSON_KEYS = (
    "achieved_per_s",
    "limit_per_s",
    "ratio",
    "duplicates",
    "lost",
    "interactive_p99_ms",
    "interactive_p50_ms",
    "interactive_n",
    "sent",
    "refused_429",
    "seconds",
    "refused_random",
    "refused_global",
    "global_pauses",
    "paused_s",
    "tail_s",
)
Factory = async_sessionmaker[AsyncSession]


class CountingPacer(Pacer):
    """The sender's pacer, also counting the global pauses its 429 inference orders."""

    def __init__(self, rate: float) -> None:
        super().__init__(rate)
        self.pauses = 0
        self.paused_s = 0.0

    def on_flood(self, chat_id: int, retry_after: float, now: float) -> bool:
        before = max(self._paused_until, now)
        paused = super().on_flood(chat_id, retry_after, now)
        if paused:
            self.pauses += 1
            self.paused_s += max(0.0, self._paused_until - before)
        return paused


def help_update(update_id: int, user_id: int) -> Update:
    user = User(id=user_id, is_bot=False, first_name="U", language_code="vi")
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        text="/help",
        chat=Chat(id=user_id, type="private"),
        from_user=user,
    )
    return Update(update_id=update_id, message=message)


async def talk(dp: Dispatcher, bot: Bot, rate: float, done: asyncio.Event) -> list[float]:
    """Feed /help from the talkers at `rate` a second until `done`; each latency in ms."""
    latencies: list[float] = []

    async def one(update: Update) -> None:
        started = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append((time.perf_counter() - started) * 1000)

    tasks: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()
    start, fed = loop.time(), 0
    while not done.is_set():
        fed += 1
        task = asyncio.create_task(one(help_update(fed, FIRST_TALKER + fed % TALKERS)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), max(0.0, start + fed / rate - loop.time()))
    await asyncio.gather(*tasks)
    return latencies


async def open_rows(factory: Factory) -> int:
    async with factory() as session:
        pending = (OutboxState.QUEUED, OutboxState.SENDING)
        count = select(func.count()).where(OutboxRow.state.in_(pending))
        return int(await session.scalar(count) or 0)


async def until_sent(factory: Factory, deadline: float) -> None:
    while time.monotonic() < deadline:
        if not await open_rows(factory):
            return
        await asyncio.sleep(0.25)


async def states(factory: Factory) -> dict[int, str]:
    async with factory() as session:
        rows = await session.execute(select(OutboxRow.chat_id, OutboxRow.state))
        return {chat: str(state) for chat, state in rows}


async def broadcast(
    factory: Factory, api: FakeBotAPI, recipients: int, rate: float
) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        database_url="sqlite+aiosqlite:///unused.db",
        telegram_api_base=api.base_url,
        send_rate=LIMIT,
        quiet_hours="off",
    )
    pacer = CountingPacer(settings.send_rate)
    options = SenderOptions(rate=settings.send_rate, quiet=settings.quiet, zone=settings.zone)
    outbox_bot = sender_bot(settings, api_server(settings))
    sender = OutboxSender(factory, outbox_bot, options, pacer)
    bot = create_bot(settings, pacer)
    dp = build_dispatcher(settings, factory, create_i18n("vi"))
    done = asyncio.Event()
    started = time.monotonic()
    sending = asyncio.create_task(sender.run())
    talking = asyncio.create_task(talk(dp, bot, rate, done)) if rate > 0 else None
    await until_sent(factory, started + 60 + 4 * recipients / LIMIT)
    done.set()
    latencies = await talking if talking else []
    await sender.stop()
    sending.cancel()
    seconds = time.monotonic() - started
    await bot.session.close()
    await outbox_bot.session.close()
    return {
        "latencies": latencies,
        "seconds": round(seconds, 1),
        "pauses": pacer.pauses,
        "paused_s": round(pacer.paused_s, 1),
    }


def refusals(requests: list[dict[str, Any]], recipients: set[str]) -> Counter[str]:
    """429s by cause: the seeded random draw (replayed: one per sending call, in arrival
    order), one chat written to within the second, else the global window."""
    rng = random.Random(RANDOM_429["seed"])
    last_accepted: dict[str, float] = {}
    causes: Counter[str] = Counter()
    for entry in requests:
        if not entry["method"].startswith(SENDING):
            continue
        chat = str(entry["params"].get("chat_id"))
        drawn = chat in recipients and rng.random() < RANDOM_429["probability"]
        if entry.get("fault") != "429":
            last_accepted[chat] = entry["at"]
        elif drawn:
            causes["random"] += 1
        elif entry["at"] - last_accepted.get(chat, float("-inf")) < 1.0:
            causes["per_chat"] += 1
        else:
            causes["global"] += 1
    return causes


def figures_of(
    api: FakeBotAPI, rows: dict[int, str], recipients: int, run: dict[str, Any]
) -> dict[str, Any]:
    requests = api.requests
    accepted = [e for e in requests if e["method"].startswith(SENDING) and "fault" not in e]
    chats = range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients)
    wanted = {str(chat) for chat in chats}
    bulk = sorted(e["at"] for e in accepted if str(e["params"].get("chat_id")) in wanted)
    first, last = (bulk[0], bulk[-1]) if bulk else (0.0, 0.0)
    span = max(last - first, 1e-9)
    achieved = sum(1 for e in accepted if first <= e["at"] <= last) / span
    delivered = api.delivered_counts()
    latencies = run["latencies"]
    causes = refusals(requests, wanted)
    talkers = [e for e in requests if int(e["params"].get("chat_id", 0)) >= FIRST_TALKER]
    return {
        "achieved_per_s": round(achieved, 2),
        "limit_per_s": LIMIT,
        "ratio": round(achieved / LIMIT, 3),
        "duplicates": sum(1 for chat in wanted if delivered[chat] > 1),
        "lost": sum(1 for c in chats if rows.get(c) != "sent" or not delivered[str(c)]),
        "interactive_p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "interactive_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "interactive_n": len(latencies),
        "sent": sum(1 for state in rows.values() if state == "sent"),
        "refused_429": sum(1 for e in requests if e.get("fault") == "429"),
        "refused_random": causes["random"],
        "refused_global": causes["global"],
        "refused_per_chat": causes["per_chat"],
        "replies_refused": sum(1 for e in talkers if e.get("fault") == "429"),
        "global_pauses": run["pauses"],
        "paused_s": run["paused_s"],
        "broadcast_span_s": round(span, 1),
        # after 99% of the recipients had their message: the retries of late refusals
        "tail_s": round(last - percentile(bulk, 0.99), 1) if bulk else 0.0,
        "seconds": run["seconds"],
        "recipients": recipients,
    }


async def bench_broadcast(
    recipients: int, interactive_rate: float = 2.0, folder: Path | None = None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        path = (folder or Path(scratch)) / "broadcast.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        factory = create_session_factory(engine)
        chats = range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients)
        messages = [OutgoingMessage(chat, f"Thông báo của xã số {chat}") for chat in chats]
        async with factory() as session:
            await SqlUnitOfWork(session).outbox.add_many(messages, datetime.now(UTC))
            await session.commit()
        async with FakeBotAPI() as api:
            # The random 429s hit the broadcast's messages: a reply refused with retry_after=1
            # takes a second whatever the bot does. Replies still meet the real limits.
            injected = RANDOM_429 | {"chats": list(chats)}
            api.set_faults(rate_limit_global=LIMIT, rate_limit_per_chat=1, random_429=injected)
            run = await broadcast(factory, api, recipients, interactive_rate)
            figures = figures_of(api, await states(factory), recipients, run)
        await engine.dispose()
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    """Human lines, then the JSON line (last)."""
    return [
        f"{figures['recipients']:,} recipients, {figures['sent']:,} sent in "
        f"{figures['broadcast_span_s']} s ({figures['seconds']} s in all); "
        f"duplicates {figures['duplicates']}, lost {figures['lost']} (targets 0)",
        f"accepted sending calls over the broadcast: {figures['achieved_per_s']}/s = "
        f"{figures['ratio']} x the fake's limit of {figures['limit_per_s']}/s (target >= 0.95)",
        f"429 answers: {figures['refused_429']} (random {figures['refused_random']}, global "
        f"window {figures['refused_global']}, per chat {figures['refused_per_chat']}; replies "
        f"{figures['replies_refused']}); global pauses {figures['global_pauses']}, "
        f"{figures['paused_s']} s paused; the last 1% of recipients took {figures['tail_s']} s",
        f"interactive /help: {figures['interactive_n']} updates, p50 "
        f"{figures['interactive_p50_ms']} ms, p99 {figures['interactive_p99_ms']} ms "
        f"(target <= 1000 ms)",
        json.dumps({key: figures[key] for key in JSON_KEYS}),
    ]


def main(recipients: int, interactive_rate: float) -> int:
    logging.getLogger("hoctap.delivery").setLevel(logging.ERROR)  # one line per 429 otherwise
    figures = asyncio.run(bench_broadcast(recipients, interactive_rate))
    print("\n".join(report(figures)))
    return 0 if figures["duplicates"] == figures["lost"] == 0 else 1
