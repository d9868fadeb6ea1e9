"""An update Telegram delivers again is handled once; a failed one is handled when it comes
again; the window of claims stays bounded. On every configured backend."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.types import TelegramObject, Update
from aiogram_dialog.api.entities import DialogUpdate
from aiogram_dialog.test_tools import MockMessageManager
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.config import Settings
from bot.dedupe import UpdateDedupe, update_digest
from bot.i18n import create_i18n
from storage.fsm import create_storage
from storage.models import SeenUpdateRow
from storage.updates import (
    WINDOW,
    MemoryUpdateClaims,
    RedisUpdateClaims,
    SqlUpdateClaims,
    create_update_claims,
    redis_key,
)
from tests.conftest import REDIS_URL
from tests.fakes import recording_bot

needs_redis = pytest.mark.skipif(REDIS_URL is None, reason="HOCTAP_TEST_REDIS_URL is not set")

Factory = async_sessionmaker[AsyncSession]
BOT_ID = 42  # the recording bot's token is 42:TEST
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def message(update_id: int, text: str = "/start", user_id: int = 1) -> dict[str, Any]:
    """A private message as Telegram posts it; the same dict for each delivery of it."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_796_025_600,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"},
            "text": text,
        },
    }


class Bot:
    """The real dispatcher, fed each delivery parsed anew as the webhook does."""

    def __init__(self, session_factory: Factory, redis_url: str | None) -> None:
        settings = Settings(database_url="sqlite+aiosqlite:///unused.db", redis_url=redis_url)
        self.manager = MockMessageManager()
        self.bot, self.session = recording_bot()
        self.dp = build_dispatcher(
            settings, session_factory, create_i18n("vi"), message_manager=self.manager
        )

    async def deliver(self, raw: dict[str, Any]) -> Any:
        update = Update.model_validate(raw, context={"bot": self.bot})
        return await self.dp.feed_update(self.bot, update)

    def windows_shown(self) -> int:
        return len(self.manager.sent_messages)


@pytest.fixture
async def bot(session_factory: Factory, redis_url: str | None) -> AsyncIterator[Bot]:
    """On SQLite (window in memory), PostgreSQL (seen_updates), each also with Redis."""
    one = Bot(session_factory, redis_url)
    yield one
    await one.dp.storage.close()


