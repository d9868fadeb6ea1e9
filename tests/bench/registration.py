"""`python -m tests.bench registration [--n N]`: families register and self-assess.

N simulated users (distinct Telegram ids) each go from /start through consent, the place,
the registration questions and the pledge to their household code, then answer every
self-assessment question (best answers) and submit, through the real dispatcher on a
temp-file SQLite with the persistent FSM storage. The floor is aiogram-dialog itself: dialogs
of the same shape (windows, widget kinds and ids) on MemoryStorage, without database, i18n or
services, fed the same updates in the same run. The last line printed is one JSON object.

Users go one after another by default. `--concurrency K` interleaves K of them on the loop, as
polling does; with the SQLite FSM storage that currently stalls (see `storage/fsm_sqlite.py`:
its blocking BEGIN IMMEDIATE waits for an aiosqlite write that cannot finish meanwhile) and
fails with "database is locked" after the busy timeout.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Message, Update, User
from aiogram_dialog.test_tools import BotClient
from aiogram_dialog.test_tools.keyboard import InlineButtonDataLocator
from aiogram_dialog.utils import CB_SEP
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import dialog_ids
from bot.app import build_dispatcher
from bot.config import Settings
from bot.criteria_files import shipped_criteria
from bot.domain.criteria import parse_criteria_set
from bot.domain.criteria_model import Kind
from bot.domain.status import Status
from bot.i18n import create_i18n
from bot.services.areas import import_areas
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.bench.registration_floor import floor_dispatcher
from tests.fakes import ReplyKeyboardMessageManager, recording_bot

FIRST_USER_ID = 5_000_000
# parent code -> its children (code, name): one province, a commune with hamlets, and one more
AREA_TREE: dict[str | None, list[tuple[str, str]]] = {
    None: [("P", "Tỉnh Thử")],
    "P": [("C1", "Xã Đông Hòa"), ("C2", "Xã Tân Lập")],
    "C1": [("H1", "Thôn Đông"), ("H2", "Thôn Đoài"), ("H3", "Thôn Thượng")],
}
LEVELS = {None: "province", "P": "commune", "C1": "hamlet"}
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")


def areas_csv() -> str:
    rows = [
        f"{code},{name},{LEVELS[parent]},{parent or ''}"
        for parent, children in AREA_TREE.items()
        for code, name in children
    ]
    return "\n".join(["code,name,level,parent_code", *rows]) + "\n"


@dataclass(frozen=True)
class Question:
    """One self-assessment question: its kind, answer item ids, and the best answer's clicks."""

    kind: str
    options: tuple[str, ...]
    clicks: tuple[str, ...]


def family_questions() -> list[Question]:
    """The shipped "Learning family" criteria, as the buttons that answer them best."""
    criteria, _ = parse_criteria_set(shipped_criteria()["gia_dinh"])
    assert criteria is not None
    questions = []
    for indicator in criteria.indicators():
        scoring: Any = indicator.scoring
        if indicator.kind == Kind.YES_NO:
            questions.append(Question("yes_no", ("yes", "no"), ("answer:yes",)))
        elif indicator.kind == Kind.LEVEL:
            best = max(scoring.options, key=lambda option: option.points)
            ids = tuple(option.id for option in scoring.options)
            questions.append(Question("level", ids, (f"answer:{best.id}",)))
        else:  # two of two children: a count, then the part of it
            questions.append(Question("ratio", (), ("num:2", "num:2")))
    return questions


# A step is ("send", text) or ("click", the callback data of a button after its intent id).
Step = tuple[str, str]


def journey(index: int, questions: Sequence[Question]) -> list[Step]:
    """What user number `index` sends and presses, from /start to a submitted self-assessment."""
    hamlet = AREA_TREE["C1"][index % len(AREA_TREE["C1"])][0]
    steps: list[Step] = [
        ("send", "/start"),
        *(("click", data) for data in ("register", "agree", "choose", "choice:C1")),
        ("click", f"choice:{hamlet}"),
        ("click", "save"),
        ("send", NAMES[index % len(NAMES)]),
        ("send", f"09{index % 10**8:08d}"),  # unique in the hamlet
        *(("click", data) for data in ("n:4", "n:2", "commitment:school", "pledged")),
        *(("click", data) for data in ("confirm", "__cancel__", "assess")),
    ]
    steps += [("click", data) for question in questions for data in question.clicks]
    return [*steps, ("click", "submit")]


class ChatMessageManager(ReplyKeyboardMessageManager):
    """The test message manager keeping only each chat's last window, so that thousands of
    chats can run side by side without a growing history."""

    def __init__(self) -> None:
        super().__init__()
        self.last: dict[int, Message] = {}

    async def show_message(self, bot: Bot, new_message: Any, old_message: Any) -> Any:
        shown = await super().show_message(bot, new_message, old_message)
        self.last[new_message.chat.id] = self.sent_messages.pop()
        return shown

    async def remove_kbd(self, bot: Bot, show_mode: Any, old_message: Any) -> Message | None:
        removed = await super().remove_kbd(bot, show_mode, old_message)
        self.sent_messages.clear()
        return removed

    async def answer_callback(self, bot: Bot, callback_query: CallbackQuery) -> None:
        return None


class TimedFeed:
    """Stands for the Dispatcher in `BotClient`: times every `feed_update`."""

    def __init__(self, dp: Dispatcher) -> None:
        self.dp = dp
        self.seconds: list[float] = []

    async def feed_update(self, bot: Bot, update: Update) -> Any:
        started = time.perf_counter()
        try:
            return await self.dp.feed_update(bot, update)
        finally:
            self.seconds.append(time.perf_counter() - started)


