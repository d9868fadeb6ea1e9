"""`python -m tests.bench updates [--n 300] [--families 40] [--rounds 2]`: updates per second
of the whole bot, against floors measured in the same run.

1. In process, on SQLite with the persistent dialog state: N families register and submit a
   self-assessment (tests/bench/registration.py) through the real dispatcher; the floors are
   the same journeys through aiogram-dialog alone (same dialog shapes, memory storage) and as
   many updates through a bare aiogram echo handler.
2. On PostgreSQL and Redis, over HTTP: `hoctap run --workers 1`, then `--workers 2`, behind
   the webhook port, against the fake Bot API on loopback; F families register at once, each
   answering what its screen shows (tests/family_script.py) as soon as it shows. Needs
   HOCTAP_BENCH_DATABASE_URL (a PostgreSQL database the benchmark empties) and
   HOCTAP_BENCH_REDIS_URL (a Redis database it flushes), or the HOCTAP_TEST_* ones; skipped
   without them.

The last line is one JSON object with every figure and ratio, `ratio_full_vs_dialog_floor`
and `ratio_2_vs_1_workers` among them. The driver, the fake Bot API and the workers share
the machine: on 2 cores, two workers compete with the driver for the second core.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Dispatcher
from aiogram.types import Chat, Message, Update, User

from tests.bench import registration
from tests.conftest import migrate, reset_postgres, reset_redis
from tests.fakes import recording_bot
from tests.test_e2e import AREAS_CSV, free_port, message_update

WEBHOOK_SECRET = "bench"
READY_TIMEOUT = 60.0
REPLY_TIMEOUT = 30.0


# --- 1. in process, SQLite ------------------------------------------------------------------


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


async def echo_floor(updates: list[Update]) -> float:
    """Updates/s of a bare aiogram echo handler fed `updates`."""
    bot, _ = recording_bot()
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    started = time.perf_counter()
    for update in updates:
        await dp.feed_update(bot, update)
    return len(updates) / (time.perf_counter() - started)


def echo_updates(n: int) -> list[Update]:
    return [_update(index, 10_000 + index % 50, "xin chào") for index in range(n)]


async def in_process(families: int) -> dict[str, Any]:
    full = await registration.bench_registration(families)
    echo = statistics.median([await echo_floor(echo_updates(full["updates"])) for _ in range(3)])
    return {
        "families": families,
        "updates": full["updates"],
        "full_per_s": full["updates_per_s"],
        "dialog_floor_per_s": full["floor_updates_per_s"],
        "echo_floor_per_s": round(echo, 1),
        "ratio_full_vs_dialog_floor": full["ratio"],
        "ratio_full_vs_echo_floor": round(full["updates_per_s"] / echo, 3),
        "full_p99_ms": full["p99_ms"],
    }


# --- 2. workers over HTTP, PostgreSQL and Redis ----------------------------------------------


def cluster_urls() -> tuple[str, str] | None:
    database = os.environ.get("HOCTAP_BENCH_DATABASE_URL") or os.environ.get(
        "HOCTAP_TEST_DATABASE_URL"
    )
    redis = os.environ.get("HOCTAP_BENCH_REDIS_URL") or os.environ.get("HOCTAP_TEST_REDIS_URL")
    return (database, redis) if database and redis else None


async def one_cluster(workers: int, families: int, rounds: int) -> dict[str, float]:
    """Updates/s of `workers` processes while `families` register at once, `rounds` times."""
    from tests.fake_bot_api import FakeBotAPI

    urls = cluster_urls()
    assert urls is not None
    database, redis = urls
    await reset_postgres(database)
    await migrate(database)
    await reset_redis(redis)
    port = free_port()
    async with FakeBotAPI() as api:
        env = _env(api.base_url, database, redis, port)
        with tempfile.TemporaryDirectory() as folder:
            await _import_areas(Path(folder), env)
            log = Path(folder) / "bot.log"
            process = await _start(workers, env, Path(folder), log)
            try:
                await _until_listening(log, workers)
                rates = []
                for round_number in range(rounds):
                    first = 100_000 * (workers * 10 + round_number + 1)
                    users = [first + index for index in range(families)]
                    rates.append(await _register_all(api, port, users))
            finally:
                process.terminate()
                await process.wait()
    return {"per_s": round(statistics.median(rates), 1)}


def _env(api_base: str, database: str, redis: str, port: int) -> dict[str, str]:
    settings = {
        "BOT_TOKEN": "123456:BENCH",
        "TELEGRAM_API_BASE": api_base,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "WEBHOOK_URL": "https://example.invalid/telegram",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        # Far above Telegram's 30 a second (allowed for a Bot API server on loopback): what
        # the workers can process is measured, not Telegram's pace, which caps any cluster.
        "SEND_RATE": "100000",
        "QUIET_HOURS": "off",
        "PYTHONUNBUFFERED": "1",
    }
    return {**os.environ, **settings}


async def _import_areas(folder: Path, env: dict[str, str]) -> None:
    areas = folder / "areas.csv"
    areas.write_text(AREAS_CSV, encoding="utf-8")
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "areas", "import", str(areas), env=env, cwd=folder
    )
    assert await done.wait() == 0


async def _start(
    workers: int, env: dict[str, str], folder: Path, log: Path
) -> asyncio.subprocess.Process:
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--workers",
            str(workers),
            env=env,
            cwd=folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


def _logged(log: Path) -> str:
    return log.read_text("utf-8", errors="replace")


async def _until_listening(log: Path, workers: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while _logged(log).count("webhook server on") < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(_logged(log)[-3000:])
        await asyncio.sleep(0.1)


async def _register_all(api: Any, port: int, users: list[int]) -> float:
    """Every family registers at once; updates/s over the whole run."""
    from tests.family_script import DONE, answer_to, family, screen_text, seen

    url = f"http://127.0.0.1:{port}/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    ids = iter(range(1, 10**9))
    sent = 0
    # A new connection per update, as Telegram opens them: the kernel picks the worker.
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def post(update: dict[str, Any]) -> None:
            nonlocal sent
            async with http.post(url, json=update | {"update_id": next(ids)}) as response:
                assert response.status == 200, await response.text()
            sent += 1

        async def register(user_id: int) -> None:
            user = family(user_id)
            await post(_start_update(user))
            screen = await _next_screen(api, user_id, (0, ""))
            while DONE not in screen_text(screen):
                before = seen(screen)
                await post(answer_to(screen, user))
                screen = await _next_screen(api, user_id, before)

        started = time.perf_counter()
        await asyncio.gather(*(register(user) for user in users))
        seconds = time.perf_counter() - started
    return sent / seconds


def _start_update(user: dict[str, Any]) -> dict[str, Any]:
    return message_update("/start", user)


async def _next_screen(api: Any, user_id: int, before: tuple[int, str]) -> Any:
    """The family's screen once the bot answered what was `before` on it."""
    from tests.family_script import moved_on

    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        messages = api.sent_messages(user_id)
        if messages and moved_on(before, messages[-1]):
            return messages[-1]
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer for {user_id} after {before[1][:80]!r}")
        await asyncio.sleep(0.005)


