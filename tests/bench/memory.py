"""`python -m tests.bench memory [--users N] [--fsm both|redis|sql]`: memory of N users mid-dialog.

Each of N simulated families (distinct Telegram ids) goes, through the real dispatcher on a
temp-file SQLite, from /start through consent and the place to typing the head's name, and
stops there: every one holds a dialog stack and a context with data in the FSM storage. The
figures: the resident set (VmRSS) of the worker process before (dispatcher built, a few users
warmed up) and after, and with Redis the `MEMORY USAGE` of the keys the bot wrote, per user.

Each storage runs in a fresh interpreter (`python -m tests.bench.memory --child ...`), so that
one run's memory does not count in the other's. Updates get ids of their own, as Telegram's,
so the update claims kept in Redis for a day are what production keeps (reported apart from
the dialog state). The harness keeps nothing per user: each one's last window is dropped when
the user stops. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_dispatcher
from bot.config import Settings
from bot.i18n import create_i18n
from tests.bench.registration import (
    FIRST_USER_ID,
    NAMES,
    ChatMessageManager,
    Step,
    _prepare,
    _walk,
    journey,
)
from tests.fakes import RecordingSession, recording_bot

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
WARM_USERS = 20
RSS_TARGET_MB = 300
REDIS_TARGET_BYTES = 4096
ROOT = Path(__file__).resolve().parents[2]
STATE_PREFIX = "fsm:"  # aiogram's DefaultKeyBuilder
CLAIM_PREFIX = "hoctap:update:"  # storage/updates.py


def redis_url_from_env() -> str:
    return (
        os.environ.get("HOCTAP_BENCH_REDIS_URL")
        or os.environ.get("HOCTAP_TEST_REDIS_URL")
        or DEFAULT_REDIS_URL
    )


def rss_kb() -> int:
    """This process's resident set now, in KiB (the peak where /proc is missing)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1])


def midway(index: int) -> list[Step]:
    """User `index`'s registration, up to and including typing the head's name."""
    steps = journey(index, ())
    return steps[: steps.index(("send", NAMES[index % len(NAMES)])) + 1]


class UniqueUpdateIds:
    """Stands for the Dispatcher in `BotClient` (whose ids start again for every user): gives
    every update an id of its own, as Telegram does."""

    def __init__(self, dp: Dispatcher) -> None:
        self.dp = dp
        self._ids = itertools.count(1)

    async def feed_update(self, bot: Bot, update: Update) -> Any:
        return await self.dp.feed_update(
            bot, update.model_copy(update={"update_id": next(self._ids)})
        )


async def hold_users(
    feed: UniqueUpdateIds, bot: Bot, manager: ChatMessageManager, indexes: range
) -> int:
    """Walk each user to the middle of the registration; the updates fed."""
    session = bot.session
    assert isinstance(session, RecordingSession)
    updates = 0
    for index in indexes:
        steps = midway(index)
        await _walk(feed, bot, manager, FIRST_USER_ID + index, steps)  # type: ignore[arg-type]
        manager.last.pop(FIRST_USER_ID + index, None)
        session.calls.clear()
        updates += len(steps)
    return updates


def _kind(key: str) -> str:
    if key.startswith(STATE_PREFIX):
        return "state"
    return "claim" if key.startswith(CLAIM_PREFIX) else "other"


def _user_of(key: str) -> str:
    return key.split(":")[3]  # fsm:<bot>:<chat>:<user>:<destiny...>


async def redis_usage(url: str) -> dict[str, Any]:
    """Keys, bytes (MEMORY USAGE) and users of the dialog state, and keys and bytes of the
    update claims, in the Redis database of `url`."""
    client = Redis.from_url(url)
    keys = [key.decode() async for key in client.scan_iter(count=1000)]
    sizes: list[int | None] = []
    for start in range(0, len(keys), 1000):
        pipe = client.pipeline(transaction=False)
        for key in keys[start : start + 1000]:
            pipe.memory_usage(key, samples=0)
        sizes += await pipe.execute()
    await client.aclose()
    totals: Counter[str] = Counter()
    users = set()
    for key, size in zip(keys, sizes, strict=True):
        kind = _kind(key)
        totals[f"{kind}_keys"] += 1
        totals[f"{kind}_bytes"] += size or 0
        if kind == "state":
            users.add(_user_of(key))
    return {"state_keys": 0, "state_bytes": 0, **totals, "users": len(users)}


