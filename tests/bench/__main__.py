"""`python -m tests.bench updates [--n N]`: updates/s of the real dispatcher vs bare aiogram.

`python -m tests.bench registration [--n N]`: see tests/bench/registration.py.

`python -m tests.bench hamlet [--households N]`: see tests/bench/hamlet.py.

`python -m tests.bench broadcast [--recipients N] [--interactive-rate R]`: see
tests/bench/broadcast.py.

The floor is an aiogram echo handler fed the same kind of updates through `feed_update` in the
same process and run; the bot's figures are reported as ratios to it, so machines compare.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Dispatcher
from aiogram.types import Chat, Message, Update, User

from bot.app import build_dispatcher
from bot.config import Settings
from bot.i18n import create_i18n
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from tests.bench import broadcast, hamlet, registration, stats
from tests.fakes import recording_bot


def _update(update_id: int, user_id: int, text: str) -> Update:
    user = User(id=user_id, is_bot=False, first_name="U", language_code="vi")
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        text=text,
        chat=Chat(id=user_id, type="private"),
        from_user=user,
    )
    return Update(update_id=update_id, message=message)


async def _rate(feed: Callable[[Update], Awaitable[object]], n: int, text: str) -> float:
    updates = [_update(i, 10_000 + i % 50, text) for i in range(n)]
    started = time.perf_counter()
    for update in updates:
        await feed(update)
    return n / (time.perf_counter() - started)


async def bench_updates(n: int, repeats: int) -> dict[str, float]:
    bot, _ = recording_bot()
    floor_dp = Dispatcher()

    @floor_dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await upgrade(engine)
        settings = Settings(database_url="sqlite+aiosqlite:///unused.db")
        dp = build_dispatcher(settings, create_session_factory(engine), create_i18n("vi"))
        results: dict[str, list[float]] = {"floor": [], "start": [], "help": []}
        for _ in range(repeats):
            results["floor"].append(await _rate(lambda u: floor_dp.feed_update(bot, u), n, "hi"))
            results["start"].append(await _rate(lambda u: dp.feed_update(bot, u), n, "/start"))
            results["help"].append(await _rate(lambda u: dp.feed_update(bot, u), n, "/help"))
        await engine.dispose()
    return {name: statistics.median(values) for name, values in results.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument(
        "name", choices=["updates", "registration", "hamlet", "stats", "broadcast"]
    )
    parser.add_argument(
        "--n",
        type=int,
        help="updates per measurement (400); registration: users (2000); hamlet: calls (300)",
    )
    parser.add_argument("--households", type=int, default=2000, help="hamlet: its households")
    parser.add_argument(
        "--households-total", type=int, default=1_000_000, help="stats: households in all"
    )
    parser.add_argument("--communes", type=int, default=300, help="stats: communes")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--recipients", type=int, default=3000, help="broadcast: recipients")
    parser.add_argument(
        "--interactive-rate", type=float, default=2.0, help="broadcast: /help updates a second"
    )
    parser.add_argument("--concurrency", type=int, default=1, help="registration: users at once")
    args = parser.parse_args(argv)
    if args.name == "registration":
        return registration.main(args.n or 2000, args.concurrency)
    if args.name == "hamlet":
        return hamlet.main(args.households, args.n or 300)
    if args.name == "broadcast":
        return broadcast.main(args.recipients, args.interactive_rate)
    if args.name == "stats":
        return stats.main(args.households_total, args.communes, args.n or 5)
    args.n = args.n or 400
    rates = asyncio.run(bench_updates(args.n, args.repeats))
    floor = rates["floor"]
    print(f"floor: bare aiogram echo via feed_update: {floor:,.0f} updates/s (median)")
    for name, label in (
        ("help", "/help (plain handler, user lookup, SQLite)"),
        ("start", "/start (menu dialog, SQL FSM state, SQLite)"),
    ):
        print(f"{label}: {rates[name]:,.0f} updates/s = {rates[name] / floor:.3f} × floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
