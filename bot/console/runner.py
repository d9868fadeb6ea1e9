"""`hoctap console`: the real dispatcher, dialogs and database, with the console as Telegram."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    Message,
    MessageEntity,
    Update,
    User,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_dispatcher
from bot.config import Settings
from bot.console import actions
from bot.console.telegram import ConsoleSession, Screen, visible
from bot.delivery.progress import BroadcastReporter
from bot.delivery.sender import OutboxSender, SenderOptions
from bot.domain.outbox import parse_quiet_hours
from bot.i18n import create_i18n
from bot.scheduler import reminders_job
from bot.services.areas import import_areas
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

DEMO_DATABASE_URL = "sqlite+aiosqlite:///./data/demo.db"
DEMO_AREAS = Path(__file__).resolve().parent.parent / "data" / "demo_areas.csv"


class Console:
    """One chat between the current user and the bot; `@restart` rebuilds the dispatcher."""

    def __init__(
        self, settings: Settings, engine: AsyncEngine, out: Callable[[str], None]
    ) -> None:
        self.settings, self.engine, self.out = settings, engine, out
        self.screen = Screen()
        self.bot = Bot(
            "123456:CONSOLE",
            session=ConsoleSession(self.screen, out),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self.user = User(id=1001, is_bot=False, first_name="Người dùng", language_code="vi")
        self.users = {self.user.id: self.user}  # each keeps its own name and language
        self.update_id = 0
        self.dp = self._build()
        sessions = create_session_factory(engine)
        # No Telegram limits here: `@deliver` sends at once, whatever the hour.
        options = SenderOptions(quiet=parse_quiet_hours("off"), zone=settings.zone)
        # `@remind TIME` moves the console's clock forward, for the outbox too.
        self.moved_to: datetime | None = None
        self.sender = OutboxSender(sessions, self.bot, options, wall=self._now)
        i18n = create_i18n(settings.default_locale)
        self.reporter = BroadcastReporter(sessions, self.bot, i18n, settings.zone)

    def _build(self) -> Dispatcher:
        i18n = create_i18n(self.settings.default_locale)
        return build_dispatcher(self.settings, create_session_factory(self.engine), i18n)

    def _now(self) -> datetime:
        real = datetime.now(UTC)
        return max(real, self.moved_to) if self.moved_to else real

    async def _remind(self, at: datetime | None) -> None:
        """The reminder job as the scheduler runs it; a naive time is in the bot's zone."""
        zone = self.settings.zone
        moment = (at.replace(tzinfo=zone) if at and at.tzinfo is None else at) or self._now()
        self.moved_to = max(moment, self.moved_to) if self.moved_to else moment
        composer = self.dp["composer"]
        stored = await reminders_job(
            create_session_factory(self.engine),
            composer,
            zone,
            moment,
            default_locale=self.settings.default_locale,
        )
        self.out(f"— {stored} reminder(s) queued in the outbox —")

    async def _deliver(self, limit: int | None) -> None:
        sent = await self.sender.flush(limit)
        await self.reporter.tick()
        self.out(f"— {sent} message(s) sent from the outbox —")

    async def perform(self, action: actions.Action) -> None:
        match action:
            case actions.SendText(text):
                await self._feed(message=self._message(text=text, entities=_command(text)))
            case actions.Click(label):
                await self._click(label)
            case actions.ShareContact(phone):
                contact = Contact(
                    phone_number=phone, first_name=self.user.first_name, user_id=self.user.id
                )
                await self._feed(message=self._message(contact=contact))
            case actions.SendFile(path):
                await self._send_file(Path(path))
            case actions.SwitchUser(user_id, name):
                known = self.users.get(user_id) or User(
                    id=user_id, is_bot=False, first_name=f"User {user_id}", language_code="vi"
                )
                self._become(known.model_copy(update={"first_name": name}) if name else known)
            case actions.SetLanguage(code):
                self._become(self.user.model_copy(update={"language_code": code}))
            case actions.Restart():
                await self.dp.storage.close()
                self.dp = self._build()
                self.out("— restarted —")
            case actions.Deliver(limit):
                await self._deliver(limit)
            case actions.Remind(at):
                await self._remind(at)
            case actions.Invalid(reason):
                self.out(f"! {reason}")

    def _become(self, user: User) -> None:
        self.user = self.users[user.id] = user

    async def _click(self, label: str) -> None:
        candidates = self._buttons()
        found, problem = actions.find_button(label, candidates)
        if found is None:
            self.out(f"! {problem}")
            return
        kind, message, button = found
        if kind == "reply":
            await self._feed(message=self._message(text=button.text))
            return
        query = CallbackQuery(
            id=str(self.update_id),
            from_user=self.user,
            chat_instance="console",
            message=message,
            data=button.callback_data,
        )
        await self._feed(callback_query=query)

    def _buttons(self) -> list[tuple[str, Any]]:
        """This chat's reply keyboard, then its inline buttons from the newest message."""
        found: list[tuple[str, Any]] = [
            (visible(b.text), ("reply", None, b))
            for row in self.screen.reply_keyboards.get(self.user.id, [])
            for b in row
        ]
        mine = [m for m in self.screen.messages.values() if m.chat.id == self.user.id]
        for message in sorted(mine, key=lambda m: -m.message_id):
            rows = message.reply_markup.inline_keyboard if message.reply_markup else []
            found += [
                (b.text, ("inline", message, b))
                for row in rows
                for b in row
                if b.callback_data is not None
            ]
        return found

    async def _send_file(self, path: Path) -> None:
        """A document from this computer, as the 📎 button sends it."""
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as error:
            self.out(f"! cannot read {path}: {error.strerror}")
            return
        file_id = f"console-upload-{len(self.screen.files) + 1}"
        self.screen.files[file_id] = content
        document = Document(
            file_id=file_id, file_unique_id=file_id, file_name=path.name, file_size=len(content)
        )
        self.out(f"[📎 {path.name}]")
        await self._feed(message=self._message(document=document))

    def _message(self, **content: Any) -> Message:
        self.screen.next_id += 1
        return Message(
            message_id=self.screen.next_id - 1,
            date=datetime.now(UTC),
            chat=Chat(id=self.user.id, type="private"),
            from_user=self.user,
            **content,
        )

    async def _feed(self, **event: Any) -> None:
        self.update_id += 1
        update = Update(update_id=self.update_id, **event)
        try:
            await self.dp.feed_update(self.bot, update)
        except Exception as error:  # the console keeps going, as the bot would
            self.out(f"! the bot failed: {type(error).__name__}: {error}")


