"""The fake Bot API server, exercised by a real aiogram Bot and by raw HTTP."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

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

from tests.fake_bot_api import BOT_USER, DEFAULT_SPEC, FakeBotAPI

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


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    async with Bot(TOKEN, session=session) as client:
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
        {"method": "sendMessage", "params": {"chat_id": CHAT, "text": "một"}, "token": TOKEN}
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
