"""A fake Telegram Bot API server (aiohttp) for tests and local runs.

In-process: ``async with FakeBotAPI() as api:`` then point aiogram at
``TelegramAPIServer.from_base(api.base_url)``.  Stand-alone:
``python -m tests.fake_bot_api --port 8081`` and drive it over ``/_control/*``.

Every request is checked by ``tests/spec_check.py`` (method and parameters against the spec
when there is one; HTML, lengths and keyboards always) and refused with a 400 as Telegram would;
the problems of the bot's own requests (aiogram's User-Agent) also go to ``REQUESTS``, which
fails the test.  Text is stored as sent: parse_mode is not rendered into entities.  Every
recorded request carries ``at``, its receive time on the fake's clock, so achieved send rates
can be measured.
Faults (``set_faults``): rate_limit_global, rate_limit_per_chat, rate_limit_per_group_minute,
force_429, random_429, forbidden_chats, force_5xx, force_400, delay, drop_connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import mimetypes
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.spec_check import REQUESTS, SPEC_PATH, check_request, load_spec

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[Any]]

DEFAULT_SPEC = SPEC_PATH
BOT_USER: JsonDict = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Hoc Tap Bot",
    "username": "hoctap_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
FAULT_KEYS = frozenset(
    {
        "rate_limit_global",
        "rate_limit_per_chat",
        "rate_limit_per_group_minute",
        "force_429",
        "random_429",
        "forbidden_chats",
        "force_5xx",
        "force_400",
        "delay",
        "drop_connection",
    }
)
# Rate limits model Telegram's flood control, which applies to calls that post into a chat.
_SENDING_PREFIXES = ("send", "copy", "forward", "edit")
# The calls that deliver a new message to a recipient (edits do not), for delivered_counts().
_DELIVERING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
# Without the spec there are no field types; these free-text fields must never be JSON-decoded.
_TEXT_PARAMS = frozenset({"text", "caption", "callback_query_id", "inline_message_id", "url"})
_5XX_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """A Bot API error answer; ``fault`` marks errors injected by ``set_faults``."""

    def __init__(
        self, status: int, description: str, retry_after: int | None = None, fault: str = ""
    ) -> None:
        super().__init__(description)
        self.status, self.description = status, description
        self.retry_after, self.fault = retry_after, fault

    def response(self) -> web.Response:
        """Render the error the way Telegram does."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def _need(params: JsonDict, name: str) -> Any:
    if params.get(name) in (None, ""):
        raise _bad_request(f'required parameter "{name}" is missing')
    return params[name]


def _inline_markup(markup: Any) -> JsonDict | None:
    # Telegram echoes only inline keyboards back in the Message object.
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _is_group(chat: Any) -> bool:
    # Group (and supergroup) ids are negative; "@username" strings are not groups.
    try:
        return int(chat) < 0
    except (TypeError, ValueError):
        return False


def _check_fault_values(faults: JsonDict) -> None:
    """Reject fault values that could only fail later, inside a request."""
    if random_429 := faults.get("random_429"):
        probability = random_429.get("probability") if isinstance(random_429, dict) else None
        if (
            not isinstance(probability, int | float)
            or isinstance(probability, bool)
            or not 0 <= probability <= 1
        ):
            raise ValueError("random_429 needs a probability between 0 and 1")
    limit = faults.get("rate_limit_per_group_minute")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError("rate_limit_per_group_minute must be a non-negative integer")


