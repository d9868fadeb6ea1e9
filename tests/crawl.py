"""A crawler over the bot's windows, for the forged-callback sweep (test_forged_callbacks).

It presses every button of every window a user can reach from /start, each press on a copy of
the database as it was when that window was shown, so that what one button does (submit,
recognise, erase) never hides what another window offers. Everything lives in one SQLite file
(the data and the dialog state), so a copy of that file is the whole bot at that moment.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram.types import InlineKeyboardButton, Message, Update, User
from aiogram_dialog.utils import CB_SEP
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, create_session_factory
from tests.test_household_dialogs import Family

# What a button may change without being a change of data: who is where in a dialog, which
# updates were seen, the audit of what was refused, caches and the ids' counter.
NOT_DATA = ("fsm_states", "seen_updates", "audit_log", "standing_cache", "standing_cache_meta")
_update_ids = itertools.count(10_000)
_files = itertools.count()  # saved states and live files of every World share a folder


def snapshot(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def data_of(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that holds data, to compare before and after a press."""
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in NOT_DATA and not name.startswith(("sqlite_", "alembic"))
        ]
        rows = {t: sorted(db.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}
    db.close()
    return rows


def audit_rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        rows = list(db.execute("SELECT action, actor_id, details FROM audit_log ORDER BY id"))
    db.close()
    return rows


def callback_buttons(message: Message | None) -> list[InlineKeyboardButton]:
    markup: Any = message.reply_markup if message is not None else None
    if markup is None or not hasattr(markup, "inline_keyboard"):
        return []
    return [b for row in markup.inline_keyboard for b in row if b.callback_data]


def widget_and_item(callback_data: str) -> tuple[str, str | None]:
    """`intent<SEP>widget:item` -> (widget, item); a plain button has no item."""
    widget_data = callback_data.split(CB_SEP, 1)[-1]
    widget, _, item = widget_data.partition(":")
    return widget, item or None


def window_key(message: Message | None) -> frozenset[str]:
    """Windows are told apart by the widgets their buttons belong to."""
    return frozenset(widget_and_item(str(b.callback_data))[0] for b in callback_buttons(message))


def dialog_state(state: Path, message: Message) -> str | None:
    """The dialog state ("HamletSG:menu") behind a window, as stored in `state`."""
    buttons = callback_buttons(message)
    if not buttons:
        return None
    intent = str(buttons[0].callback_data).split(CB_SEP, 1)[0]
    with sqlite3.connect(state) as db:
        row = db.execute(
            "SELECT data FROM fsm_states WHERE key LIKE ?", (f"%:aiogd:context:{intent}",)
        ).fetchone()
    db.close()
    return str(json.loads(row[0])["state"]) if row else None


@dataclass
class Window:
    """A window as the crawler found it: the message and the bot's state behind it."""

    message: Message
    state: Path
    path: tuple[str, ...]


@dataclass
class Press:
    """A button pressed on a window, and whether that changed data."""

    window: Window
    button: InlineKeyboardButton
    changed: bool


@dataclass
class Crawl:
    """Every window `user` reached from /start, and every press made on the way."""

    windows: list[Window] = field(default_factory=list)
    presses: list[Press] = field(default_factory=list)

    def items(self) -> dict[str, set[str]]:
        """Each widget's item ids, as offered anywhere in this crawl."""
        offered: dict[str, set[str]] = {}
        for window in self.windows:
            for button in callback_buttons(window.message):
                widget, item = widget_and_item(str(button.callback_data))
                if item is not None:
                    offered.setdefault(widget, set()).add(item)
        return offered


class World:
    """A database file of a prepared world, and one chat with the bot that is put back to any
    saved moment of it before each press (building a dispatcher costs 150 ms, a press 5)."""

    def __init__(self, base: Path, workdir: Path) -> None:
        self.base = base
        self.workdir = workdir
        self.live = workdir / f"live{next(_files)}.db"
        self._chat: Family | None = None
        self._engine: AsyncEngine | None = None

    async def close(self) -> None:
        await self._put_away()

    def save(self) -> Path:
        """The live database as it is now, kept to come back to."""
        target = self.workdir / f"s{next(_files)}.db"
        snapshot(self.live, target)
        return target

    async def press(
        self, user: User, message: Message, button: InlineKeyboardButton, state: Path
    ) -> tuple[Message | None, list[str]]:
        """Press `button` of `message` as `user`, the bot as it was at `state`: the window
        shown (None if no window came) and every text sent."""
        chat = await self._back_to(state, user)
        callback = chat.client._new_callback(message, button)
        await chat.dp.feed_update(
            chat.bot, Update(update_id=next(_update_ids), callback_query=callback)
        )
        shown = chat.manager.last_message() if chat.manager.sent_messages else None
        return shown, chat.session.sent_texts()

    async def send(self, user: User, text: str, state: Path) -> Message:
        chat = await self._back_to(state, user)
        chat.client.last_update_id = next(_update_ids)
        await chat.client.send(text)
        return chat.manager.last_message()

    async def _back_to(self, state: Path, user: User) -> Family:
        """The chat, on a database just as `state` holds it, with nothing remembered: the
        dialog-state store and the engine (whose read caches go with it) are new."""
        await self._put_away()
        snapshot(state, self.live)
        self._engine = create_engine(f"sqlite+aiosqlite:///{self.live}")
        if self._chat is None:
            self._chat = Family(create_session_factory(self._engine), None)
        self._chat.session_factory.configure(bind=self._engine)
        self._chat.as_user(user)
        self._chat.manager.reset_history()
        self._chat.session.calls.clear()
        return self._chat

    async def _put_away(self) -> None:
        if self._chat is not None:
            await self._chat.dp.storage.close()
        if self._engine is not None:
            await self._engine.dispose()

    async def crawl(
        self,
        user: User,
        *,
        base: Path | None = None,
        typed: Mapping[str, str] | None = None,
        depth: int = 8,
        limit: int = 400,
    ) -> Crawl:
        """Breadth first from /start: each new kind of window once, each of its buttons. A
        window whose dialog state is in `typed` is also answered with that text."""
        first = await self.send(user, "/start", base or self.base)
        crawl, seen = Crawl(), set[frozenset[str]]()

        async def found(shown: Message | None, path: tuple[str, ...]) -> None:
            key = window_key(shown)
            if shown is None or key in seen or len(path) > depth or len(crawl.windows) >= limit:
                return
            seen.add(key)
            window = Window(shown, self.save(), path)
            crawl.windows.append(window)
            text = (typed or {}).get(dialog_state(window.state, shown) or "")
            if text is not None:
                await found(await self.send(user, text, window.state), (*path, f"“{text}”"))

        await found(first, ())
        for window in _growing(crawl.windows):
            before = data_of(window.state)
            for button in callback_buttons(window.message):
                shown, _ = await self.press(user, window.message, button, window.state)
                crawl.presses.append(Press(window, button, data_of(self.live) != before))
                await found(shown, (*window.path, button.text))
        return crawl


def _growing(windows: list[Window]) -> Iterator[Window]:
    i = 0
    while i < len(windows):
        yield windows[i]
        i += 1