class FailOnce:
    """A message middleware that breaks the first update, as a lost connection would."""

    def __init__(self) -> None:
        self.failed = False

    async def __call__(self, handler: Any, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not self.failed:
            self.failed = True
            raise ConnectionError("database went away")
        return await handler(event, data)


async def test_an_update_delivered_twice_is_handled_once(bot: Bot) -> None:
    await bot.deliver(message(7001))
    shown = bot.windows_shown()
    assert shown >= 1

    assert await bot.deliver(message(7001)) is None
    assert bot.windows_shown() == shown


async def test_another_update_is_handled(bot: Bot) -> None:
    await bot.deliver(message(7001))
    shown = bot.windows_shown()

    await bot.deliver(message(7002))

    assert bot.windows_shown() == 2 * shown


async def test_a_failed_update_is_handled_when_telegram_sends_it_again(bot: Bot) -> None:
    bot.dp.message.outer_middleware(FailOnce())
    with pytest.raises(ConnectionError):
        await bot.deliver(message(7001))
    assert bot.windows_shown() == 0

    await bot.deliver(message(7001))

    assert bot.windows_shown() >= 1


async def test_an_id_reused_for_other_content_is_not_a_copy(bot: Bot) -> None:
    # Telegram never does this; the console and test clients count ids from 1 each run.
    await bot.deliver(message(7001, user_id=1))
    shown = bot.windows_shown()

    await bot.deliver(message(7001, user_id=2))

    assert bot.windows_shown() == 2 * shown


def test_each_delivery_of_an_update_has_the_same_digest() -> None:
    first, again = (Update.model_validate(message(7001)) for _ in range(2))
    other = Update.model_validate(message(7001, text="/help"))

    assert update_digest(first) == update_digest(again) != update_digest(other)


# --- The claims on each backend ----------------------------------------------------------


@pytest.fixture
async def claims(
    session_factory: Factory, redis_url: str | None
) -> AsyncIterator[RedisUpdateClaims | SqlUpdateClaims | MemoryUpdateClaims]:
    """As the bot picks them: Redis, else the database, but memory for SQLite."""
    storage = create_storage(redis_url, session_factory)
    yield create_update_claims(storage, session_factory)
    await storage.close()


@pytest.fixture
def sql_claims(session_factory: Factory) -> SqlUpdateClaims:
    """The database's claims, also on SQLite (where the bot keeps them in memory)."""
    return SqlUpdateClaims(session_factory)


async def test_the_backend_follows_the_storage(
    claims: Any, session_factory: Factory, redis_url: str | None
) -> None:
    dialect = session_factory.kw["bind"].dialect.name
    if redis_url:
        assert isinstance(claims, RedisUpdateClaims)
    else:
        assert isinstance(
            claims, SqlUpdateClaims if dialect == "postgresql" else MemoryUpdateClaims
        )


@pytest.mark.parametrize("backend", ["picked", "sql"])
async def test_a_claim_is_taken_once_until_released(
    backend: str, claims: Any, sql_claims: SqlUpdateClaims
) -> None:
    taker = claims if backend == "picked" else sql_claims
    assert await taker.claim(BOT_ID, 1, "aa")
    assert not await taker.claim(BOT_ID, 1, "aa")
    assert await taker.claim(BOT_ID + 1, 1, "aa")  # another bot's update 1

    await taker.release(BOT_ID, 1)

    assert await taker.claim(BOT_ID, 1, "aa")


@pytest.mark.parametrize("backend", ["picked", "sql"])
async def test_a_claim_with_another_digest_is_taken_over(
    backend: str, claims: Any, sql_claims: SqlUpdateClaims
) -> None:
    taker = claims if backend == "picked" else sql_claims
    assert await taker.claim(BOT_ID, 1, "aa")
    assert await taker.claim(BOT_ID, 1, "bb")
    assert not await taker.claim(BOT_ID, 1, "bb")


@pytest.mark.parametrize("backend", ["picked", "sql"])
async def test_two_workers_claiming_at_once_get_it_once(
    backend: str, claims: Any, sql_claims: SqlUpdateClaims
) -> None:
    taker = claims if backend == "picked" else sql_claims
    results = await asyncio.gather(*(taker.claim(BOT_ID, 9, "aa") for _ in range(4)))
    assert sorted(results) == [False, False, False, True]


async def test_old_rows_are_pruned(session_factory: Factory) -> None:
    now = [T0]
    claims = SqlUpdateClaims(session_factory, prune_every=2, clock=lambda: now[0])
    assert await claims.claim(BOT_ID, 1, "aa")  # the first claim prunes (nothing yet)
    now[0] = T0 + timedelta(hours=1)
    assert await claims.claim(BOT_ID, 2, "aa")
    now[0] = T0 + WINDOW + timedelta(hours=1)

    assert await claims.claim(BOT_ID, 3, "aa")  # the third prunes what is a window old

    async with session_factory() as session:
        kept = (await session.scalars(select(SeenUpdateRow.update_id))).all()
    assert sorted(kept) == [2, 3]


async def test_the_memory_window_is_bounded_in_size_and_time() -> None:
    now = [0.0]
    claims = MemoryUpdateClaims(window=timedelta(seconds=60), size=3, clock=lambda: now[0])
    for update_id in range(1, 6):
        assert await claims.claim(BOT_ID, update_id, "aa")
    assert claims.remembered() == 3
    assert await claims.claim(BOT_ID, 1, "aa")  # forgotten: only the last three are kept
    assert not await claims.claim(BOT_ID, 5, "aa")

    now[0] = 61.0

    assert await claims.claim(BOT_ID, 5, "aa")  # out of the window


@needs_redis
@pytest.mark.parametrize("redis_url", ["redis"], indirect=True)
async def test_a_redis_claim_expires_after_the_window(bot: Bot, redis_url: str) -> None:
    await bot.deliver(message(7001))
    redis = Redis.from_url(redis_url)
    try:
        ttl = await redis.ttl(redis_key(BOT_ID, 7001))
    finally:
        await redis.aclose()
    assert WINDOW.total_seconds() - 60 < ttl <= WINDOW.total_seconds()


# --- The middleware ----------------------------------------------------------------------


class RecordingClaims:
    def __init__(self, fail_release: bool = False) -> None:
        self.calls: list[tuple[str, int]] = []
        self._fail_release = fail_release

    async def claim(self, bot_id: int, update_id: int, digest: str) -> bool:
        self.calls.append(("claim", update_id))
        return True

    async def release(self, bot_id: int, update_id: int) -> None:
        self.calls.append(("release", update_id))
        if self._fail_release:
            raise ConnectionError("redis went away")


async def test_the_dialogs_own_updates_are_not_claimed() -> None:
    claims = RecordingClaims()
    dedupe = UpdateDedupe(claims)
    handled: list[Any] = []

    async def handler(event: TelegramObject, data: dict[str, Any]) -> None:
        handled.append(event)

    update = DialogUpdate.model_construct(update_id=0)
    for _ in range(2):
        await dedupe(handler, update, {"bot": recording_bot()[0]})

    assert len(handled) == 2
    assert claims.calls == []


async def test_a_release_that_fails_leaves_the_handlers_error_to_be_seen() -> None:
    claims = RecordingClaims(fail_release=True)
    dedupe = UpdateDedupe(claims)

    async def handler(event: TelegramObject, data: dict[str, Any]) -> None:
        raise KeyError("the handler's own")

    with pytest.raises(KeyError, match="the handler's own"):
        await dedupe(handler, Update.model_validate(message(5)), {"bot": recording_bot()[0]})
    assert claims.calls == [("claim", 5), ("release", 5)]