async def sql_usage(engine: AsyncEngine) -> dict[str, Any]:
    """Rows, payload bytes (key, state and data) and users of the dialog state in SQLite."""
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT key, state, data FROM fsm_states"))).all()
    size = sum(len(k.encode()) + len((s or "").encode()) + len(d.encode()) for k, s, d in rows)
    return {
        "state_keys": len(rows),
        "state_bytes": size,
        "users": len({_user_of(r[0]) for r in rows}),
    }


async def reset_redis(url: str) -> None:
    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()


async def bench_memory(
    users: int, *, redis_url: str | None, folder: Path | None = None
) -> dict[str, Any]:
    """Hold `users` (and WARM_USERS more, first) mid-registration in this process; figures.

    With `redis_url` the dialog state goes to that Redis database (flushed before and after),
    else to the SQLite file."""
    if folder is None:
        with tempfile.TemporaryDirectory() as temporary:
            return await bench_memory(users, redis_url=redis_url, folder=Path(temporary))
    if redis_url:
        await reset_redis(redis_url)
    engine, session_factory = await _prepare(folder)
    settings = Settings(database_url="sqlite+aiosqlite:///unused.db", redis_url=redis_url)
    manager = ChatMessageManager()
    dp = build_dispatcher(settings, session_factory, create_i18n("vi"), message_manager=manager)
    bot, _ = recording_bot()
    feed = UniqueUpdateIds(dp)
    try:
        await hold_users(feed, bot, manager, range(WARM_USERS))
        gc.collect()
        baseline = rss_kb()
        started = time.perf_counter()
        updates = await hold_users(feed, bot, manager, range(WARM_USERS, WARM_USERS + users))
        seconds = time.perf_counter() - started
        gc.collect()
        after = rss_kb()
        usage = await (redis_usage(redis_url) if redis_url else sql_usage(engine))
    finally:
        await dp.storage.close()
        await bot.session.close()
        await engine.dispose()
        if redis_url:
            await reset_redis(redis_url)
    held = WARM_USERS + users
    return {
        "backend": "redis" if redis_url else "sql",
        "users": users,
        "held": held,
        "users_with_state": usage["users"],
        "updates": updates,
        "seconds": round(seconds, 1),
        "rss_baseline_mb": round(baseline / 1024, 1),
        "rss_mb": round(after / 1024, 1),
        "rss_per_user_kb": round((after - baseline) / max(1, users), 2),
        "state_keys_per_user": round(usage["state_keys"] / held, 2),
        "state_bytes_per_user": round(usage["state_bytes"] / held),
        "claim_keys_per_user": round(usage.get("claim_keys", 0) / held, 2),
        "claim_bytes_per_user": round(usage.get("claim_bytes", 0) / held),
        "other_keys": usage.get("other_keys", 0),
    }


def run_children(users: int, redis_urls: list[str | None]) -> dict[str, dict[str, Any]]:
    """`bench_memory` for each storage (None: SQLite) at once, each in a fresh interpreter
    (each one's memory is its own; two cores run both); their figures by backend."""
    with tempfile.TemporaryDirectory() as temporary:
        folder, running = Path(temporary), []
        for number, url in enumerate(redis_urls):
            command = [sys.executable, "-m", "tests.bench.memory", "--child", f"--users={users}"]
            command += [f"--redis-url={url}"] if url else []
            with (
                (folder / f"{number}.out").open("w") as out,
                (folder / f"{number}.err").open("w") as err,
            ):
                running.append(
                    (command, subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err))
                )
        runs = {}
        for number, (command, process) in enumerate(running):
            if process.wait() != 0:
                failure = (folder / f"{number}.err").read_text()[-3000:]
                raise RuntimeError(f"{' '.join(command)} failed:\n{failure}")
            figures = json.loads((folder / f"{number}.out").read_text().splitlines()[-1])
            runs[figures["backend"]] = figures
    return runs


