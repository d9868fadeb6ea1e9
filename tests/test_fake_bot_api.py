"""The fake Bot API server, exercised by a real aiogram Bot and by raw HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from tests.fake_bot_api import BOT_USER, DEFAULT_SPEC, FAULT_KEYS, FakeBotAPI

TOKEN = "123456:TEST-TOKEN"
CHAT = 4242
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def require_spec(path: Path) -> Path:
    """Skip when the spec is missing, except on CI where its absence is a failure."""
    if path.is_file():
        return path
    reason = f"Bot API spec not found at {path}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true requires it)")
    pytest.skip(reason)


def keyboard(label: str = "OK") -> InlineKeyboardMarkup:
    """A one-button inline keyboard."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=label, callback_data="ok")]]
    )


class FakeClock:
    """A settable clock for the fake's rate windows and ``at`` stamps."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@contextlib.asynccontextmanager
async def bot_for(api: FakeBotAPI) -> AsyncIterator[Bot]:
    """An aiogram Bot talking to ``api``."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    async with Bot(TOKEN, session=session) as client:
        yield client


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with bot_for(api) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def clocked_api(clock: FakeClock) -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(clock=clock) as server:
        yield server


@pytest.fixture
async def clocked_bot(clocked_api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with bot_for(clocked_api) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def call(
    http: aiohttp.ClientSession, api: FakeBotAPI, method: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """POST to a Bot API method over raw HTTP; returns status and JSON body."""
    async with http.post(f"{api.base_url}/bot{TOKEN}/{method}", **kwargs) as resp:
        return resp.status, await resp.json()


# --- aiogram against the fake ---------------------------------------------------------------


async def test_get_me_returns_the_test_bot(bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.is_bot, me.username) == (7000001, True, "hoctap_test_bot")
    assert me.first_name == "Hoc Tap Bot"
    assert me.can_join_groups is True


async def test_send_message_numbers_messages_per_chat(bot: Bot, api: FakeBotAPI) -> None:
    first = await bot.send_message(CHAT, "xin chào", reply_markup=keyboard())
    second = await bot.send_message(CHAT, "lần hai")
    other = await bot.send_message(CHAT + 1, "chat khác")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == CHAT
    assert first.from_user is not None
    assert first.from_user.id == BOT_USER["id"]
    assert first.reply_markup is not None
    assert first.reply_markup.model_dump() == keyboard().model_dump()
    assert [m["text"] for m in api.sent_messages(CHAT)] == ["xin chào", "lần hai"]
    assert api.requests[0] == {
        "method": "sendMessage",
        "params": {
            "chat_id": CHAT,
            "text": "xin chào",
            "reply_markup": keyboard().model_dump(exclude_none=True),
        },
        "token": TOKEN,
        "at": ANY,
    }


async def test_reply_keyboards_are_not_echoed(bot: Bot) -> None:
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Menu")]])

    message = await bot.send_message(CHAT, "menu", reply_markup=markup)

    assert message.reply_markup is None


async def test_numeric_text_stays_a_string(bot: Bot, api: FakeBotAPI) -> None:
    await bot.send_message(CHAT, "123")

    assert api.requests[-1]["params"]["text"] == "123"


async def test_edit_message_text_changes_the_stored_message(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(CHAT, "trước", reply_markup=keyboard())

    edited = await bot.edit_message_text(
        text="sau", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("Mới")
    )

    assert isinstance(edited, type(sent))
    assert edited.text == "sau"
    assert edited.edit_date is not None
    assert api.sent_messages(CHAT)[0]["text"] == "sau"


async def test_editing_to_identical_content_is_not_modified(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "giống", reply_markup=keyboard())

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="giống", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard()
        )


async def test_edit_markup_only_counts_as_a_change(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "giống", reply_markup=keyboard())

    edited = await bot.edit_message_text(text="giống", chat_id=CHAT, message_id=sent.message_id)

    assert not isinstance(edited, bool)
    assert edited.reply_markup is None


async def test_editing_an_unknown_message_is_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=CHAT, message_id=99)


async def test_delete_message_then_edit_fails(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "tạm")

    assert await bot.delete_message(CHAT, sent.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=CHAT, message_id=sent.message_id)


async def test_photo_upload_is_recorded_as_file_metadata(bot: Bot, api: FakeBotAPI) -> None:
    photo = BufferedInputFile(b"\x89PNG fake", filename="chart.png")

    message = await bot.send_photo(CHAT, photo, caption="Biểu đồ")

    assert message.photo is not None
    assert message.photo[0].file_id
    assert message.caption == "Biểu đồ"
    params = api.requests[-1]["params"]
    assert params["photo"] == {"filename": "chart.png", "size": len(b"\x89PNG fake")}


async def test_document_upload_and_caption_edit(bot: Bot, api: FakeBotAPI) -> None:
    doc = BufferedInputFile(b"a,b\n1,2\n", filename="report.csv")
    message = await bot.send_document(CHAT, doc)

    edited = await bot.edit_message_caption(
        chat_id=CHAT, message_id=message.message_id, caption="Báo cáo"
    )

    assert message.document is not None
    assert message.document.file_name == "report.csv"
    assert not isinstance(edited, bool)
    assert edited.caption == "Báo cáo"


async def test_commands_round_trip(bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Bắt đầu")]

    assert await bot.set_my_commands(commands) is True
    assert [c.model_dump() for c in await bot.get_my_commands()] == [commands[0].model_dump()]
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == []


async def test_webhook_blocks_get_updates_until_deleted(bot: Bot) -> None:
    await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"

    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_unknown_method_is_404(http: aiohttp.ClientSession, api: FakeBotAPI) -> None:
    status, body = await call(http, api, "sendTelepathy", json={"chat_id": 1})

    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


# --- spec validation ------------------------------------------------------------------------


@pytest.fixture
async def spec_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(require_spec(DEFAULT_SPEC)) as server:
        assert server.spec_loaded
        yield server


async def test_unknown_parameter_is_rejected(
    http: aiohttp.ClientSession, spec_api: FakeBotAPI
) -> None:
    form = {"chat_id": "1", "text": "hi", "colour": "red"}

    status, body = await call(http, spec_api, "sendMessage", data=form)

    assert status == 400
    assert body["ok"] is False
    assert body["description"].startswith("Bad Request: ")
    assert "colour" in body["description"]


async def test_missing_required_parameter_is_rejected(
    http: aiohttp.ClientSession, spec_api: FakeBotAPI
) -> None:
    status, body = await call(http, spec_api, "sendMessage", json={"chat_id": 1})

    assert status == 400
    assert body["description"].startswith("Bad Request: ")
    assert '"text"' in body["description"]


async def test_multipart_fields_are_decoded_and_checked(
    http: aiohttp.ClientSession, spec_api: FakeBotAPI
) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "1")
    form.add_field("text", "hi")
    form.add_field("reply_markup", keyboard().model_dump_json(exclude_none=True))
    form.add_field("unused", b"bytes", filename="x.bin")  # forces multipart encoding

    status, body = await call(http, spec_api, "sendMessage", data=form)

    assert status == 400  # the stray file part is an unknown parameter...
    assert "unused" in body["description"]
    assert spec_api.requests[-1]["params"]["reply_markup"] == keyboard().model_dump(
        exclude_none=True
    )  # ...but the nested JSON field was decoded


async def test_without_spec_validation_is_off(http: aiohttp.ClientSession) -> None:
    async with FakeBotAPI(spec_path=None) as api:
        assert not api.spec_loaded
        status, _ = await call(http, api, "sendMessage", json={"chat_id": 1, "text": "x", "z": 1})

    assert status == 200


def test_require_spec_skips_locally_and_fails_on_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "api.min.json"

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=str(missing)):
        require_spec(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=str(missing)):
        require_spec(missing)


