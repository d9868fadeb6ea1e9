"""The benchmarks really do their work: families walk the journey on both dispatchers; the
hamlet benchmark lists and searches the households it seeded."""

from __future__ import annotations

import json
from pathlib import Path

from bot.domain.hamlets import PAGE_SIZE
from bot.domain.status import Status
from storage.db import create_engine, create_session_factory
from storage.uow import SqlUnitOfWork
from tests.bench import broadcast, hamlet, memory
from tests.bench.registration import FIRST_USER_ID, JSON_KEYS, bench_registration, report

USERS = 3
HOUSEHOLDS = 200


async def test_every_simulated_family_registers_and_submits_its_self_assessment(
    tmp_path: Path,
) -> None:
    figures = await bench_registration(USERS, folder=tmp_path)
    last = json.loads(report(figures)[-1])
    assert set(JSON_KEYS) <= set(last)
    assert last["users"] == USERS
    assert figures["updates"] == figures["floor_updates"] > 0
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}")
    async with create_session_factory(engine)() as session:
        uow = SqlUnitOfWork(session)
        for index in range(USERS):
            household = await uow.households.of_user(FIRST_USER_ID + index)
            assert household is not None
            statuses = [r.status for r in await uow.registrations.of_household(household.id)]
            assert statuses == [Status.SELF_ASSESSED]
    await engine.dispose()


async def test_the_hamlet_benchmark_lists_and_searches_a_seeded_hamlet(tmp_path: Path) -> None:
    figures = await hamlet.bench_hamlet(HOUSEHOLDS, calls=24, folder=tmp_path)
    last = json.loads(hamlet.report(figures)[-1])

    assert set(hamlet.JSON_KEYS) <= set(last)
    assert (last["households"], last["listed_total"]) == (HOUSEHOLDS, HOUSEHOLDS)
    assert sum(figures["statuses"].values()) == HOUSEHOLDS
    assert 0 < last["list_page_ms"] <= last["list_page_p90_ms"]
    assert 0 < last["search_ms"] <= last["search_p90_ms"]
    assert 0 < figures["lines_shown"] <= 24 * PAGE_SIZE
    assert 0 < last["searches_found"] <= 24


async def test_the_broadcast_benchmark_delivers_once_to_everyone_while_users_talk(
    tmp_path: Path,
) -> None:
    figures = await broadcast.bench_broadcast(120, interactive_rate=4.0, folder=tmp_path)
    last = json.loads(broadcast.report(figures)[-1])

    assert set(broadcast.JSON_KEYS) <= set(last)
    assert (last["duplicates"], last["lost"], last["sent"]) == (0, 0, 120)
    assert last["interactive_n"] > 0
    assert last["refused_429"] >= last["refused_random"] > 0  # the injected faults did fire


async def test_the_memory_benchmark_holds_every_user_mid_dialog_in_little_state(
    redis_url: str | None, tmp_path: Path
) -> None:
    figures = await memory.bench_memory(50, redis_url=redis_url, folder=tmp_path)
    last = json.loads(memory.report({figures["backend"]: figures})[-1])

    assert set(memory.JSON_KEYS) <= set(last)
    assert (last["users"], figures["users_with_state"]) == (50, 50 + memory.WARM_USERS)
    assert figures["state_keys_per_user"] >= 2  # a dialog stack and a context at least
    assert 0 < figures["state_bytes_per_user"] < memory.REDIS_TARGET_BYTES
    assert min(last["rss_mb"], last["rss_baseline_mb"]) > 0
    if redis_url:
        assert 0 < last["redis_bytes_per_user"] < last["redis_target_bytes"]
        assert figures["claim_keys_per_user"] == 8  # one per update: each had its own id
