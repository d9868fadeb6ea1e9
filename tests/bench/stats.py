"""`python -m tests.bench stats [--households-total N] [--communes C]`: /stats at scale.

One province of C communes (300) with 10 hamlets each, N households (1,000,000) with mixed
statuses and accounts, seeded in bulk on a temp-file SQLite (one commune holds 10,000 of
them). Then, as a super admin, through the services with one session per call as one update
does, /stats of that commune and of the province (the reply text built, as the officer reads
it): the province's first call right after seeding, which counts every hamlet into the cache
(`province_cold_ms`); medians of later calls, answered from the cache; and the commune's
median when each of its hamlets was written to since the call before (`commune_stale_ms`).
The floor is the plain SQL GROUP BY of the same numbers, run through the same engine. Then
the Excel export of the 10,000-household commune (`export_s`) and a 100,000-row CSV roster
import into another commune (`import_rows_per_s`). Times in ms unless said; the last line
printed is one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.hamlets import ListFilter
from bot.domain.users import User, with_env_admin
from bot.i18n import create_i18n
from bot.services.commune_export import commune_workbook
from bot.services.roster_import import apply_roster
from bot.services.stats import area_stats
from dialogs.commune.stats import stats_text
from dialogs.summaries import Writer
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 7, 2, 3, 0, tzinfo=UTC)
YEAR = 2026
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = 1
BIG_COMMUNE = "C000"  # 10,000 households: the one exported
BIG_HOUSEHOLDS = 10_000
HAMLETS_PER_COMMUNE = 10
STAMP = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
# this year's step of a household, and how often (no registration at all: None)
STEPS: tuple[tuple[str | None, int], ...] = (
    (None, 30),
    ("registered", 25),
    ("self_assessed", 15),
    ("verified", 10),
    ("returned", 5),
    ("recognised", 10),
    ("not_recognised", 5),
)
# every hamlet of an area changed since the cache counted it (what the triggers do)
STALE_SQL = """
INSERT INTO hamlet_versions (hamlet_code, version)
SELECT code, 1 FROM areas WHERE code LIKE :prefix AND level = 'hamlet'
ON CONFLICT (hamlet_code) DO UPDATE SET version = hamlet_versions.version + 1
"""
FLOOR_SQL = """
SELECT h.hamlet_code, r.status, r.passed,
       EXISTS (SELECT 1 FROM household_accounts a JOIN users u ON u.id = a.user_id
               WHERE a.household_id = h.id AND u.unreachable_at IS NULL) AS reachable,
       count(*)
FROM households h
LEFT JOIN registrations r ON r.household_id = h.id AND r.subject = 'household'
     AND r.title = 'gia_dinh' AND r.year = :year
