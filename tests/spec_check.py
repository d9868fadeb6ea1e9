"""What Telegram would refuse in one outgoing Bot API request: the method and its parameters
against the spec (../shared/telegram-bot-api-spec), HTML text, text lengths and keyboards.

`check_request(method, params, spec)` takes the parameters as the JSON the API receives;
`request_params` builds them for an aiogram method the way aiogram's session does. The fakes
record what they checked in `REQUESTS`, and tests/conftest.py fails a test whose requests had
problems. Without the spec file only the method/parameter part is skipped (an error on CI).
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

JsonDict = dict[str, Any]
Spec = dict[str, dict[str, JsonDict]]

SPEC_PATH = (
    Path(__file__).resolve().parents[2] / "shared" / "telegram-bot-api-spec" / "api.min.json"
)
TEXT_LIMIT, CAPTION_LIMIT, CALLBACK_ANSWER_LIMIT, CALLBACK_DATA_BYTES = 4096, 1024, 200, 64
_MESSAGE_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
# InlineKeyboardButton fields of which a button has exactly one (text, style and icon aside).
INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
# Telegram's HTML tags (https://core.telegram.org/bots/api#html-style), with the attribute
# some of them cannot go without.
TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"code", "pre", "blockquote", "tg-emoji", "tg-time"}
)
_NEEDED_ATTRIBUTE = {"a": "href", "tg-emoji": "emoji-id", "tg-time": "unix"}
_SPECIAL = re.compile(r"[<>&]")
_VALUE = r"""(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+))"""
_TAG = re.compile(rf"<(/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:\s*=\s*{_VALUE})?)*)\s*>")
_ATTRIBUTE = re.compile(rf"([\w-]+)(?:\s*=\s*{_VALUE})?")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


@functools.cache
def load_spec(path: Path | None) -> Spec | None:
    """Method name -> parameter name -> field of the spec; None when the file is absent.
    Read once per process and path: callers must not change what it returns."""
    if path is None or not path.is_file():
        return None
    methods = json.loads(path.read_text(encoding="utf-8"))["methods"]
    return {name: {f["name"]: f for f in m.get("fields", [])} for name, m in methods.items()}


def spec_problems(spec: Spec, method: str, params: JsonDict) -> list[str]:
    """An unknown method, parameters the method does not have, required ones missing."""
    fields = spec.get(method)
    if fields is None:
        return [f'unknown method "{method}"']
    problems = [f'unknown parameter "{name}"' for name in params if name not in fields]
    return problems + [
        f'required parameter "{name}" is missing'
        for name, field in fields.items()
        if field["required"] and params.get(name) in (None, "")
    ]


def parse_html(text: str) -> tuple[str, list[str]]:
    """The text a user sees for Telegram HTML `text`, and why Telegram would refuse it."""
    shown: list[str] = []
    problems: list[str] = []
    open_tags: list[str] = []
    position = 0
    for special in _SPECIAL.finditer(text):
        start = special.start()
        if start < position:  # inside a tag or an entity already read
            continue
        shown.append(text[position:start])
        if text[start] == "&" and (entity := _ENTITY.match(text, start)):
            shown.append(html.unescape(entity.group()))
            position = entity.end()
        elif text[start] == "<" and (tag := _TAG.match(text, start)):
            problems += _tag_problems(tag, open_tags)
            position = tag.end()
        else:
            problems.append(f"unescaped {text[start]!r} at offset {start}")
            shown.append(text[start])
            position = start + 1
    shown.append(text[position:])
    return "".join(shown), problems + [f"unclosed tag <{tag}>" for tag in reversed(open_tags)]


def _tag_problems(tag: re.Match[str], open_tags: list[str]) -> list[str]:
    name, where = tag.group(2).lower(), f"at offset {tag.start()}"
    if tag.group(1):  # an end tag
        if open_tags and open_tags[-1] == name:
            open_tags.pop()
            return []
        expected = f"</{open_tags[-1]}>" if open_tags else "no end tag"
        return [f"unmatched end tag </{name}> {where} (expected {expected})"]
    if name not in TAGS:
        return [f"unsupported start tag <{name}> {where}"]
    open_tags.append(name)
    attributes = {
        match.group(1).lower(): html.unescape(next((g for g in match.groups()[1:] if g), ""))
        for match in _ATTRIBUTE.finditer(tag.group(3))
    }
    if name == "span" and attributes.get("class") != "tg-spoiler":
        return [f'<span> without class="tg-spoiler" {where}']
    needed = _NEEDED_ATTRIBUTE.get(name)
    return [f"<{name}> without {needed} {where}"] if needed and not attributes.get(needed) else []


def text_problems(text: str, parse_mode: Any, limit: int, what: str, required: bool) -> list[str]:
    """Entity parsing (for HTML), the length after it, and emptiness when text is required."""
    html_mode = str(parse_mode).lower() == "html"
    shown, problems = parse_html(text) if html_mode else (text, [])
    problems = [f"can't parse entities: {problem}" for problem in problems]
    if len(shown) > limit:
        problems.append(f"{what} is too long: {len(shown)} characters (at most {limit})")
    if required and not shown.strip():
        problems.append(f"{what} is empty")
    return problems


def keyboard_problems(markup: Any) -> list[str]:
    """Inline buttons: text and exactly one action, callback_data of 1-64 bytes; reply
    buttons: text."""
    if not isinstance(markup, dict):
        return []
    problems: list[str] = []
    for r, row in enumerate(markup.get("inline_keyboard") or []):
        for c, button in enumerate(row):
            where = f"inline button [{r}][{c}] {button.get('text')!r}"
            problems += [f"{where}: {problem}" for problem in _inline_button_problems(button)]
    for r, row in enumerate(markup.get("keyboard") or []):
        for c, button in enumerate(row):
            text = button if isinstance(button, str) else button.get("text")
            if not str(text or "").strip():
                problems.append(f"reply button [{r}][{c}]: empty text")
    return problems


def _inline_button_problems(button: JsonDict) -> list[str]:
    problems = [] if str(button.get("text") or "").strip() else ["empty text"]
    actions = sorted(INLINE_ACTIONS & button.keys())
    if len(actions) != 1:
        problems.append(f"{len(actions)} actions {actions} (exactly one needed)")
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode())
        if not 1 <= size <= CALLBACK_DATA_BYTES:
            problems.append(f"callback_data is {size} bytes (1-{CALLBACK_DATA_BYTES})")
    return problems


def content_problems(method: str, params: JsonDict) -> list[str]:
    """What Telegram refuses whatever the spec says: bad HTML, lengths, keyboards."""
    mode = params.get("parse_mode")
    problems: list[str] = []
    if method in _MESSAGE_TEXT_METHODS:
        text = str(params.get("text") or "")
        problems += text_problems(text, mode, TEXT_LIMIT, "message text", required=True)
    if params.get("caption") is not None:
        caption = str(params["caption"])
        problems += text_problems(caption, mode, CAPTION_LIMIT, "caption", required=False)
    if method == "answerCallbackQuery":
        answer = str(params.get("text") or "")  # shown as is: no parse_mode
        problems += text_problems(answer, None, CALLBACK_ANSWER_LIMIT, "text", required=False)
    return problems + keyboard_problems(params.get("reply_markup"))


def check_request(method: str, params: JsonDict, spec: Spec | None) -> list[str]:
    """Every reason Telegram would answer 400 to this request (the spec part when given)."""
    found = spec_problems(spec, method, params) if spec is not None else []
    return found + content_problems(method, params)


def request_params(bot: Bot, method: TelegramMethod[Any]) -> JsonDict:
    """`method`'s parameters as Telegram receives them, prepared by aiogram's own session code:
    defaults resolved (parse_mode), files as "attach://..." names, empty ones left out, and
    through JSON (so a str enum is its value, as in the form aiogram posts)."""
    files: dict[str, Any] = {}
    prepare = bot.session.prepare_value
    prepared = {
        key: prepare(value, bot=bot, files=files, _dumps_json=False)
        for key, value in method.model_dump(warnings=False).items()
    }
    sent = {key: value for key, value in prepared.items() if value is not None and value != ""}
    return dict(json.loads(json.dumps(sent)))


class RequestLog:
    """The requests the fakes checked during the current test, and their problems. One per
    process (`REQUESTS`): a pytest process runs one test at a time."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec_path = spec_path
        self.checked = self.total = 0
        self.problems: list[str] = []

    def start(self) -> None:
        self.checked, self.problems = 0, []

    def check(self, method: str, params: JsonDict) -> list[str]:
        """Check one request against the spec at `spec_path`, record and return its problems."""
        problems = check_request(method, params, load_spec(self.spec_path))
        self.record(method, params, problems)
        return problems

    def record(self, method: str, params: JsonDict, problems: list[str]) -> None:
        self.checked += 1
        self.total += 1
        text = params.get("text", params.get("caption"))
        shown = f" -- in {str(text)[:80]!r}" if isinstance(text, str) and text else ""
        self.problems += [f"{method}: {problem}{shown}" for problem in problems]

    def failure(self) -> str | None:
        """The report failing the test, or None when all its requests were valid."""
        problems = list(self.problems)
        if self.checked and load_spec(self.spec_path) is None and _in_ci():
            problems.insert(0, f"Bot API spec not found at {self.spec_path} (CI=true requires it)")
        if not problems:
            return None
        lines = [f"  {p}" + (f" (x{n})" if n > 1 else "") for p, n in Counter(problems).items()]
        heading = f"{len(problems)} problem(s) in the Bot API requests of this test:"
        return "\n".join([heading, *lines])


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


REQUESTS = RequestLog()