async def clusters(families: int, rounds: int) -> dict[str, Any]:
    one = await one_cluster(1, families, rounds)
    two = await one_cluster(2, families, rounds)
    return {
        "cluster_families": families,
        "workers_1_per_s": one["per_s"],
        "workers_2_per_s": two["per_s"],
        "ratio_2_vs_1_workers": round(two["per_s"] / one["per_s"], 3),
        "cpu_count": os.cpu_count(),
    }


# --- the command ---------------------------------------------------------------------------


async def bench_updates(n: int, families: int, rounds: int) -> dict[str, Any]:
    figures = await in_process(n)
    if cluster_urls() is not None:
        figures |= await clusters(families, rounds)
    else:
        figures["cluster"] = "skipped: set HOCTAP_BENCH_DATABASE_URL and HOCTAP_BENCH_REDIS_URL"
    figures["targets"] = {"ratio_full_vs_dialog_floor": 0.5, "ratio_2_vs_1_workers": 1.6}
    return figures


def report(figures: dict[str, Any], out: Callable[[str], object] = print) -> None:
    out(
        f"SQLite, in process: {figures['full_per_s']:,.0f} updates/s = "
        f"{figures['ratio_full_vs_dialog_floor']} × aiogram-dialog "
        f"({figures['dialog_floor_per_s']:,.0f}/s), "
        f"{figures['ratio_full_vs_echo_floor']} × bare echo ({figures['echo_floor_per_s']:,.0f}/s)"
    )
    if "ratio_2_vs_1_workers" in figures:
        out(
            f"PostgreSQL + Redis over HTTP: 1 worker {figures['workers_1_per_s']:,.0f}/s, "
            f"2 workers {figures['workers_2_per_s']:,.0f}/s = "
            f"{figures['ratio_2_vs_1_workers']} × (on {figures['cpu_count']} cores)"
        )
    out(json.dumps(figures, ensure_ascii=False))


def main(n: int, families: int, rounds: int) -> int:
    figures = asyncio.run(bench_updates(n, families, rounds))
    report(figures)
    return 0
