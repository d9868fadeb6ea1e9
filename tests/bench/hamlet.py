"""`python -m tests.bench hamlet [--households N]`: the hamlet head's household list and search.

N households in one hamlet (and a tenth as many in its neighbour) on a temp-file SQLite,
seeded in bulk: this year's registrations at every step, last year's for half of them, a
third of the families on Telegram (some having blocked the bot). Then `household_page`
through the service as the hamlet head, one session per call as one update does: list pages
(page numbers and every filter), and searches (name fragments without diacritics, phone
fragments). Medians and p90 in ms; the last line printed is one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.hamlets import PAGE_SIZE, ListFilter, Page
from bot.domain.status import Status
from bot.domain.text import search_key
from bot.domain.users import Role, RoleGrant, User
from bot.services.areas import import_areas
from bot.services.hamlets import household_page
from storage.db import create_engine, create_session_factory
from storage.household_models import HouseholdAccountRow, HouseholdRow, RegistrationRow
from storage.migrate import upgrade
from storage.models import UserRow
from storage.uow import SqlUnitOfWork
from tests.bench.registration import percentile

NOW = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
YEAR = 2026
HEAD_ID = 8_000_000
FIRST_ACCOUNT = 8_100_000
AREAS = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã Đông Hòa,commune,P
H1,Thôn Đông,hamlet,C1
H2,Thôn Đoài,hamlet,C1
"""
FAMILY: tuple[str, ...] = (
    *("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"),
    *("Đỗ", "Hồ", "Ngô", "Dương", "Lý"),
)
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc")
GIVEN: tuple[str, ...] = (
    *("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Hương", "Khánh"),
    *("Lan", "Long", "Mai", "Nam", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn"),
    *("Việt", "Yến", "Đào", "Ánh", "Ơn", "Ưng"),
)
PREFIXES = ("91", "94", "98", "97", "96", "86", "88", "33", "35", "37", "70", "79", "81", "83")
# this year's step of a household, and how often (no registration at all: None)
STEPS: tuple[tuple[Status | None, int], ...] = (
    (None, 30),
    (Status.REGISTERED, 25),
    (Status.SELF_ASSESSED, 15),
    (Status.VERIFIED, 10),
    (Status.RETURNED, 5),
    (Status.RECOGNISED, 10),
    (Status.NOT_RECOGNISED, 5),
)
NAME_QUERIES: tuple[str, ...] = (
    *("nguyen", "thi", "van an", "tran thi", "hoa", "dung", "phuc", "ngoc m", "le"),
    *("duc", "nguyen van", "huong", "bui", "thanh t", "yen", "quoc", "xyz"),
)
PHONE_QUERIES = ("0912", "0988", "345", "+84 91", "0000", "9100001", "3512", "0868")


def name_of(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


@dataclass(frozen=True)
class Seeded:
    households: int  # in the head's hamlet
    statuses: dict[str, int]  # this year's step -> households ("none": not registered)


async def seed(session_factory: async_sessionmaker[AsyncSession], n: int) -> Seeded:
    """N households in H1 and N/10 in H2, with registrations and accounts, in bulk."""
    rng = random.Random(2026)
    steps = [step for step, _ in STEPS]
    weights = [weight for _, weight in STEPS]
    households: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    statuses: dict[str, int] = {}
    numbers = rng.sample(range(10**7), n + n // 10)  # distinct phone numbers
    for index in range(n + n // 10):
        hamlet = "H1" if index < n else "H2"
        name = name_of(rng)
        households.append(
            {
                "id": index + 1,
                "code": f"B{index:06d}",
                "hamlet_code": hamlet,
                "head_name": name,
                "name_key": search_key(name),
                "phone": f"+84{rng.choice(PREFIXES)}{numbers[index]:07d}",
                "members_count": 4,
                "school_age_count": 1,
                "created_at": NOW,
            }
        )
        step = rng.choices(steps, weights)[0]
        if hamlet == "H1":
            key = step.value if step else "none"
            statuses[key] = statuses.get(key, 0) + 1
        for year, status in ((YEAR, step), (YEAR - 1, Status.RECOGNISED if index % 2 else None)):
            if status is not None:
                registrations.append(_registration(index + 1, year, status, rng))
        if rng.random() < 1 / 3:
            accounts.append({"user_id": FIRST_ACCOUNT + index, "household_id": index + 1})
    async with session_factory() as session:
        await session.execute(insert(HouseholdRow), households)
        await session.execute(insert(RegistrationRow), registrations)
        await session.execute(
            insert(UserRow),
            [
                {
                    "id": account["user_id"],
                    "created_at": NOW,
                    "unreachable_at": NOW if rng.random() < 0.1 else None,
                }
                for account in accounts
            ],
        )
        await session.execute(
            insert(HouseholdAccountRow), [{**account, "linked_at": NOW} for account in accounts]
        )
        await session.commit()
    return Seeded(n, statuses)


def _registration(
    household_id: int, year: int, status: Status, rng: random.Random
) -> dict[str, Any]:
    assessed = status not in (Status.REGISTERED, Status.DRAFT)
    return {
        "household_id": household_id,
        "subject": "household",
        "title": "gia_dinh",
        "year": year,
        "status": status.value,
        "commitments": "[]",
        "answers": "{}",
        "total": rng.randint(50, 100) if assessed else None,
        "passed": rng.random() < 0.8 if assessed else None,
    }


@dataclass(frozen=True)
class Call:
    which: ListFilter
    query: str
    number: int


def list_calls(count: int, households: int) -> list[Call]:
    """Every filter in turn, at page numbers spread over the list (and past its end)."""
    filters = list(ListFilter)
    pages = max(1, -(-households // PAGE_SIZE))
    return [Call(filters[i % len(filters)], "", (i * 37) % (pages + 2)) for i in range(count)]


def search_calls(count: int) -> list[Call]:
    """Name fragments without diacritics and phone fragments; now and then a filter too."""
    queries = [*NAME_QUERIES, *PHONE_QUERIES]
    filters = (ListFilter.ALL, ListFilter.ALL, ListFilter.NOT_REGISTERED, ListFilter.REGISTERED)
    return [
        Call(filters[i % len(filters)], queries[i % len(queries)], (i // len(queries)) % 2)
        for i in range(count)
    ]


async def timed(
    session_factory: async_sessionmaker[AsyncSession], head: User, calls: Sequence[Call]
) -> tuple[list[float], list[Page]]:
    """Seconds per call (session opened and closed as in an update), and the pages shown."""
    seconds, pages = [], []
    for call in calls:
        started = time.perf_counter()
        async with session_factory() as session:
            page = await household_page(
                SqlUnitOfWork(session),
                head,
                "H1",
                YEAR,
                NOW,
                which=call.which,
                query=call.query,
                number=call.number,
            )
        seconds.append(time.perf_counter() - started)
        pages.append(page)
    return seconds, pages


async def bench_hamlet(
    households: int, *, calls: int = 300, folder: Path | None = None
) -> dict[str, Any]:
    """Seed, then time `calls` list pages and `calls` searches; the figures.

    `folder` keeps the database (for a test to look into); by default a temporary one."""
    if folder is None:
        with tempfile.TemporaryDirectory() as temporary:
            return await bench_hamlet(households, calls=calls, folder=Path(temporary))
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        async with session_factory() as session:
            report = await import_areas(SqlUnitOfWork(session), AREAS)
        assert report.ok, report.errors
        started = time.perf_counter()
        seeded = await seed(session_factory, households)
        seeding = time.perf_counter() - started
        head = User(HEAD_ID, grants=(RoleGrant(Role.HAMLET_HEAD, "H1"),))
        await timed(session_factory, head, list_calls(20, households))  # warm up
        list_seconds, list_pages = await timed(
            session_factory, head, list_calls(calls, households)
        )
        search_seconds, search_pages = await timed(session_factory, head, search_calls(calls))
        _, (everyone,) = await timed(session_factory, head, [Call(ListFilter.ALL, "", 0)])
    finally:
        await engine.dispose()
    return {
        "list_page_ms": _ms(statistics.median(list_seconds)),
        "search_ms": _ms(statistics.median(search_seconds)),
        "list_page_p90_ms": _ms(percentile(list_seconds, 0.9)),
        "search_p90_ms": _ms(percentile(search_seconds, 0.9)),
        "households": households,
        "calls": calls,
        "listed_total": everyone.total,
        "lines_shown": sum(len(page.lines) for page in list_pages),
        "searches_found": sum(bool(page.total) for page in search_pages),
        "statuses": seeded.statuses,
        "seeding_s": round(seeding, 2),
    }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


JSON_KEYS = (
    "list_page_ms",
    "search_ms",
    "list_page_p90_ms",
    "search_p90_ms",
    "households",
    "calls",
    "listed_total",
    "searches_found",
)
TARGET_MS = 20


def report(figures: dict[str, Any]) -> list[str]:
    """Human lines, then the JSON line (last)."""
    return [
        f"{figures['households']} households in the hamlet (seeded in {figures['seeding_s']} s), "
        f"this year: {figures['statuses']}",
        f"list pages ({figures['calls']} calls, every filter, pages all over): median "
        f"{figures['list_page_ms']} ms, p90 {figures['list_page_p90_ms']} ms "
        f"(target <= {TARGET_MS} ms)",
        f"searches ({figures['calls']} calls, names without diacritics, phone fragments): "
        f"median {figures['search_ms']} ms, p90 {figures['search_p90_ms']} ms "
        f"(target <= {TARGET_MS} ms); {figures['searches_found']} found something",
        json.dumps({key: figures[key] for key in JSON_KEYS}),
    ]


def main(households: int, calls: int) -> int:
    figures = asyncio.run(bench_hamlet(households, calls=calls))
    print("\n".join(report(figures)))
    return 0 if figures["listed_total"] == households else 1
