"""End to end: `hoctap run` as a real process, talking HTTP to the fake Bot API.

Each test starts `python -m bot run` in a temporary directory, points it at a FakeBotAPI served
from the test's own event loop, plays a user by queuing Telegram Updates, and judges the bot
only by the Bot API calls it makes. Waits poll every POLL_INTERVAL up to WAIT_TIMEOUT and fail
with everything recorded so far plus the bot's stderr.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import aiohttp
import pytest

from tests.conftest import PG_URL, REDIS_URL, fresh_postgres, reset_redis
from tests.fake_bot_api import NOT_MODIFIED, FakeBotAPI

JsonDict = dict[str, Any]
T = TypeVar("T")

TOKEN = "123456:TEST"
POLL_INTERVAL = 0.05
WAIT_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
# Inherited values of these would leak into the bot (a developer's real token, say).
SETTINGS = (
    "BOT_TOKEN",
    "DATABASE_URL",
    "REDIS_URL",
    "ADMIN_IDS",
    "DEFAULT_LOCALE",
    "TIMEZONE",
    "TELEGRAM_API_BASE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_HOST",
    "WEBHOOK_PORT",
    "WEBHOOK_PATH",
)
AN: JsonDict = {"id": 1001, "is_bot": False, "first_name": "An", "language_code": "vi"}
BINH: JsonDict = {"id": 1002, "is_bot": False, "first_name": "Bình", "language_code": "vi"}
AREAS_CSV = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã Đông Hòa,commune,P
C2,Xã Tân Lập,commune,P
H1,Thôn Đông,hamlet,C1
H2,Thôn Đoài,hamlet,C1
"""

_message_ids = itertools.count(100_000)
_update_ids = itertools.count(500_000)


# --- Telegram objects the user sends ----------------------------------------------------------


def message_update(text: str, user: JsonDict) -> JsonDict:
    """A private-chat message; a leading /command gets its bot_command entity."""
    message: JsonDict = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        ]
    return {"message": message}


def callback_update(message: JsonDict, label: str, user: JsonDict) -> JsonDict:
    """Pressing the inline button `label` under the bot's `message`."""
    return {
        "callback_query": {
            "id": f"cb{next(_message_ids)}",
            "from": user,
            "message": copy.deepcopy(message),
            "chat_instance": f"ci{user['id']}",
            "data": button_data(message, label),
        }
    }


def buttons(message: JsonDict) -> list[JsonDict]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def labels(message: JsonDict) -> list[str]:
    return [button["text"] for button in buttons(message)]


def button_data(message: JsonDict, label: str) -> str:
    for button in buttons(message):
        if button["text"] == label:
            return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} under {message.get('text')!r}: {labels(message)}")


# --- the bot process --------------------------------------------------------------------------


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any bot setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
    return env | {"PYTHONUNBUFFERED": "1"} | settings


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'bot.db'}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BotProcess:
    """A running `python -m bot ...` whose stderr goes to a file."""

    process: asyncio.subprocess.Process
    stderr_path: Path
    stopping: bool = False

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> int:
        """SIGTERM, then kill if it is still running after STOP_TIMEOUT; the exit code."""
        self.stopping = True
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        assert self.process.returncode is not None
        return self.process.returncode


async def spawn(args: list[str], env: dict[str, str], workdir: Path, name: str) -> BotProcess:
    stderr_path = workdir / f"{name}.stderr"
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return BotProcess(process, stderr_path)