JSON_KEYS = (
    "users",
    "rss_mb",
    "rss_baseline_mb",
    "rss_per_user_kb",
    "redis_bytes_per_user",
    "redis_keys_per_user",
    "rss_target_mb",
    "redis_target_bytes",
    "meets_targets",
)


def summary(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The JSON line: the Redis run's figures (the SQL one's where Redis did not run), the
    SQL run's beside them, and the verdict on both."""
    redis, sql = runs.get("redis"), runs.get("sql")
    first = redis or sql
    assert first is not None
    figures: dict[str, Any] = {
        "users": first["users"],
        "fsm": first["backend"],
        "rss_mb": first["rss_mb"],
        "rss_baseline_mb": first["rss_baseline_mb"],
        "rss_per_user_kb": first["rss_per_user_kb"],
        "redis_bytes_per_user": redis["state_bytes_per_user"] if redis else None,
        "redis_keys_per_user": redis["state_keys_per_user"] if redis else None,
        "redis_claim_bytes_per_user": redis["claim_bytes_per_user"] if redis else None,
        "seconds": first["seconds"],
    }
    if redis and sql:
        figures |= {
            "sql_rss_mb": sql["rss_mb"],
            "sql_rss_baseline_mb": sql["rss_baseline_mb"],
            "sql_rss_per_user_kb": sql["rss_per_user_kb"],
            "sql_seconds": sql["seconds"],
        }
    if sql:
        figures["sql_state_bytes_per_user"] = sql["state_bytes_per_user"]
    fits = all(run["rss_mb"] <= RSS_TARGET_MB for run in runs.values())
    fits = fits and (redis is None or redis["state_bytes_per_user"] <= REDIS_TARGET_BYTES)
    return figures | {
        "rss_target_mb": RSS_TARGET_MB,
        "redis_target_bytes": REDIS_TARGET_BYTES,
        "meets_targets": fits,
    }


def report(runs: dict[str, dict[str, Any]]) -> list[str]:
    """Human lines, then the JSON line (last)."""
    first = next(iter(runs.values()))
    lines = [
        f"{first['users']:,} families mid-registration (+{WARM_USERS} warm-up), "
        f"{first['updates'] // max(1, first['users'])} updates each",
    ]
    for run in runs.values():
        lines.append(
            f"{run['backend']} FSM: RSS {run['rss_baseline_mb']} -> {run['rss_mb']} MB "
            f"({run['rss_per_user_kb']} KiB/user; target <= {RSS_TARGET_MB} MB); "
            f"state {run['state_bytes_per_user']} B in {run['state_keys_per_user']} keys/user; "
            f"{run['users_with_state']}/{run['held']} users hold state; {run['seconds']} s"
        )
    if redis := runs.get("redis"):
        lines.append(
            f"redis: dialog state {redis['state_bytes_per_user']} B/user (target <= "
            f"{REDIS_TARGET_BYTES}); update claims, kept a day: "
            f"{redis['claim_bytes_per_user']} B/user in {redis['claim_keys_per_user']} keys"
        )
    return [*lines, json.dumps(summary(runs))]


def main(users: int, fsm: str = "both") -> int:
    redis_url = redis_url_from_env()
    urls = {"both": [redis_url, None], "redis": [redis_url], "sql": [None]}[fsm]
    runs = run_children(users, urls)
    print("\n".join(report(runs)))
    return 0 if summary(runs)["meets_targets"] else 1


def _child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.memory")
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--redis-url")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(bench_memory(args.users, redis_url=args.redis_url))))


if __name__ == "__main__":
    _child(sys.argv[1:])
