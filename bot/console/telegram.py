"""A stand-in for Telegram inside the console: answers the bot's API calls and prints them."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import (
    Chat,
    Document,
    File,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)
from aiogram_dialog.utils import split_reply_callback

BOT_USER = User(id=7000001, is_bot=True, first_name="Học tập", username="hoctap_demo_bot")
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """What a phone shows for an HTML message: no tags, entities decoded."""
    return html.unescape(_TAG.sub("", text))


@dataclass
class Screen:
    """What the user's chat shows: messages with their inline keyboards, and a reply keyboard."""

    messages: dict[int, Message] = field(default_factory=dict)
    reply_keyboards: dict[int, list[list[Any]]] = field(default_factory=dict)
    next_id: int = 1
    files: dict[str, bytes] = field(default_factory=dict)  # sent by the user, by file_id


class ConsoleSession(BaseSession):
    """Handles the Bot API methods the bot uses, locally, writing each message to `out`."""

    def __init__(self, screen: Screen, out: Callable[[str], None]) -> None:
        super().__init__()
        self.screen, self._out = screen, out

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        handler = _HANDLERS.get(type(method))
        if handler is None:  # setMyCommands, deleteWebhook, chat actions...: nothing to show
            return True
        return handler(self, bot, method)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """A file the user sent (`@file`), as Telegram serves a download."""
        yield next((data for key, data in self.screen.files.items() if url.endswith(key)), b"")

    async def close(self) -> None:
        return None

    def _new_message(self, bot: Bot, chat_id: int, **content: Any) -> Message:
        message_id, self.screen.next_id = self.screen.next_id, self.screen.next_id + 1
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=BOT_USER,
            **content,
        ).as_(bot)
        self.screen.messages[message_id] = message
        return message

    def _show(self, message: Message) -> None:
        self._out(plain(message.text or message.caption or ""))
        markup = message.reply_markup
        for row in markup.inline_keyboard if markup else []:
            self._out(" ".join(f"[{button.text}]" for button in row))

    def _show_reply_keyboard(self, chat_id: int, markup: Any) -> None:
        if isinstance(markup, ReplyKeyboardMarkup):
            self.screen.reply_keyboards[chat_id] = markup.keyboard
            for row in markup.keyboard:
                self._out(" ".join(f"[{visible(button.text)}]" for button in row))
        elif isinstance(markup, ReplyKeyboardRemove):
            self.screen.reply_keyboards.pop(chat_id, None)


def visible(text: str) -> str:
    """A reply button's text as the phone shows it: aiogram-dialog appends its callback data
    to the text in invisible characters, which a terminal would print as garbage."""
    return split_reply_callback(text)[0] or ""


def _inline(markup: Any) -> InlineKeyboardMarkup | None:
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


def _send_message(session: ConsoleSession, bot: Bot, method: SendMessage) -> Message:
    message = session._new_message(
        bot, int(method.chat_id), text=method.text, reply_markup=_inline(method.reply_markup)
    )
    session._show(message)
    session._show_reply_keyboard(int(method.chat_id), method.reply_markup)
    return message


def _send_photo(session: ConsoleSession, bot: Bot, method: SendPhoto) -> Message:
    photo = [PhotoSize(file_id="console-photo", file_unique_id="p", width=800, height=600)]
    message = session._new_message(
        bot,
        int(method.chat_id),
        photo=photo,
        caption=method.caption,
        reply_markup=_inline(method.reply_markup),
    )
    session._out("[🖼 photo]")
    session._show(message)
    return message


def _send_document(session: ConsoleSession, bot: Bot, method: SendDocument) -> Message:
    name = getattr(method.document, "filename", None) or "file"
    document = Document(file_id="console-doc", file_unique_id="d", file_name=name)
    message = session._new_message(
        bot, int(method.chat_id), document=document, caption=method.caption
    )
    session._out(f"[📎 {name}]")
    session._show(message)
    return message


def _shown(
    session: ConsoleSession, method: TelegramMethod[Any], message_id: int | None
) -> Message:
    """The message being edited, or Telegram's own error when it is not in the chat."""
    message = session.screen.messages.get(int(message_id or 0))
    if message is None:
        raise TelegramBadRequest(method, "Bad Request: message to edit not found")
    return message


def _edit_text(session: ConsoleSession, bot: Bot, method: EditMessageText) -> Message:
    old = _shown(session, method, method.message_id)
    message = old.model_copy(
        update={"text": method.text, "reply_markup": _inline(method.reply_markup)}
    ).as_(bot)
    session.screen.messages[message.message_id] = message
    session._show(message)
    return message


def _edit_markup(session: ConsoleSession, bot: Bot, method: EditMessageReplyMarkup) -> Message:
    old = _shown(session, method, method.message_id)
    markup = _inline(method.reply_markup)
    message = old.model_copy(update={"reply_markup": markup}).as_(bot)
    session.screen.messages[message.message_id] = message
    if markup and markup.inline_keyboard:
        session._show(message)
    return message


def _answer_callback(session: ConsoleSession, _: Bot, method: AnswerCallbackQuery) -> bool:
    if method.text:
        session._out(f"💬 {method.text}")
    return True


def _delete(session: ConsoleSession, _: Bot, method: DeleteMessage) -> bool:
    session.screen.messages.pop(method.message_id, None)
    return True


def _get_file(session: ConsoleSession, _: Bot, method: GetFile) -> File:
    content = session.screen.files.get(method.file_id)
    if content is None:
        raise TelegramBadRequest(method, "Bad Request: invalid file_id")
    path = f"documents/{method.file_id}"
    return File(
        file_id=method.file_id,
        file_unique_id=method.file_id,
        file_size=len(content),
        file_path=path,
    )


_HANDLERS: dict[type, Callable[..., Any]] = {
    GetMe: lambda _session, _bot, _method: BOT_USER,
    GetFile: _get_file,
    SendMessage: _send_message,
    SendPhoto: _send_photo,
    SendDocument: _send_document,
    EditMessageText: _edit_text,
    EditMessageReplyMarkup: _edit_markup,
    AnswerCallbackQuery: _answer_callback,
    DeleteMessage: _delete,
}