class Harness:
    """A fake Telegram, the bot processes started against it, and users talking to them."""

    def __init__(self, api: FakeBotAPI, workdir: Path) -> None:
        self.api = api
        self.workdir = workdir
        self.settings: dict[str, str] = {"DATABASE_URL": sqlite_url(workdir)}
        self.processes: list[BotProcess] = []
        self.seen_at: list[float] = []  # when each recorded request was first observed
        self.since = 0
        # 0: one `hoctap run` polling; N: `hoctap run --workers N` behind the webhook, which
        # the user's updates are posted to as Telegram would.
        self.workers = 0

    def env(self) -> dict[str, str]:
        return clean_env(BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=self.api.base_url, **self.settings)

    @property
    def bot(self) -> BotProcess:
        assert self.processes, "the bot was never started"
        return self.processes[-1]

    async def start(self, *options: str) -> BotProcess:
        """Start `hoctap run` (with `options`); it is stopped at the end of the test whatever
        happens."""
        name = f"run{len(self.processes)}"
        if self.workers:
            options = ("--workers", str(self.workers), *options)
        process = await spawn(["run", *options], self.env(), self.workdir, name)
        self.processes.append(process)
        if self.workers:

            def listening(_: object) -> bool | None:
                return process.stderr().count("webhook server on") >= self.workers or None

            await self.wait_for(listening, f"{self.workers} workers listening")
        return process

    async def run_cli(self, *args: str) -> tuple[int, str]:
        """Run a maintenance command to completion with the bot's settings."""
        done = await spawn(list(args), self.env(), self.workdir, f"cli{len(self.processes)}")
        try:
            code = await asyncio.wait_for(done.process.wait(), WAIT_TIMEOUT)
        finally:
            await done.stop()  # only does something when the command hangs
        return code, done.stderr()

    async def close(self) -> None:
        for process in self.processes:
            await process.stop()

    # --- waiting on what the bot does ---------------------------------------------------------

    async def wait_for(self, found: Callable[[list[JsonDict]], T | None], what: str) -> T:
        """Poll the recorded requests until `found` returns something; fail after WAIT_TIMEOUT."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_TIMEOUT
        while True:
            requests = self.api.requests
            now = loop.time()
            self.seen_at += [now] * (len(requests) - len(self.seen_at))
            if (result := found(requests)) is not None:
                return result
            if (
                self.processes
                and self.bot.process.returncode is not None
                and not self.bot.stopping
            ):
                self.fail(
                    f"the bot exited with {self.bot.process.returncode} while waiting for {what}"
                )
            if now > deadline:
                self.fail(f"no {what} within {WAIT_TIMEOUT:.0f}s")
            await asyncio.sleep(POLL_INTERVAL)

    def fail(self, reason: str) -> NoReturn:
        calls = "\n".join(describe(request) for request in self.api.requests) or "(none)"
        stderr = self.bot.stderr()[-4000:] if self.processes else ""
        pytest.fail(f"{reason}\n--- Bot API calls ---\n{calls}\n--- bot stderr ---\n{stderr}")

    async def first_reply(self, *wanted: tuple[str, str], chat: int = AN["id"]) -> JsonDict:
        """The first successful call to `chat` since the user's last action that is one of
        `wanted` (method, fragment of its text)."""
        since = self.since

        def found(requests: list[JsonDict]) -> JsonDict | None:
            return next((r for r in requests[since:] if is_reply(r, chat, wanted)), None)

        what = " or ".join(f"{method} containing {fragment!r}" for method, fragment in wanted)
        return await self.wait_for(found, f"{what} to chat {chat}")

    async def reply(self, method: str, fragment: str, chat: int = AN["id"]) -> JsonDict:
        return await self.first_reply((method, fragment), chat=chat)

    async def ready(self) -> None:
        """Until the bot takes updates: polling, or (workers) listening, which start waits for."""
        if not self.workers:
            await self.called("getUpdates")

    async def called(self, method: str) -> int:
        """Index of the first `method` call recorded."""
        return await self.wait_for(lambda rs: first_index(rs, method), f"{method} call")

    # --- a user's actions ---------------------------------------------------------------------

    def send(self, text: str, user: JsonDict = AN) -> None:
        self.deliver(message_update(text, user))

    def click(self, on: str, label: str, user: JsonDict = AN) -> None:
        """Press `label` under the newest bot message that shows `on`."""
        self.deliver(callback_update(self.showing(on, user["id"]), label, user))

    def deliver(self, update: JsonDict) -> None:
        """Hand the update to the bot: queued for its next poll, or posted to its webhook
        (and accepted) before this returns, so a user's updates arrive in order."""
        self.since = len(self.api.requests)
        if not self.workers:
            self.api.queue_update(update)
            return
        body = json.dumps(update | {"update_id": next(_update_ids)}).encode()
        port = self.settings["WEBHOOK_PORT"]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/telegram",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": self.settings["WEBHOOK_SECRET"],
            },
        )
        with urllib.request.urlopen(request, timeout=WAIT_TIMEOUT) as answer:
            assert answer.status == 200

    def showing(self, fragment: str, chat: int) -> JsonDict:
        """The newest message in `chat` whose current text contains `fragment`."""
        matching = [m for m in self.api.sent_messages(chat) if fragment in m.get("text", "")]
        if not matching:
            self.fail(f"no message in chat {chat} shows {fragment!r}")
        return matching[-1]