def _command(text: str) -> list[MessageEntity] | None:
    if not text.startswith("/"):
        return None
    return [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]


async def prepare_database(url: str, seed_demo: bool) -> AsyncEngine:
    """Migrate, and seed the demo areas into an empty demo database."""
    engine = create_engine(url)
    await upgrade(engine)
    if seed_demo:
        async with create_session_factory(engine)() as session:
            uow = SqlUnitOfWork(session)
            if not await uow.areas.children(None):
                await import_areas(uow, DEMO_AREAS.read_text(encoding="utf-8"))
    return engine


async def run_console(
    settings: Settings, lines: Iterable[str] | None = None, out: Callable[[str], None] = print
) -> int:
    engine = await prepare_database(
        settings.database_url, seed_demo=settings.database_url == DEMO_DATABASE_URL
    )
    console = Console(settings, engine, out)
    interactive = lines is None and sys.stdin.isatty()
    if interactive:
        out(
            "hoctap console — type a message, /start, '> Button', '@deliver' (send what waits "
            "in the outbox), '@restart'; Ctrl-D to quit."
        )
    try:
        for line in lines if lines is not None else _stdin_lines(interactive):
            action = actions.parse_line(line)
            if action is not None:
                await console.perform(action)
    finally:
        await console.dp.storage.close()
        await console.bot.session.close()
        await engine.dispose()
    return 0


def _stdin_lines(interactive: bool) -> Iterable[str]:
    if not interactive:
        yield from sys.stdin
        return
    while True:
        try:
            yield input("you: ")
        except EOFError:
            return