@dataclass(frozen=True)
class Run:
    updates: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


async def _walk(
    feed: TimedFeed, bot: Bot, manager: ChatMessageManager, user_id: int, steps: Sequence[Step]
) -> None:
    client = BotClient(feed, user_id=user_id, chat_id=user_id, bot=bot)  # type: ignore[arg-type]
    client.user = User(id=user_id, is_bot=False, first_name="Gia đình", language_code="vi")
    for kind, value in steps:
        if kind == "send":
            await client.send(value)
            continue
        locator = InlineButtonDataLocator(f"[^{CB_SEP}]*{CB_SEP}{re.escape(value)}")
        await client.click(manager.last[user_id], locator)


async def run_users(
    dp: Dispatcher, manager: ChatMessageManager, journeys: Sequence[list[Step]], concurrency: int
) -> Run:
    """Every journey through `dp`, `concurrency` users at a time; the clock is on the whole."""
    bot, _ = recording_bot()
    feed = TimedFeed(dp)
    users: Iterator[int] = iter(range(len(journeys)))

    async def worker() -> None:
        for index in users:  # shared: each worker takes the next user waiting
            await _walk(feed, bot, manager, FIRST_USER_ID + index, journeys[index])

    dialog_ids.install()  # as build_dispatcher does; the floor must not lose users to it either
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    await bot.session.close()
    return Run(len(feed.seconds), seconds, feed.seconds)


class StatementCount:
    """Counts the statements the engine sends, from now until `stop`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self._engine = engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def stop(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of `values` (share from 0 to 1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


async def _prepare(folder: Path) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await upgrade(engine)
    session_factory = create_session_factory(engine)
    async with session_factory() as session:
        report = await import_areas(SqlUnitOfWork(session), areas_csv())
    assert report.ok, report.errors
    return engine, session_factory


async def submitted_count(session_factory: async_sessionmaker[AsyncSession], users: int) -> int:
    """How many of the simulated users' households have submitted their self-assessment."""
    count = 0
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        for index in range(users):
            household = await uow.households.of_user(FIRST_USER_ID + index)
            registrations = await uow.registrations.of_household(household.id) if household else []
            count += any(r.status == Status.SELF_ASSESSED for r in registrations)
    return count


async def bench_registration(
    n: int, *, concurrency: int = 1, folder: Path | None = None
) -> dict[str, Any]:
    """Run `n` users through the floor, then through the bot; figures of both.

    `folder` keeps the database (for a test to look into); by default a temporary one."""
    if folder is None:
        with tempfile.TemporaryDirectory() as temporary:
            return await bench_registration(n, concurrency=concurrency, folder=Path(temporary))
    questions = family_questions()
    journeys = [journey(index, questions) for index in range(n)]
    floor_manager = ChatMessageManager()
    floor = await run_users(
        floor_dispatcher(AREA_TREE, questions, floor_manager),
        floor_manager,
        journeys,
        concurrency,
    )
    engine, session_factory = await _prepare(folder)
    settings = Settings(database_url="sqlite+aiosqlite:///unused.db", redis_url=None)
    manager = ChatMessageManager()
    dp = build_dispatcher(settings, session_factory, create_i18n("vi"), message_manager=manager)
    statements = StatementCount(engine)
    try:
        real = await run_users(dp, manager, journeys, concurrency)
        statements.stop()
        submitted = await submitted_count(session_factory, n)
    finally:
        await dp.storage.close()
        await engine.dispose()
    return {
        "updates_per_s": round(real.rate, 1),
        "floor_updates_per_s": round(floor.rate, 1),
        "ratio": round(real.rate / floor.rate, 3),
        "p50_ms": round(percentile(real.latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(real.latencies, 0.99) * 1000, 2),
        "users": n,
        "updates": real.updates,
        "floor_updates": floor.updates,
        "floor_p50_ms": round(percentile(floor.latencies, 0.50) * 1000, 2),
        "seconds": round(real.seconds, 1),
        "floor_seconds": round(floor.seconds, 1),
        "submitted": submitted,
        "concurrency": concurrency,
        "sql_per_update": round(statements.count / max(1, real.updates), 2),
    }


JSON_KEYS = (
    "updates_per_s",
    "floor_updates_per_s",
    "ratio",
    "p50_ms",
    "p99_ms",
    "users",
    "updates",
    "sql_per_update",
)


def report(figures: dict[str, Any]) -> list[str]:
    """Human lines, then the JSON line (last)."""
    per_user = figures["updates"] // max(1, figures["users"])
    return [
        f"{figures['users']} families x {per_user} updates (registration + self-assessment), "
        f"{figures['concurrency']} at a time",
        f"floor: same dialog shape, MemoryStorage, no DB: {figures['floor_updates_per_s']:,.0f} "
        f"updates/s ({figures['floor_seconds']} s, p50 {figures['floor_p50_ms']} ms)",
        f"bot: real dispatcher, SQLite + SQLite FSM: {figures['updates_per_s']:,.0f} updates/s "
        f"({figures['seconds']} s, p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms) "
        f"= {figures['ratio']:.3f} x floor (target >= 0.5)",
        f"self-assessments submitted: {figures['submitted']}/{figures['users']}",
        f"SQL statements per update (dialog state not counted): {figures['sql_per_update']}",
        json.dumps({key: figures[key] for key in JSON_KEYS}),
    ]


def main(n: int, concurrency: int) -> int:
    figures = asyncio.run(bench_registration(n, concurrency=concurrency))
    print("\n".join(report(figures)))
    return 0 if figures["submitted"] == n and figures["floor_updates"] == figures["updates"] else 1