WHERE h.hamlet_code IN (SELECT code FROM areas WHERE code LIKE :prefix AND level = 'hamlet')
GROUP BY 1, 2, 3, 4
"""


def hamlet_codes(communes: int) -> list[str]:
    return [f"C{c:03d}-{h}" for c in range(communes) for h in range(HAMLETS_PER_COMMUNE)]


def seed(path: Path, households: int, communes: int) -> None:
    """Areas, households, this year's registrations and accounts, straight through sqlite3."""
    rng = random.Random(2026)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    areas = [("P", "Tỉnh Thử", "province", None, "tinh thu")]
    for c in range(communes):
        areas.append((f"C{c:03d}", f"Xã Số {c}", "commune", "P", f"xa so {c}"))
        for h in range(HAMLETS_PER_COMMUNE):
            areas.append(
                (f"C{c:03d}-{h}", f"Thôn {h + 1}", "hamlet", f"C{c:03d}", f"thon {h + 1}")
            )
    connection.executemany(
        "INSERT INTO areas (code, name, level, parent_code, search_key) VALUES (?, ?, ?, ?, ?)",
        areas,
    )
    big = [f"{BIG_COMMUNE}-{h}" for h in range(HAMLETS_PER_COMMUNE)]
    rest = [code for code in hamlet_codes(communes) if not code.startswith(BIG_COMMUNE)]
    steps = [step for step, _ in STEPS]
    weights = [weight for _, weight in STEPS]
    households_rows, registrations, users, accounts = [], [], [], []
    for index in range(households):
        hamlet = big[index % len(big)] if index < BIG_HOUSEHOLDS else rest[index % len(rest)]
        name = f"Nguyễn Văn {index}"
        households_rows.append(
            (index + 1, f"B{index:07d}", hamlet, name, f"nguyen van {index}",
             f"+8491{index:07d}", 4, 1, STAMP)
        )  # fmt: skip
        step = rng.choices(steps, weights)[0]
        if step is not None:
            assessed = step not in ("registered",)
            registrations.append(
                (index + 1, "household", "gia_dinh", YEAR, step, "[]", "{}",
                 rng.randint(50, 100) if assessed else None,
                 (rng.random() < 0.8) if assessed else None)
            )  # fmt: skip
        if rng.random() < 0.4:
            users.append((10_000_000 + index, STAMP, STAMP if rng.random() < 0.05 else None))
            accounts.append((10_000_000 + index, index + 1, STAMP))
    connection.executemany(
        "INSERT INTO households (id, code, hamlet_code, head_name, name_key, phone, "
        "members_count, school_age_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        households_rows,
    )
    connection.executemany(
        "INSERT INTO registrations (household_id, subject, title, year, status, commitments, "
        "answers, total, passed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        registrations,
    )
    connection.executemany(
        "INSERT INTO users (id, created_at, unreachable_at) VALUES (?, ?, ?)", users
    )
    connection.executemany(
        "INSERT INTO household_accounts (user_id, household_id, linked_at) VALUES (?, ?, ?)",
        accounts,
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


async def timed(call: Callable[[], Awaitable[object]], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def stats_reply(factory: async_sessionmaker[AsyncSession], code: str) -> str:
    """What /stats does for one area in one update: its session, the numbers, the text."""
    actor = with_env_admin(User(ADMIN), frozenset({ADMIN}))
    async with factory() as session:
        stats = await area_stats(SqlUnitOfWork(session), actor, code, YEAR, NOW, ZONE)
    return stats_text(Writer(create_i18n("vi"), "vi", ZONE), stats)


async def floor(factory: async_sessionmaker[AsyncSession], prefix: str) -> int:
    async with factory() as session:
        rows = await session.execute(text(FLOOR_SQL), {"year": YEAR, "prefix": prefix})
        return len(rows.all())


async def stale(factory: async_sessionmaker[AsyncSession], prefix: str) -> None:
    """As if each hamlet under `prefix` had just been written to: its cache is stale."""
    async with factory() as session:
        await session.execute(text(STALE_SQL), {"prefix": prefix})
        await session.commit()


async def timed_stale(
    factory: async_sessionmaker[AsyncSession], code: str, prefix: str, repeats: int
) -> list[float]:
    times = []
    for _ in range(repeats):
        await stale(factory, prefix)
        times += await timed(partial(stats_reply, factory, code), 1)
    return times


async def run(households: int, communes: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stats.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        started = time.perf_counter()
        seed(path, households, communes)
        seeded_s = time.perf_counter() - started
        factory = create_session_factory(engine)
        results: dict[str, Any] = {"households": households, "communes": communes}
        # the first /stats after a bulk load counts every hamlet into the cache
        [cold] = await timed(partial(stats_reply, factory, "P"), 1)
        results["province_cold_ms"] = round(cold, 2)
        reply = await stats_reply(factory, BIG_COMMUNE)  # a look at the text
        for key, code, prefix in (
            ("commune", BIG_COMMUNE, f"{BIG_COMMUNE}-%"),
            ("province", "P", "C%"),
        ):
            ours = statistics.median(await timed(partial(stats_reply, factory, code), repeats))
            base = statistics.median(await timed(partial(floor, factory, prefix), repeats))
            results[f"{key}_ms"] = round(ours, 2)
            results[f"{key}_floor_ms"] = round(base, 2)
            results[f"{key}_ratio"] = round(ours / base, 2)
        prefix = f"{BIG_COMMUNE}-%"
        stale_ms = await timed_stale(factory, BIG_COMMUNE, prefix, repeats)
        results["commune_stale_ms"] = round(statistics.median(stale_ms), 2)
        results.update(await export_and_import(factory))
        await engine.dispose()
    results["seeded_s"] = round(seeded_s, 1)
    results["reply_chars"] = len(reply)
    return results


IMPORT_ROWS = 100_000
IMPORT_COMMUNE = "C001"


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Xuân", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan")


def distinct_name(index: int) -> str:
    """A different Vietnamese name for each index below 100,000 (names have no digits)."""
    digits = f"{index:05d}"
    family, middle, first, second, third = (int(d) for d in digits)
    return f"{FAMILY[family]} {MIDDLE[middle]} {GIVEN[first]} {GIVEN[second]} {GIVEN[third]}"


def roster_csv(rows: int) -> bytes:
    """A commune's roster as offices write it: Vietnamese headers, local phone numbers (098,
    which the seeded households do not use), hamlets by name."""
    lines = ["Thôn,Họ tên chủ hộ,Điện thoại,Số người"]
    for index in range(rows):
        hamlet = f"Thôn {index % HAMLETS_PER_COMMUNE + 1}"
        lines.append(f"{hamlet},{distinct_name(index)},098{index:07d},{index % 6 + 1}")
    return ("\n".join(lines) + "\n").encode("utf-8")


async def export_and_import(factory: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """The Excel export of the 10,000-household commune, then a 100,000-row roster import
    into another, each through its service in one session, as the officer's update would."""
    actor = with_env_admin(User(ADMIN), frozenset({ADMIN}))
    async with factory() as session:
        started = time.perf_counter()
        rows = await commune_workbook(
            SqlUnitOfWork(session), actor, BIG_COMMUNE, YEAR, ListFilter.ALL, NOW, ZONE, BytesIO()
        )
        export_s = time.perf_counter() - started
    data = roster_csv(IMPORT_ROWS)
    async with factory() as session:
        started = time.perf_counter()
        report = await apply_roster(SqlUnitOfWork(session), actor, IMPORT_COMMUNE, data, NOW)
        import_s = time.perf_counter() - started
    assert report.imported == IMPORT_ROWS, report
    return {
        "export_rows": rows,
        "export_s": round(export_s, 2),
        "import_rows": report.imported,
        "import_rows_per_s": round(report.imported / import_s),
    }


def main(households: int, communes: int, repeats: int) -> int:
    results = asyncio.run(run(households, communes, repeats))
    print(f"{households:,} households in {communes} communes, seeded in {results['seeded_s']} s")
    for key, target in (("commune", 20), ("province", 200)):
        print(
            f"/stats {key}: median {results[f'{key}_ms']} ms (target <= {target} ms); "
            f"floor (plain GROUP BY) {results[f'{key}_floor_ms']} ms = "
            f"{results[f'{key}_ratio']} x floor"
        )
    print(
        f"/stats province, first call after seeding (every hamlet counted into the cache): "
        f"{results['province_cold_ms']} ms"
    )
    print(
        f"/stats commune, every hamlet written to since the last call: median "
        f"{results['commune_stale_ms']} ms"
    )
    print(
        f"Excel export of {results['export_rows']:,} households: {results['export_s']} s "
        f"(target <= 5 s); roster import of {results['import_rows']:,} rows: "
        f"{results['import_rows_per_s']:,} rows/s (target >= 20,000)"
    )
    print(json.dumps(results))
    return 0
