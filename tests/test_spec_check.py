"""The request checker: each kind of request Telegram refuses is caught, good ones pass, and
the fakes report what they were sent to the teardown check."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage
from aiogram.types import (
    UNSET_PARSE_MODE,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram_dialog.api.entities import NewMessage

from tests.fake_bot_api import FakeBotAPI
from tests.fakes import check_dialog_message, recording_bot
from tests.spec_check import (
    INLINE_ACTIONS,
    REQUESTS,
    SPEC_PATH,
    RequestLog,
    Spec,
    check_request,
    load_spec,
    parse_html,
    request_params,
)


def fields(*required: str, optional: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    named = [(name, True) for name in required] + [(name, False) for name in optional]
    return {name: {"name": name, "required": needed} for name, needed in named}


# A few methods in the shape load_spec returns, so that the tables need no spec file.
TEXT_OPTIONS = ("parse_mode", "reply_markup")
MINI_SPEC: Spec = {
    "sendMessage": fields("chat_id", "text", optional=TEXT_OPTIONS),
    "editMessageText": fields("text", optional=("chat_id", "message_id", *TEXT_OPTIONS)),
    "sendPhoto": fields("chat_id", "photo", optional=("caption", *TEXT_OPTIONS)),
    "answerCallbackQuery": fields("callback_query_id", optional=("text",)),
}


def message(text: str, **params: Any) -> dict[str, Any]:
    return {"chat_id": 1, "text": text, "parse_mode": "HTML", **params}


def inline(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"reply_markup": {"inline_keyboard": [list(buttons)]}}


def require_spec(path: Path) -> Spec:
    """The spec at `path`; skipped when absent, except on CI where its absence fails."""
    spec = load_spec(path)
    if spec is not None:
        return spec
    reason = f"Bot API spec not found at {path}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true requires it)")
    pytest.skip(reason)


GOOD = [
    ("sendMessage", message("<b>Xã A &amp; B</b> &lt;3 &#128512; &#x1F600; &quot;hi&quot;")),
    ("sendMessage", message('<a href="https://t.me/x?a=1&amp;b=2">link</a>')),
    (
        "sendMessage",
        message("<b><i>nested</i> <u>ok</u></b>\n<blockquote expandable>q</blockquote>"),
    ),
    (
        "sendMessage",
        message('<span class="tg-spoiler">s</span> <pre><code class="x">c</code></pre>'),
    ),
    ("sendMessage", {"chat_id": 1, "text": "plain a < b & c > d"}),  # no parse_mode
    ("sendMessage", message("x" * 4096)),
    ("sendMessage", message("<b>" + "x" * 4096 + "</b>")),  # the length is after parsing
    ("sendMessage", message("ok", **inline({"text": "A", "callback_data": "é" * 32}))),
    ("sendMessage", message("ok", **inline({"text": "Web", "url": "https://example.org"}))),
    ("sendMessage", message("ok", reply_markup={"keyboard": [[{"text": "A"}, "B"]]})),
    ("answerCallbackQuery", {"callback_query_id": "7", "text": "x" * 200}),
]

BAD = [
    ("unknown method", "sendTelepathy", {"chat_id": 1}, 'unknown method "sendTelepathy"'),
    ("missing required", "sendMessage", {"text": "hi"}, 'required parameter "chat_id"'),
    ("unknown param", "sendMessage", message("hi", colour="red"), 'unknown parameter "colour"'),
    ("unclosed tag", "sendMessage", message("<b>bold"), "unclosed tag <b>"),
    ("crossed tags", "sendMessage", message("<b><i>x</b></i>"), "unmatched end tag </b>"),
    ("stray end tag", "sendMessage", message("x</i>"), "unmatched end tag </i>"),
    ("unsupported tag", "sendMessage", message("<div>x</div>"), "unsupported start tag <div>"),
    ("br tag", "sendMessage", message("a<br>b"), "unsupported start tag <br>"),
    ("plain span", "sendMessage", message("<span>x</span>"), 'without class="tg-spoiler"'),
    ("link without href", "sendMessage", message("<a>x</a>"), "<a> without href"),
    ("unescaped <", "sendMessage", message("1 < 2"), "unescaped '<' at offset 2"),
    ("unescaped >", "sendMessage", message("2 > 1"), "unescaped '>'"),
    ("unescaped &", "sendMessage", message("A & B"), "unescaped '&'"),
    ("unknown entity", "sendMessage", message("&nbsp;"), "unescaped '&'"),
    ("too long", "sendMessage", message("x" * 4097), "too long: 4097 characters"),
    ("empty", "sendMessage", message("<b> </b>"), "message text is empty"),
    ("edit empty", "editMessageText", {"chat_id": 1, "message_id": 2}, "message text is empty"),
    ("long caption", "sendPhoto", {"chat_id": 1, "photo": "f", "caption": "x" * 1025}, "1025"),
    (
        "65-byte callback data",
        "sendMessage",
        message("ok", **inline({"text": "A", "callback_data": "x" * 65})),
        "callback_data is 65 bytes",
    ),
    (
        "multi-byte callback data",
        "sendMessage",
        message("ok", **inline({"text": "A", "callback_data": "é" * 33})),
        "callback_data is 66 bytes",
    ),
    (
        "empty callback data",
        "sendMessage",
        message("ok", **inline({"text": "A", "callback_data": ""})),
        "callback_data is 0 bytes",
    ),
    (
        "empty inline text",
        "sendMessage",
        message("ok", **inline({"text": "", "callback_data": "a"})),
        "empty text",
    ),
    ("no action", "sendMessage", message("ok", **inline({"text": "A"})), "0 actions"),
    (
        "two actions",
        "sendMessage",
        message("ok", **inline({"text": "A", "callback_data": "a", "url": "https://x.org"})),
        "2 actions",
    ),
    (
        "empty reply button",
        "sendMessage",
        message("ok", reply_markup={"keyboard": [[{"text": " "}]]}),
        "reply button [0][0]: empty text",
    ),
    ("long answer", "answerCallbackQuery", {"callback_query_id": "7", "text": "x" * 201}, "201"),
]


@pytest.mark.parametrize(("method", "params"), GOOD)
def test_a_good_request_has_no_problems(method: str, params: dict[str, Any]) -> None:
    assert check_request(method, params, MINI_SPEC) == []


@pytest.mark.parametrize(
    ("method", "params", "problem"), [row[1:] for row in BAD], ids=[row[0] for row in BAD]
)
def test_each_kind_of_bad_request_is_caught(
    method: str, params: dict[str, Any], problem: str
) -> None:
    problems = check_request(method, params, MINI_SPEC)

    assert any(problem in found for found in problems), problems


def test_without_a_spec_only_the_spec_part_is_skipped() -> None:
    params = message("<b>x", colour="red")

    assert check_request("sendMessage", params, None) == ["can't parse entities: unclosed tag <b>"]


def test_html_is_read_into_the_text_a_user_sees() -> None:
    shown, problems = parse_html("<b>A &amp; B</b> &lt;3 &#x41;")

    assert (shown, problems) == ("A & B <3 A", [])


def test_the_inline_actions_are_the_spec_button_fields_but_text_style_and_icon() -> None:
    require_spec(SPEC_PATH)
    types = json.loads(SPEC_PATH.read_text(encoding="utf-8"))["types"]
    button = {field["name"] for field in types["InlineKeyboardButton"]["fields"]}

    assert button - {"text", "style", "icon_custom_emoji_id"} == INLINE_ACTIONS


def test_real_spec_knows_what_the_bot_sends() -> None:
    spec = require_spec(SPEC_PATH)

    assert check_request("sendMessage", message("<b>hi</b>"), spec) == []
    assert check_request("sendMessage", message("hi", colour="red"), spec) == [
        'unknown parameter "colour"'
    ]


def test_params_are_what_aiogram_sends_with_the_bot_default_parse_mode() -> None:
    bot, _ = recording_bot()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]]
    )

    params = request_params(bot, SendMessage(chat_id=5, text="<b>x</b>", reply_markup=markup))

    assert params == {
        "chat_id": 5,
        "text": "<b>x</b>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    }


async def test_a_recording_session_call_with_bad_html_is_reported_at_teardown() -> None:
    bot, session = recording_bot()
    try:
        await bot.send_message(5, "Xã <b>A & B</b>")
        await bot.send_message(5, "fine")
        failure = REQUESTS.failure()
    finally:
        REQUESTS.start()  # this test's own teardown check must pass

    assert session.problems == ["can't parse entities: unescaped '&' at offset 8"]
    assert failure is not None
    assert "1 problem(s)" in failure
    assert "sendMessage: can't parse entities: unescaped '&'" in failure
    assert "Xã <b>A & B</b>" in failure


async def test_a_dialog_window_is_checked_in_the_bots_parse_mode_with_its_keyboard() -> None:
    bot, _ = recording_bot()
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="")]])
    chat = Chat(id=5, type="private")
    # A Window's parse_mode is aiogram's Default placeholder: the bot's HTML.
    window = NewMessage(
        chat=chat, text="a < b", parse_mode=UNSET_PARSE_MODE, reply_markup=keyboard
    )
    try:
        problems = check_dialog_message(bot, window)
        empty = check_dialog_message(bot, NewMessage(chat=chat, text=""))
    finally:
        REQUESTS.start()

    assert problems == [
        "can't parse entities: unescaped '<' at offset 2",
        "reply button [0][0]: empty text",
    ]
    assert "message text is empty" in empty


def test_a_missing_spec_fails_only_on_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "api.min.json"
    log = RequestLog(missing)
    log.check("sendMessage", message("hi"))

    monkeypatch.delenv("CI", raising=False)
    assert log.failure() is None
    monkeypatch.setenv("CI", "true")
    assert str(missing) in (log.failure() or "")


async def test_the_fake_server_refuses_bad_html_and_reports_only_the_bots_requests() -> None:
    async with FakeBotAPI() as api, aiohttp.ClientSession() as http:
        url = f"{api.base_url}/bot1:T/sendMessage"
        async with http.post(url, json=message("<x>")) as response:
            body = await response.json()
        assert REQUESTS.problems == []  # raw HTTP from a test is not the bot
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        try:
            async with Bot("1:T", session=session) as bot:
                with pytest.raises(TelegramBadRequest, match="can't parse entities"):
                    await bot.send_message(5, "1 < 2", parse_mode="HTML")
            reported = list(REQUESTS.problems)
        finally:
            REQUESTS.start()

    assert (response.status, body["description"]) == (
        400,
        "Bad Request: can't parse entities: unsupported start tag <x> at offset 0",
    )
    assert reported == [
        "sendMessage: can't parse entities: unescaped '<' at offset 2 -- in '1 < 2'"
    ]