class FakeBotAPI:
    """Fake Bot API: records requests, serves queued updates, injects faults."""

    def __init__(
        self, spec_path: Path | None = DEFAULT_SPEC, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """``clock`` drives the rate-limit windows and ``at`` stamps; tests may pass a fake one."""
        self._spec = load_spec(spec_path)
        self._clock = clock
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._true,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup,
            "editMessageCaption": self._edit_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._true,
            "sendChatAction": self._true,
        }
        self._names = {name.lower(): name for name in self._handlers}
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._last_message_id: defaultdict[str, int] = defaultdict(int)
        self._commands: dict[str, list[JsonDict]] = {}
        self._update_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.base_url = ""
        self.reset()

    @property
    def spec_loaded(self) -> bool:
        """Whether methods and parameters are validated against the Bot API spec."""
        return self._spec is not None

    @property
    def requests(self) -> list[JsonDict]:
        """Recorded Bot API calls in arrival order, faulted ones included.

        Each entry has ``method``, ``params``, ``token``, ``at`` (receive time on the clock)
        and, for injected errors, ``fault`` ("429", "403", "5xx" or "drop").
        """
        return list(self._requests)

    def reset(self) -> None:
        """Forget requests, pending updates, faults, rate windows and stored messages.

        Update and message ids keep counting up, so a polling bot's offset stays valid.
        """
        self._requests: list[JsonDict] = []
        self._updates: list[JsonDict] = []
        self._faults: JsonDict = {}
        self._random_429_rng: random.Random | None = None
        self._delivered: Counter[str] = Counter()
        self._windows: defaultdict[str, deque[float]] = defaultdict(deque)
        self._chats: defaultdict[str, dict[int, JsonDict]] = defaultdict(dict)
        self._sent: list[JsonDict] = []
        # The same messages per chat: a driver polling each user's screen stays cheap.
        self._sent_to: defaultdict[str, list[JsonDict]] = defaultdict(list)
        self._webhook_url = ""

    def queue_update(self, update: JsonDict) -> int:
        """Queue an Update for getUpdates; returns its update_id (assigned if missing)."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        else:  # keep later automatic ids above explicit ones
            floor = update["update_id"] + 1
            self._update_ids = itertools.count(max(next(self._update_ids), floor))
        self._updates.append(update)
        self._update_event.set()
        return int(update["update_id"])

    def sent_messages(self, chat_id: int | str | None = None) -> list[JsonDict]:
        """Messages the bot sent successfully, in order, with their current (edited) content."""
        return list(self._sent if chat_id is None else self._sent_to.get(str(chat_id), ()))

    def delivered_counts(self) -> Counter[str]:
        """Successful sendMessage/sendPhoto/sendDocument calls per chat id (as a string).

        Edits are not deliveries; a later deleteMessage does not undo one.
        """
        return Counter(self._delivered)

    def set_faults(self, **faults: Any) -> JsonDict:
        """Merge faults into the current ones (see FAULT_KEYS); returns the active faults.

        A falsy value turns a fault off.  "Sending" calls are send*, copy*, forward*, edit*.

        - ``rate_limit_global=N`` / ``rate_limit_per_chat=N``: at most N sending calls per
          sliding second, overall / per chat_id; else 429 with retry_after 1.
        - ``rate_limit_per_group_minute=N`` (off by default; Telegram's value is 20): at most N
          sending calls per sliding 60 s into a group (negative chat_id); else 429 with
          retry_after = whole seconds until the oldest call leaves the window (at least 1).
        - ``force_429={"count": n, "retry_after": 1, "method": None}``: refuse the next n calls
          (of ``method``, or of any method).
        - ``random_429={"probability": p, "retry_after": 1, "seed": None, "chats": None}``:
          refuse each sending call (into one of ``chats``, when given) with probability p,
          drawn from a ``random.Random(seed)`` made when the fault is set, so a run with a
          seed is reproducible.
        - ``forbidden_chats=[chat_id, ...]``: 403 "bot was blocked by the user".
        - ``force_5xx={"count": n, "status": 502, "method": None}``: answer n calls with a 5xx.
        - ``force_400={"count": n, "description": "...", "method": None}``: answer n calls
          with a 400 and that description (say "Bad Request: message to edit not found").
        - ``delay=seconds``: wait before handling every call.
        - ``drop_connection={"count": n, "method": None}``: close n connections unanswered.

        Refused calls are neither stored as sent nor counted in the rate windows.
        """
        unknown = set(faults) - FAULT_KEYS
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        _check_fault_values(faults)
        # Copy dicts so counting down never mutates the caller's objects.
        self._faults.update({k: dict(v) if isinstance(v, dict) else v for k, v in faults.items()})
        if "random_429" in faults:  # a fresh generator per setting, so runs repeat exactly
            fault = self._faults["random_429"]
            self._random_429_rng = random.Random(fault.get("seed")) if fault else None
        return dict(self._faults)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving; returns the base URL for ``TelegramAPIServer.from_base``."""
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram's upload limit
        app.router.add_post("/_control/updates", self._control_updates)
        app.router.add_get("/_control/requests", self._control_requests)
        app.router.add_post("/_control/faults", self._control_faults)
        app.router.add_post("/_control/reset", self._control_reset)
        app.router.add_route("*", "/bot{token}/{method}", self._call)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.base_url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.base_url

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        self._closing = True
        self._update_event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- request pipeline -------------------------------------------------------------------

    async def _call(self, request: web.Request) -> web.Response:
        received = self._clock()
        sent_name = request.match_info["method"]
        method = self._names.get(sent_name.lower(), sent_name)  # names are case-insensitive
        params = await self._read_params(request, method)
        entry = {
            "method": method,
            "params": params,
            "token": request.match_info["token"],
            "at": received,
        }
        self._requests.append(entry)
        try:
            if method not in self._handlers:
                raise ApiError(404, "Not Found: method not found")
            self._validate(request, method, params)
            if await self._drops_connection(request, method, entry):
                return web.Response()  # the transport is closed; nothing reaches the client
            self._check_faults(method, params)
            result = await self._handlers[method](params)
        except ApiError as error:
            if error.fault:
                entry["fault"] = error.fault
            return error.response()
        if method in _DELIVERING_METHODS:
            self._delivered[str(result["chat"]["id"])] += 1
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request, method: str) -> JsonDict:
        raw: dict[str, str] = dict(request.query)
        params: JsonDict = {}
        uploads: JsonDict = {}
        if request.content_type == "application/json" and request.can_read_body:
            params.update(await request.json())
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    uploads[key] = {"filename": value.filename, "size": len(value.file.read())}
                else:
                    raw[key] = value if isinstance(value, str) else value.decode()
        params.update({key: self._decode(method, key, value) for key, value in raw.items()})
        # aiogram names each file part with a random key and passes "attach://<key>".
        for name, value in list(params.items()):
            if isinstance(value, str) and value.removeprefix("attach://") in uploads:
                params[name] = uploads.pop(value.removeprefix("attach://"))
        return params | uploads

    def _decode(self, method: str, name: str, raw: str) -> Any:
        # Form fields carry scalars as text and nested objects as JSON; the spec says which.
        field = (self._spec or {}).get(method, {}).get(name)
        if (field and field["types"] == ["String"]) or (not field and name in _TEXT_PARAMS):
            return raw
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    def _validate(self, request: web.Request, method: str, params: JsonDict) -> None:
        # The spec part only with a spec; HTML, lengths and keyboards always, as Telegram does.
        problems = check_request(method, params, self._spec)
        if "aiogram/" in request.headers.get("User-Agent", ""):  # the bot, not raw test HTTP
            REQUESTS.record(method, params, problems)
        if problems:
            raise _bad_request(problems[0])

    async def _drops_connection(self, request: web.Request, method: str, entry: JsonDict) -> bool:
        if delay := self._faults.get("delay"):
            await asyncio.sleep(delay)
        if self._take("drop_connection", method) is None or request.transport is None:
            return False
        entry["fault"] = "drop"
        request.transport.close()
        return True

    def _take(self, key: str, method: str) -> JsonDict | None:
        """Consume one use of a counted fault if it applies to ``method``."""
        fault = self._faults.get(key)
        if not fault or fault.get("count", 0) <= 0 or fault.get("method") not in (None, method):
            return None
        fault["count"] -= 1
        return fault

    def _check_faults(self, method: str, params: JsonDict) -> None:
        chat = params.get("chat_id")
        forbidden = {str(c) for c in self._faults.get("forbidden_chats", [])}
        if chat is not None and str(chat) in forbidden:
            raise ApiError(403, "Forbidden: bot was blocked by the user", fault="403")
        if fault := self._take("force_5xx", method):
            status = int(fault.get("status", 502))
            raise ApiError(status, _5XX_REASONS.get(status, "Server Error"), fault="5xx")
        if fault := self._take("force_429", method):
            self._raise_429(int(fault.get("retry_after", 1)))
        if fault := self._take("force_400", method):
            raise ApiError(400, str(fault.get("description", "Bad Request")), fault="400")
        if method.startswith(_SENDING_PREFIXES):
            self._check_random_429(chat)
            self._check_rates(chat)

    def _check_random_429(self, chat: Any) -> None:
        fault, rng = self._faults.get("random_429"), self._random_429_rng
        if not fault or rng is None:
            return
        chats = fault.get("chats")
        if chats is not None and str(chat) not in {str(c) for c in chats}:
            return
        if rng.random() < fault["probability"]:
            self._raise_429(int(fault.get("retry_after", 1)))

    def _check_rates(self, chat: Any) -> None:
        # Sliding windows (key, limit, span in seconds) holding only the calls that got through.
        limits = [("global", self._faults.get("rate_limit_global"), 1.0)]
        if chat is not None:
            limits.append((f"chat:{chat}", self._faults.get("rate_limit_per_chat"), 1.0))
            if _is_group(chat):
                limit = self._faults.get("rate_limit_per_group_minute")
                limits.append((f"group:{chat}", limit, 60.0))
        now = self._clock()
        windows = [(self._windows[key], limit, span) for key, limit, span in limits if limit]
        waits = []
        for window, limit, span in windows:
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                waits.append(window[0] + span - now)
        if waits:  # wait until every full window has room
            self._raise_429(max(1, math.ceil(max(waits))))
        for window, _, _ in windows:
            window.append(now)

    @staticmethod
    def _raise_429(retry_after: int) -> None:
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after, "429")

    # --- Bot API methods --------------------------------------------------------------------

    async def _true(self, params: JsonDict) -> bool:
        return True

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return dict(BOT_USER)

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset", 0))
        if offset > 0:  # confirms every update below the offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(params.get("timeout", 0)), 0.0)
        while not self._updates and not self._closing and loop.time() < deadline:
            self._update_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), deadline - loop.time())
        return self._updates[:limit]

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: JsonDict) -> bool:
        self._webhook_url = str(params.get("url", ""))
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    @staticmethod
    def _commands_key(params: JsonDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code", "")], sort_keys=True)

    async def _set_my_commands(self, params: JsonDict) -> bool:
        self._commands[self._commands_key(params)] = list(_need(params, "commands"))
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self._commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _store(self, params: JsonDict, **content: Any) -> JsonDict:
        chat_id = _need(params, "chat_id")
        self._last_message_id[str(chat_id)] += 1
        message: JsonDict = {
            "message_id": self._last_message_id[str(chat_id)],
            "from": dict(BOT_USER),
            "chat": {"id": chat_id, "type": "private", "first_name": "User"},
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v not in (None, "")},
        }
        if markup := _inline_markup(params.get("reply_markup")):
            message["reply_markup"] = markup
        self._chats[str(chat_id)][message["message_id"]] = message
        self._sent.append(message)
        self._sent_to[str(chat_id)].append(message)
        return message

    def _file_id(self, value: Any) -> tuple[str, int]:
        # A string is an existing file_id (reused) or a URL; an upload gets a fresh id.
        if isinstance(value, str) and not value.startswith(("http://", "https://")):
            return value, 0
        size = value.get("size", 0) if isinstance(value, dict) else 0
        return f"fake-file-{next(self._file_ids)}", size

    async def _send_message(self, params: JsonDict) -> JsonDict:
        return self._store(params, text=_need(params, "text"))

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        file_id, size = self._file_id(_need(params, "photo"))
        photo = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "width": 800,
            "height": 600,
            "file_size": size,
        }
        return self._store(params, photo=[photo], caption=params.get("caption"))

    async def _send_document(self, params: JsonDict) -> JsonDict:
        upload = _need(params, "document")
        file_id, size = self._file_id(upload)
        name = upload.get("filename", "file") if isinstance(upload, dict) else "file"
        document = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_name": name,
            "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "file_size": size,
        }
        return self._store(params, document=document, caption=params.get("caption"))

    def _find(self, params: JsonDict, action: str) -> JsonDict:
        message = self._chats[str(params.get("chat_id"))].get(params.get("message_id", -1))
        if message is None:
            raise _bad_request(f"message to {action} not found")
        return message

    def _edit(self, message: JsonDict, field: str, value: Any, markup: Any) -> JsonDict:
        new = {field: value, "reply_markup": _inline_markup(markup)}
        if all(message.get(key) == val for key, val in new.items()):
            raise ApiError(400, NOT_MODIFIED)
        for key, val in new.items():
            if val is None:
                message.pop(key, None)
            else:
                message[key] = val
        message["edit_date"] = int(time.time())
        return message

    async def _edit_text(self, params: JsonDict) -> JsonDict:
        message = self._find(params, "edit")
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        return self._edit(message, "text", _need(params, "text"), params.get("reply_markup"))

    async def _edit_caption(self, params: JsonDict) -> JsonDict:
        message = self._find(params, "edit")
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        return self._edit(message, "caption", params.get("caption"), params.get("reply_markup"))

    async def _edit_markup(self, params: JsonDict) -> JsonDict:
        message = self._find(params, "edit")
        markup = params.get("reply_markup")
        return self._edit(message, "reply_markup", _inline_markup(markup), markup)

    async def _delete_message(self, params: JsonDict) -> bool:
        message = self._find(params, "delete")
        del self._chats[str(params.get("chat_id"))][message["message_id"]]
        return True

    # --- HTTP control surface ---------------------------------------------------------------

    async def _control_updates(self, request: web.Request) -> web.Response:
        body = await request.json()
        ids = [self.queue_update(u) for u in (body if isinstance(body, list) else [body])]
        return web.json_response({"ok": True, "result": ids})

    async def _control_requests(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        return web.json_response([r for r in self._requests if method in (None, r["method"])])

    async def _control_faults(self, request: web.Request) -> web.Response:
        try:
            faults = self.set_faults(**await request.json())
        except ValueError as error:
            return web.json_response({"ok": False, "description": str(error)}, status=400)
        return web.json_response({"ok": True, "result": faults})

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True, "result": True})


async def _serve(host: str, port: int, spec: Path | None) -> None:
    api = FakeBotAPI(spec)
    print(await api.start(host, port), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the fake server until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="api.min.json to validate")
    parser.add_argument("--no-spec", action="store_true", help="skip the spec part of validation")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, None if args.no_spec else args.spec))


if __name__ == "__main__":
    main()