def is_reply(request: JsonDict, chat: int, wanted: tuple[tuple[str, str], ...]) -> bool:
    return (
        "fault" not in request
        and str(request["params"].get("chat_id")) == str(chat)
        and any(request["method"] == m and f in text_of(request) for m, f in wanted)
    )


def text_of(request: JsonDict) -> str:
    return str(request["params"].get("text", ""))


def first_index(requests: list[JsonDict], method: str) -> int | None:
    return next((i for i, r in enumerate(requests) if r["method"] == method), None)


def describe(request: JsonDict) -> str:
    fault = f" [fault {request['fault']}]" if "fault" in request else ""
    params = json.dumps(request["params"], ensure_ascii=False)
    return f"{request['method']}{fault} {params[:300]}"


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def harness(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Harness]:
    workdir = tmp_path / "bot"
    workdir.mkdir()
    harness = Harness(fake_api, workdir)
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture(params=["one process", "two workers"])
async def any_harness(request: pytest.FixtureRequest, harness: Harness) -> Harness:
    """The bot as one polling process, and as two webhook workers on PostgreSQL and Redis
    (required in CI): what a user sees must not depend on which."""
    if request.param == "two workers":
        if PG_URL is None or REDIS_URL is None:
            pytest.skip("two workers need HOCTAP_TEST_DATABASE_URL and HOCTAP_TEST_REDIS_URL")
        await reset_redis(REDIS_URL)
        harness.workers = 2
        harness.settings |= {
            "DATABASE_URL": await fresh_postgres(),
            "REDIS_URL": REDIS_URL,
            "WEBHOOK_URL": "https://example.invalid/telegram",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(free_port()),
            "WEBHOOK_SECRET": "tw0workers",
        }
    return harness


def commands_calls(requests: list[JsonDict], scope: JsonDict) -> dict[str, JsonDict]:
    """setMyCommands calls for `scope` by language_code ("" for the default list)."""
    return {
        r["params"].get("language_code", ""): r["params"]
        for r in requests
        if r["method"] == "setMyCommands" and r["params"].get("scope") == scope
    }


def command_names(params: JsonDict) -> list[str]:
    return [command["command"] for command in params["commands"]]


def description(params: JsonDict, name: str) -> str:
    return next(c["description"] for c in params["commands"] if c["command"] == name)


# --- 1. startup -------------------------------------------------------------------------------


async def test_startup_deletes_the_webhook_and_sets_commands_per_language(
    harness: Harness,
) -> None:
    harness.settings["ADMIN_IDS"] = "555"
    await harness.start()
    polled = await harness.called("getUpdates")
    requests = harness.api.requests
    deleted = first_index(requests, "deleteWebhook")
    assert deleted is not None, "the bot never called deleteWebhook"
    assert deleted < polled, "deleteWebhook must come before the first getUpdates"

    users = commands_calls(requests, {"type": "all_private_chats"})
    assert set(users) == {"", "vi", "en"}
    assert all(
        "start" in command_names(p) and "areas" not in command_names(p) for p in users.values()
    )
    assert description(users[""], "start") == "Menu chính"  # the default speaks vi
    assert description(users["vi"], "start") == "Menu chính"
    assert description(users["en"], "start") == "Main menu"

    admins = commands_calls(requests, {"type": "chat", "chat_id": 555})
    assert set(admins) == {"", "vi", "en"}
    assert all("areas" in command_names(p) for p in admins.values())


# --- 2. the journey ---------------------------------------------------------------------------


