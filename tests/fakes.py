"""Fakes at the bot-session seam: a recording Telegram for handler and dialog tests.

Each request they get is checked as Telegram would (tests/spec_check.py); a problem fails the
test at teardown (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    GetFile,
    GetMe,
    SendAnimation,
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    TelegramMethod,
)
from aiogram.types import Chat, File, Message, ReplyKeyboardMarkup, User
from aiogram_dialog import ShowMode
from aiogram_dialog.api.entities import NewMessage, OldMessage
from aiogram_dialog.test_tools import MockMessageManager

from tests.spec_check import REQUESTS, request_params

BOT_USER = User(id=42, is_bot=True, first_name="Hoc Tap", username="hoctap_test_bot")


class RecordingSession(BaseSession):
    """Records and checks every API call (its problems in `problems`); sendMessage answers
    with a message, everything else True. Files put with `put_file` are served by getFile and
    downloads, as Telegram keeps them."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.problems: list[str] = []
        self._next_id = 1000
        self.files: dict[str, bytes] = {}

    def put_file(self, file_id: str, content: bytes) -> None:
        self.files[file_id] = content

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.calls.append(method)
        self.problems += REQUESTS.check(method.__api_method__, request_params(bot, method))
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, GetFile):
            if method.file_id not in self.files:
                raise TelegramBadRequest(method, "Bad Request: invalid file_id")
            size = len(self.files[method.file_id])
            path = f"documents/{method.file_id}"
            return File(
                file_id=method.file_id,
                file_unique_id=method.file_id,
                file_size=size,
                file_path=path,
            )
        if isinstance(method, SendMessage):
            self._next_id += 1
            return Message(
                message_id=self._next_id,
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=BOT_USER,
                text=method.text,
            ).as_(bot)
        return True

    def sent_texts(self) -> list[str]:
        return [call.text for call in self.calls if isinstance(call, SendMessage)]

    async def stream_content(
        self, url: str = "", *args: Any, **kwargs: Any
    ) -> AsyncGenerator[bytes, None]:
        yield next((data for key, data in self.files.items() if url.endswith(f"/{key}")), b"")

    async def close(self) -> None:
        return None


def recording_bot() -> tuple[Bot, RecordingSession]:
    session = RecordingSession()
    bot = Bot("42:TEST", session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    return bot, session


_MEDIA_METHODS: dict[str, Callable[..., TelegramMethod[Message]]] = {
    "photo": SendPhoto,
    "document": SendDocument,
    "video": SendVideo,
    "audio": SendAudio,
    "animation": SendAnimation,
}
_SHOW_MESSAGE = MockMessageManager.show_message


def dialog_request(new_message: NewMessage) -> TelegramMethod[Message]:
    """The request aiogram-dialog's real MessageManager makes to send `new_message` anew."""
    common: dict[str, Any] = {
        "chat_id": new_message.chat.id,
        "reply_markup": new_message.reply_markup,
        "parse_mode": new_message.parse_mode,
        "protect_content": new_message.protect_content,
    }
    media = new_message.media
    if media is None:
        links = new_message.link_preview_options
        return SendMessage(text=new_message.text or "", link_preview_options=links, **common)
    source = (media.file_id.file_id if media.file_id else None) or media.url or "attach://file"
    return _MEDIA_METHODS[media.type](caption=new_message.text, **{media.type: source}, **common)


def check_dialog_message(bot: Bot, new_message: NewMessage) -> list[str]:
    """Check what a window would send to Telegram (a message manager fake sends nothing)."""
    if new_message.show_mode is ShowMode.NO_UPDATE:
        return []
    method = dialog_request(new_message)
    return REQUESTS.check(method.__api_method__, request_params(bot, method))


async def checked_show_message(
    self: MockMessageManager, bot: Bot, new_message: NewMessage, old_message: OldMessage | None
) -> OldMessage:
    """MockMessageManager.show_message that checks the window first; tests/conftest.py puts it
    in place for every test, as test modules use aiogram-dialog's class directly."""
    check_dialog_message(bot, new_message)
    return await _SHOW_MESSAGE(self, bot, new_message, old_message)


class ReplyKeyboardMessageManager(MockMessageManager):
    """aiogram-dialog's MockMessageManager, also for windows with a reply keyboard (which its
    Message cannot hold): the keyboard is kept aside in `reply_keyboard`. Windows are checked
    with their keyboard, before it is taken off."""

    def __init__(self) -> None:
        super().__init__()
        self.reply_keyboard: ReplyKeyboardMarkup | None = None

    async def show_message(
        self, bot: Bot, new_message: NewMessage, old_message: OldMessage | None
    ) -> OldMessage:
        check_dialog_message(bot, new_message)
        markup = new_message.reply_markup
        if isinstance(markup, ReplyKeyboardMarkup):
            self.reply_keyboard = markup
            new_message = replace(new_message, reply_markup=None)
        shown = await _SHOW_MESSAGE(self, bot, new_message, old_message)
        return replace(shown, has_reply_keyboard=isinstance(markup, ReplyKeyboardMarkup))