# --- control endpoints and long polling -----------------------------------------------------


def user_message(text: str) -> dict[str, Any]:
    """An incoming private-chat message Update (without update_id)."""
    user = {"id": CHAT, "is_bot": False, "first_name": "User"}
    chat = {"id": CHAT, "type": "private", "first_name": "User"}
    return {"message": {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": text}}


async def test_queued_updates_are_served_and_confirmed(
    bot: Bot, api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    payload = [user_message("/start"), user_message("hello")]
    async with http.post(f"{api.base_url}/_control/updates", json=payload) as resp:
        assert (await resp.json())["result"] == [1, 2]

    updates = await bot.get_updates(limit=1)
    assert [u.update_id for u in updates] == [1]
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2]
    assert await bot.get_updates(offset=3) == []


async def test_requests_listing_filters_by_method(
    bot: Bot, api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    await bot.get_me()
    await bot.send_message(CHAT, "một")
    await bot.send_chat_action(CHAT, "typing")

    async with http.get(f"{api.base_url}/_control/requests") as resp:
        everything = await resp.json()
    url = f"{api.base_url}/_control/requests?method=sendMessage"
    async with http.get(url) as resp:
        only_sends = await resp.json()

    assert [r["method"] for r in everything] == ["getMe", "sendMessage", "sendChatAction"]
    assert only_sends == [
        {
            "method": "sendMessage",
            "params": {"chat_id": CHAT, "text": "một"},
            "token": TOKEN,
            "at": ANY,
        }
    ]


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()

    async with http.post(f"{api.base_url}/_control/updates", json=user_message("hi")):
        pass
    updates = await asyncio.wait_for(poll, timeout=5)

    assert len(updates) == 1
    assert time.monotonic() - started < 5


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()

    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


async def test_faults_and_reset_over_http(
    bot: Bot, api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    faults = {"forbidden_chats": [CHAT], "force_5xx": {"count": 1, "method": "getMe"}}
    async with http.post(f"{api.base_url}/_control/faults", json=faults) as resp:
        assert resp.status == 200

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "x")
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_me()
    await bot.get_me()  # the 5xx fault was used up
    assert [r.get("fault") for r in api.requests] == ["403", "5xx", None]

    async with http.post(f"{api.base_url}/_control/reset"):
        pass
    assert api.requests == []
    await bot.send_message(CHAT, "x")


async def test_unknown_fault_is_rejected(api: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{api.base_url}/_control/faults", json={"gremlins": 1}) as resp:
        assert resp.status == 400
    with pytest.raises(ValueError, match="gremlins"):
        api.set_faults(gremlins=1)


async def test_forced_429_carries_retry_after(bot: Bot, api: FakeBotAPI) -> None:
    api.set_faults(force_429={"count": 1, "retry_after": 7, "method": "sendMessage"})

    await bot.get_me()  # another method is not affected
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(CHAT, "x")

    assert caught.value.retry_after == 7


async def test_global_rate_limit(bot: Bot, api: FakeBotAPI) -> None:
    api.set_faults(rate_limit_global=2)

    await bot.send_message(CHAT, "1")
    await bot.send_message(CHAT + 1, "2")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(CHAT + 2, "3")

    assert caught.value.retry_after == 1
    assert len(api.sent_messages()) == 2


async def test_a_call_refused_per_chat_does_not_use_the_global_budget(
    bot: Bot, api: FakeBotAPI
) -> None:
    api.set_faults(rate_limit_global=2, rate_limit_per_chat=1)

    await bot.send_message(CHAT, "1")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(CHAT, "2")  # per-chat limit
    await bot.send_message(CHAT + 1, "3")  # still within the global limit
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(CHAT + 2, "4")  # now the global limit

    assert [m["text"] for m in api.sent_messages()] == ["1", "3"]
    assert [r.get("fault") for r in api.requests] == [None, "429", None, "429"]


def expected_refusals(seed: int, probability: float, calls: int) -> list[bool]:
    """Which of ``calls`` sending calls random_429 refuses: one draw per sending call."""
    rng = random.Random(seed)
    return [rng.random() < probability for _ in range(calls)]


async def send_statuses(
    http: aiohttp.ClientSession, api: FakeBotAPI, calls: int, chat: int = CHAT
) -> list[int]:
    """Send ``calls`` messages over raw HTTP, a getMe (not a sending call) between each."""
    statuses = []
    for n in range(calls):
        status, _ = await call(http, api, "sendMessage", json={"chat_id": chat, "text": str(n)})
        statuses.append(status)
        assert (await call(http, api, "getMe"))[0] == 200
    return statuses


async def test_random_429_is_reproducible_from_its_seed(
    api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    fault = {"probability": 0.5, "retry_after": 3, "seed": 7}
    expected = expected_refusals(7, 0.5, 12)
    assert True in expected
    assert False in expected  # the seed gives a mix of outcomes

    api.set_faults(random_429=fault)
    first = await send_statuses(http, api, 12)
    api.set_faults(random_429=fault)  # setting it again restarts the sequence
    second = await send_statuses(http, api, 12)

    assert first == second == [429 if refused else 200 for refused in expected]
    sends = [r for r in api.requests if r["method"] == "sendMessage"]
    assert [r.get("fault") for r in sends] == [("429" if x else None) for x in expected * 2]
    assert all("fault" not in r for r in api.requests if r["method"] == "getMe")


async def test_random_429_can_be_kept_to_some_chats(bot: Bot, api: FakeBotAPI) -> None:
    api.set_faults(random_429={"probability": 1.0, "retry_after": 1, "seed": 1, "chats": [CHAT]})
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(CHAT, "x")
    await bot.send_message(CHAT + 1, "y")  # not one of the chats: never refused
    assert api.delivered_counts() == {str(CHAT + 1): 1}


async def test_random_429_refusals_carry_retry_after_and_are_not_sent(
    bot: Bot, api: FakeBotAPI
) -> None:
    api.set_faults(random_429={"probability": 1.0, "retry_after": 3, "seed": 1})

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(CHAT, "x")
    await bot.get_me()  # only sending calls are refused
    api.set_faults(random_429=None)  # off again
    await bot.send_message(CHAT, "y")

    assert caught.value.retry_after == 3
    assert [m["text"] for m in api.sent_messages()] == ["y"]
    assert api.delivered_counts() == Counter({str(CHAT): 1})
    assert [r.get("fault") for r in api.requests] == ["429", None, None]


async def test_random_429_refusals_do_not_use_the_rate_windows(bot: Bot, api: FakeBotAPI) -> None:
    api.set_faults(
        rate_limit_global=1,
        rate_limit_per_chat=1,
        random_429={"probability": 1.0, "retry_after": 1, "seed": 1},
    )
    for _ in range(3):
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(CHAT, "refused")

    api.set_faults(random_429={"probability": 0.0, "seed": 1})
    await bot.send_message(CHAT, "ok")  # both one-call windows were still empty

    assert [m["text"] for m in api.sent_messages()] == ["ok"]


async def test_random_429_needs_a_valid_probability(
    api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    for bad in ({"seed": 1}, {"probability": 1.5}, {"probability": "0.1"}):
        with pytest.raises(ValueError, match="probability"):
            api.set_faults(random_429=bad)
    faults = {"random_429": {"probability": -0.1}}
    async with http.post(f"{api.base_url}/_control/faults", json=faults) as resp:
        assert resp.status == 400
    assert api.set_faults() == {}  # nothing was half-applied


async def test_group_minute_window_limits_sends_into_a_group(
    clocked_bot: Bot, clocked_api: FakeBotAPI, clock: FakeClock
) -> None:
    group = -100123
    clocked_api.set_faults(rate_limit_per_group_minute=3)
    for _ in range(3):  # t = 1000, 1010, 1020
        await clocked_bot.send_message(group, "tin")
        clock.now += 10

    with pytest.raises(TelegramRetryAfter) as caught:  # t = 1030
        await clocked_bot.send_message(group, "quá")
    assert caught.value.retry_after == 30  # the call at t = 1000 leaves at t = 1060
    await clocked_bot.send_message(CHAT, "riêng")  # a private chat is not limited
    await clocked_bot.send_message(-200, "nhóm khác")  # nor is another group

    clock.now = 1060.0
    await clocked_bot.send_message(group, "lại được")
    clock.now = 1069.5
    with pytest.raises(TelegramRetryAfter) as caught:
        await clocked_bot.send_message(group, "quá")
    assert caught.value.retry_after == 1  # 0.5 s rounds up, and never below 1

    assert clocked_api.delivered_counts() == Counter({str(group): 4, str(CHAT): 1, "-200": 1})


async def test_group_minute_window_is_off_by_default(
    api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    statuses = [
        (await call(http, api, "sendMessage", json={"chat_id": -100, "text": str(n)}))[0]
        for n in range(25)
    ]

    assert statuses == [200] * 25


async def test_group_minute_refusal_does_not_use_the_other_windows(
    clocked_bot: Bot, clocked_api: FakeBotAPI, clock: FakeClock
) -> None:
    clocked_api.set_faults(rate_limit_per_group_minute=1, rate_limit_global=2)
    await clocked_bot.send_message(-1, "1")
    with pytest.raises(TelegramRetryAfter) as caught:
        await clocked_bot.send_message(-1, "2")  # group window full
    await clocked_bot.send_message(CHAT, "3")  # the global window still has room

    assert caught.value.retry_after == 60
    assert [m["text"] for m in clocked_api.sent_messages()] == ["1", "3"]


async def test_delivered_counts_per_recipient(bot: Bot, api: FakeBotAPI) -> None:
    first = await bot.send_message(CHAT, "1")
    await bot.send_message(CHAT, "2")
    await bot.send_photo(CHAT + 1, BufferedInputFile(b"png", filename="a.png"))
    await bot.send_document(-5, BufferedInputFile(b"csv", filename="a.csv"))
    await bot.edit_message_text(text="1b", chat_id=CHAT, message_id=first.message_id)
    await bot.delete_message(CHAT, first.message_id)  # it was still delivered
    await bot.send_chat_action(CHAT, "typing")
    api.set_faults(forbidden_chats=[CHAT + 2])
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(CHAT + 2, "chặn")

    counts = api.delivered_counts()

    assert isinstance(counts, Counter)
    assert counts == Counter({str(CHAT): 2, str(CHAT + 1): 1, "-5": 1})
    counts[str(CHAT)] += 10  # a copy: the fake's own log is unchanged
    assert api.delivered_counts()[str(CHAT)] == 2


async def test_requests_record_their_receive_time(
    clocked_bot: Bot, clocked_api: FakeBotAPI, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    clock.now = 5.0
    await clocked_bot.get_me()
    clock.now = 7.5
    clocked_api.set_faults(forbidden_chats=[CHAT])
    with pytest.raises(TelegramForbiddenError):
        await clocked_bot.send_message(CHAT, "x")

    assert [(r["method"], r["at"]) for r in clocked_api.requests] == [
        ("getMe", 5.0),
        ("sendMessage", 7.5),
    ]
    async with http.get(f"{clocked_api.base_url}/_control/requests") as resp:
        assert [r["at"] for r in await resp.json()] == [5.0, 7.5]


async def test_receive_time_defaults_to_the_monotonic_clock(bot: Bot, api: FakeBotAPI) -> None:
    before = time.monotonic()
    await bot.get_me()

    assert before <= api.requests[0]["at"] <= time.monotonic()


async def test_new_faults_over_http_and_reset(
    bot: Bot, api: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    assert {"random_429", "rate_limit_per_group_minute"} <= FAULT_KEYS
    faults = {
        "random_429": {"probability": 1, "retry_after": 2, "seed": 7},
        "rate_limit_per_group_minute": 1,
    }
    async with http.post(f"{api.base_url}/_control/faults", json=faults) as resp:
        assert resp.status == 200
        assert (await resp.json())["result"] == faults

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-1, "x")
    assert caught.value.retry_after == 2
    api.set_faults(random_429=None)
    await bot.send_message(-1, "1")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(-1, "2")  # the group's minute window is full

    async with http.post(f"{api.base_url}/_control/reset"):
        pass
    assert api.delivered_counts() == Counter()
    api.set_faults(rate_limit_per_group_minute=1)
    await bot.send_message(-1, "3")  # the window was cleared too
    api.reset()
    api.set_faults(random_429={"probability": 1.0, "seed": 7})
    api.reset()  # and random_429 is gone with its generator
    await bot.send_message(-1, "4")
    assert [r.get("fault") for r in api.requests] == [None]


async def test_delay_fault_slows_answers(bot: Bot, api: FakeBotAPI) -> None:
    api.set_faults(delay=0.3)
    started = time.monotonic()

    await bot.get_me()

    assert time.monotonic() - started >= 0.3


async def test_runs_standalone_from_the_command_line(http: aiohttp.ClientSession) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fake_bot_api",
        "--port",
        "0",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        base = (await asyncio.wait_for(proc.stdout.readline(), timeout=20)).decode().strip()
        assert base.startswith("http://127.0.0.1:")
        async with http.get(f"{base}/_control/requests") as resp:
            assert await resp.json() == []
    finally:
        proc.terminate()  # only the process this test started
        await asyncio.wait_for(proc.wait(), timeout=10)