async def test_start_then_switching_to_english_edits_the_menu(any_harness: Harness) -> None:
    harness = any_harness
    await harness.start()
    harness.send("/start")
    menu = await harness.reply("sendMessage", "Menu chính")
    assert menu["params"]["reply_markup"]["inline_keyboard"], "the menu needs buttons"

    harness.send("/language")
    await harness.reply("sendMessage", "Chọn ngôn ngữ")
    choice = harness.showing("Chọn ngôn ngữ", AN["id"])
    assert {"🇻🇳 Tiếng Việt", "🇬🇧 English"} <= set(labels(choice))

    harness.click("Chọn ngôn ngữ", "🇬🇧 English")
    edited = await harness.reply("editMessageText", "Main menu")
    assert edited["params"]["message_id"] == choice["message_id"]

    harness.send("/start")  # Telegram still says "vi": the saved choice wins
    await harness.reply("sendMessage", "Main menu")


@pytest.mark.parametrize(
    ("refusal", "shown_by"),
    [
        # The message is gone (deleted by the user, or too old to edit): sent anew.
        ("Bad Request: message to edit not found", "sendMessage"),
        ("Bad Request: message can't be edited", "sendMessage"),
        # Telegram already shows it (a double tap): nothing more to do.
        (NOT_MODIFIED, None),
    ],
)
async def test_an_edit_telegram_refuses_is_handled_without_an_error(
    any_harness: Harness, refusal: str, shown_by: str | None
) -> None:
    harness = any_harness
    await harness.start()
    harness.send("/language")
    await harness.reply("sendMessage", "Chọn ngôn ngữ")
    harness.api.set_faults(
        force_400={"count": 1, "description": refusal, "method": "editMessageText"}
    )

    harness.click("Chọn ngôn ngữ", "🇬🇧 English")

    refused = await harness.wait_for(
        lambda rs: next((r for r in rs if r.get("fault") == "400"), None), "the refused edit"
    )
    assert "Main menu" in refused["params"]["text"]
    if shown_by:
        await harness.reply(shown_by, "Main menu")
    harness.send("/start")  # the bot carries on, in the language chosen
    await harness.reply("sendMessage", "Main menu")
    assert "ERROR" not in harness.bot.stderr()
    assert "Traceback" not in harness.bot.stderr()


# --- 3. flood control -------------------------------------------------------------------------


async def test_a_reply_hit_by_flood_control_is_sent_after_retry_after(
    any_harness: Harness,
) -> None:
    harness = any_harness
    retry_after = 2
    await harness.start()
    await harness.ready()
    harness.api.set_faults(
        force_429={"count": 1, "retry_after": retry_after, "method": "sendMessage"}
    )
    harness.send("/start")
    await harness.reply("sendMessage", "Menu chính")

    requests = harness.api.requests
    sends = [i for i, r in enumerate(requests) if r["method"] == "sendMessage"]
    assert [requests[i].get("fault") for i in sends] == ["429", None]
    gap = harness.seen_at[sends[1]] - harness.seen_at[sends[0]]
    # Both times are when polling first saw the call, so each may be late by one interval.
    assert gap >= retry_after - POLL_INTERVAL, (
        f"the retry came {gap:.2f}s after the 429 that asked to wait {retry_after}s"
    )


# --- 4. restart mid-dialog --------------------------------------------------------------------


async def test_a_restart_mid_dialog_keeps_the_users_progress(
    harness: Harness, database_url: str, redis_url: str | None
) -> None:
    harness.settings["DATABASE_URL"] = database_url
    if redis_url:
        harness.settings["REDIS_URL"] = redis_url
    areas = harness.workdir / "areas.csv"
    areas.write_text(AREAS_CSV, encoding="utf-8")
    code, stderr = await harness.run_cli("areas", "import", str(areas))
    assert code == 0, stderr

    await harness.start()
    harness.send("/start")
    await harness.reply("sendMessage", "Menu chính")
    harness.click("Menu chính", "📍 Xã, thôn của tôi")
    await harness.reply("editMessageText", "xã, phường")  # the only province is skipped
    assert labels(harness.showing("xã, phường", AN["id"]))[:2] == ["Xã Đông Hòa", "Xã Tân Lập"]
    harness.click("xã, phường", "Xã Đông Hòa")
    await harness.reply("editMessageText", "thôn, tổ dân phố")
    hamlets = harness.showing("thôn, tổ dân phố", AN["id"])
    assert {"Thôn Đông", "Thôn Đoài"} <= set(labels(hamlets))
    # aiogram-dialog handles a chat's updates one at a time, so once this reply is sent the
    # click above is fully stored: the restart below cannot race it.
    harness.send("/help")
    await harness.reply("sendMessage", "Trợ giúp")

    assert await harness.bot.stop() == 0, harness.bot.stderr()
    await harness.start()
    harness.click("thôn, tổ dân phố", "Thôn Đoài")
    confirm = await harness.reply("editMessageText", "Thôn Đoài, Xã Đông Hòa")
    assert confirm["params"]["message_id"] == hamlets["message_id"]


