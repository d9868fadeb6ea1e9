"""ResilientSession and deliver(), against the fake Bot API server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import DeleteMessage, EditMessageText, SendMessage

from bot.delivery import Failed, ResilientSession, Sent, Unreachable, deliver
from bot.delivery.outcome import classify_error
from tests.fake_bot_api import FakeBotAPI

TOKEN = "123456:TEST-TOKEN"
CHAT = 4242
SECRET_TEXT = "Nguyễn Văn A, 0912 345 678"  # stands in for personal data


class FakeClock:
    """Monotonic clock that only moves when the recording sleep waits."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingSleep:
    """Injected sleep: records each wait and advances the fake clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.calls: list[float] = []
        self._clock = clock

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self._clock.now += seconds
        await asyncio.sleep(0)


BotFactory = Callable[..., Bot]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep(clock: FakeClock) -> RecordingSleep:
    return RecordingSleep(clock)


@pytest.fixture
async def api(clock: FakeClock) -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(clock=clock) as server:
        yield server


@pytest.fixture
async def make_bot(api: FakeBotAPI, sleep: RecordingSleep) -> AsyncIterator[BotFactory]:
    """Build bots on a ResilientSession pointed at the fake server; closes them afterwards."""
    bots: list[Bot] = []

    def factory(**session_kwargs: Any) -> Bot:
        session = ResilientSession(
            api=TelegramAPIServer.from_base(api.base_url), sleep=sleep, **session_kwargs
        )
        bots.append(Bot(TOKEN, session=session))
        return bots[-1]

    yield factory
    for bot in bots:
        await bot.session.close()


@pytest.fixture
def bot(make_bot: BotFactory) -> Bot:
    return make_bot()


def attempts(api: FakeBotAPI, method: str = "sendMessage") -> list[str | None]:
    """The fault (or None for a normal answer) of each recorded call to ``method``."""
    return [r.get("fault") for r in api.requests if r["method"] == method]


async def test_429_waits_exactly_retry_after_then_delivers(
    bot: Bot, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    api.set_faults(force_429={"count": 1, "retry_after": 7, "method": "sendMessage"})

    message = await bot.send_message(CHAT, "xin chào")

    assert sleep.calls == [7]
    assert attempts(api) == ["429", None]
    assert [m["text"] for m in api.sent_messages(CHAT)] == ["xin chào"]
    assert message.message_id == 1


async def test_5xx_backs_off_exponentially(
    bot: Bot, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    api.set_faults(force_5xx={"count": 2})

    await bot.send_message(CHAT, "x")

    assert sleep.calls == [0.5, 1.0]
    assert attempts(api) == ["5xx", "5xx", None]


async def test_backoff_is_capped_and_gives_up_after_max_attempts(
    make_bot: BotFactory, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    bot = make_bot(max_attempts=8, backoff_cap=2.0)
    api.set_faults(force_5xx={"count": 100, "status": 503})

    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "x")

    assert sleep.calls == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    assert max(sleep.calls) <= 2.0
    assert len(attempts(api)) == 8
    assert api.sent_messages() == []


async def test_default_limits_five_attempts(
    bot: Bot, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    api.set_faults(force_5xx={"count": 100})

    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "x")

    assert sleep.calls == [0.5, 1.0, 2.0, 4.0]
    assert len(attempts(api)) == 5


async def test_dropped_connection_is_retried(
    bot: Bot, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    api.set_faults(drop_connection={"count": 1})

    await bot.send_message(CHAT, "x")

    assert sleep.calls == [0.5]
    assert attempts(api) == ["drop", None]


async def test_timeout_is_retried_and_can_duplicate_a_send(
    make_bot: BotFactory, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    bot = make_bot(timeout=0.2, max_attempts=2)
    api.set_faults(delay=0.5)

    outcome = await deliver(bot, SendMessage(chat_id=CHAT, text="x"))
    await asyncio.sleep(0.6)  # the server finishes the requests the client gave up on

    assert outcome == Failed("network error (TelegramNetworkError)")
    assert sleep.calls == [0.5]
    # Why retrying sends on timeouts is a trade-off: Telegram may have delivered both.
    assert len(api.sent_messages()) == 2


async def test_403_is_not_retried_and_is_unreachable(
    bot: Bot, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    api.set_faults(forbidden_chats=[CHAT])

    outcome = await deliver(bot, SendMessage(chat_id=CHAT, text="x"))

    assert outcome == Unreachable("Forbidden: bot was blocked by the user")
    assert sleep.calls == []
    assert attempts(api) == ["403"]


async def test_400_is_not_retried(bot: Bot, api: FakeBotAPI, sleep: RecordingSleep) -> None:
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=CHAT, message_id=5)

    outcome = await deliver(bot, EditMessageText(text="x", chat_id=CHAT, message_id=5))

    assert outcome == Failed("Bad Request: message to edit not found")
    assert sleep.calls == []
    assert len(attempts(api, "editMessageText")) == 2  # one per call, no retries


async def test_deliver_returns_sent_with_message_id(bot: Bot) -> None:
    first = await deliver(bot, SendMessage(chat_id=CHAT, text="một"))
    second = await deliver(bot, SendMessage(chat_id=CHAT, text="hai"))

    assert (first, second) == (Sent(1), Sent(2))


async def test_deliver_without_message_result(bot: Bot) -> None:
    await bot.send_message(CHAT, "x")

    assert await deliver(bot, DeleteMessage(chat_id=CHAT, message_id=1)) == Sent(None)


async def test_retry_after_above_limit_is_raised_at_once(
    make_bot: BotFactory, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    bot = make_bot(max_retry_after=60)
    api.set_faults(force_429={"count": 1, "retry_after": 120})

    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(CHAT, "x")

    assert sleep.calls == []


async def test_repeated_429_gives_up_after_max_retry_after_attempts(
    make_bot: BotFactory, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    bot = make_bot(max_retry_after_attempts=2)
    api.set_faults(force_429={"count": 10, "retry_after": 3})

    outcome = await deliver(bot, SendMessage(chat_id=CHAT, text="x"))

    assert outcome == Failed("flood control: retry after 3s")
    assert sleep.calls == [3, 3]
    assert attempts(api) == ["429", "429", "429"]


async def test_per_chat_rate_limit_is_honoured_in_order(
    bot: Bot, api: FakeBotAPI, sleep: RecordingSleep
) -> None:
    api.set_faults(rate_limit_per_chat=1)

    for text in ("một", "hai", "ba"):
        await bot.send_message(CHAT, text)

    assert [m["text"] for m in api.sent_messages(CHAT)] == ["một", "hai", "ba"]
    assert attempts(api) == [None, "429", None, "429", None]
    assert sleep.calls == [1, 1]  # the window frees one second after the previous send


async def test_retries_are_logged_without_message_content(
    bot: Bot, api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.set_faults(force_429={"count": 1, "retry_after": 7}, force_5xx={"count": 1})

    with caplog.at_level(logging.WARNING, logger="hoctap.delivery"):
        await bot.send_message(CHAT, SECRET_TEXT)

    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "hoctap.delivery")
    assert "sendMessage" in logged
    assert "7" in logged
    assert "0.5" in logged
    assert SECRET_TEXT not in logged
    assert str(CHAT) not in logged
    assert TOKEN not in logged


def test_classify_chat_not_found_as_unreachable() -> None:
    method = SendMessage(chat_id=CHAT, text="x")

    not_found = TelegramBadRequest(method=method, message="Bad Request: chat not found")
    parse_error = TelegramBadRequest(method=method, message="Bad Request: can't parse entities")
    network = TelegramNetworkError(method=method, message=f"InvalidURL: /bot{TOKEN}/x")

    assert classify_error(not_found) == Unreachable("Bad Request: chat not found")
    assert classify_error(parse_error) == Failed("Bad Request: can't parse entities")
    assert classify_error(network) == Failed("network error (TelegramNetworkError)")