async def test_an_update_in_flight_at_sigterm_is_finished_before_exit(
    any_harness: Harness,
) -> None:
    harness = any_harness
    await harness.start()
    await harness.ready()
    harness.api.set_faults(delay=2.0)  # every Bot API answer now takes 2 s
    harness.send("/start")
    await harness.wait_for(lambda rs: first_index(rs, "sendMessage"), "the menu on its way")
    await harness.bot.stop()  # a deploy restarts the bot while the menu is being sent
    harness.api.set_faults(delay=0)
    await harness.wait_for(lambda _: harness.api.sent_messages(AN["id"]) or None, "the menu")

    await harness.start()
    harness.click("Menu chính", "🌐 Ngôn ngữ (Language)")
    reply = await harness.first_reply(
        ("editMessageText", "Chọn ngôn ngữ"), ("sendMessage", "không còn dùng được")
    )
    assert reply["method"] == "editMessageText", f"the menu had dead buttons: {text_of(reply)}"


# --- 5. webhook -------------------------------------------------------------------------------


async def post_update(url: str, update: JsonDict, secret: str | None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def test_webhook_mode_accepts_only_updates_with_the_secret(harness: Harness) -> None:
    port = free_port()
    harness.settings |= {
        "WEBHOOK_URL": "https://example.invalid/telegram",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": "s3cret",
    }
    await harness.start()
    set_webhook = await harness.called("setWebhook")
    hook = harness.api.requests[set_webhook]["params"]
    assert hook["url"] == "https://example.invalid/telegram"
    assert hook["secret_token"] == "s3cret"

    url = f"http://127.0.0.1:{port}/telegram"
    forged = message_update("/start", BINH) | {"update_id": next(_update_ids)}
    assert await post_update(url, forged, None) in (401, 403)
    genuine = message_update("/start", AN) | {"update_id": next(_update_ids)}
    assert await post_update(url, genuine, "s3cret") == 200
    await harness.reply("sendMessage", "Menu chính")

    requests = harness.api.requests
    assert first_index(requests, "getUpdates") is None, "a webhook bot must not poll"
    to_forger = [r for r in requests if str(r["params"].get("chat_id")) == str(BINH["id"])]
    assert to_forger == [], "the update without the secret was handled"


# --- 6, 7. settings errors --------------------------------------------------------------------


def run_cli_sync(
    workdir: Path, env: dict[str, str], *options: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *options],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_without_a_token_it_says_where_to_get_one(tmp_path: Path) -> None:
    done = run_cli_sync(tmp_path, clean_env(DATABASE_URL=sqlite_url(tmp_path)))
    lines = done.stderr.splitlines()
    assert done.returncode != 0
    assert len(lines) == 1, done.stderr
    assert "@BotFather" in lines[0]
    assert "hoctap console" in lines[0]


def test_an_unknown_time_zone_is_named_in_one_line(tmp_path: Path) -> None:
    env = clean_env(BOT_TOKEN=TOKEN, DATABASE_URL=sqlite_url(tmp_path), TIMEZONE="Mars/Base")
    done = run_cli_sync(tmp_path, env)
    lines = done.stderr.splitlines()
    assert done.returncode != 0
    assert len(lines) == 1, done.stderr
    assert "TIMEZONE" in lines[0]
