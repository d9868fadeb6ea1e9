"""Dialog flows through the real build_dispatcher(), on every configured storage backend."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiogram.types import Message, User
from aiogram_dialog.test_tools import BotClient, MockMessageManager
from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.config import Settings
from bot.i18n import create_i18n
from bot.services.areas import import_areas
from storage.uow import SqlUnitOfWork
from tests.fakes import recording_bot

AREAS = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã Đông Hòa,commune,P
C2,Xã Tân Lập,commune,P
C3,Xã <b>A & B</b>,commune,P
H1,Thôn Đông,hamlet,C1
H2,Thôn Đoài,hamlet,C1
H3,Thôn Thượng,hamlet,C1
"""


class Harness:
    """A chat with the bot; `restart()` rebuilds everything but the database and Redis."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], redis_url: str | None
    ) -> None:
        self.session_factory = session_factory
        self.settings = Settings(
            database_url="sqlite+aiosqlite:///unused.db",
            redis_url=redis_url,
            admin_ids=frozenset({777}),
        )
        self.user = User(id=1, is_bot=False, first_name="An", language_code="vi")
        self.restart()

    def restart(self) -> None:
        self.manager = MockMessageManager()
        self.bot, self.session = recording_bot()
        self.dp = build_dispatcher(
            self.settings, self.session_factory, create_i18n("vi"), message_manager=self.manager
        )
        self.client = self._client(self.user)

    def as_user(self, user: User) -> None:
        self.user = user
        self.client = self._client(user)

    def _client(self, user: User) -> BotClient:
        client = BotClient(self.dp, user_id=user.id, chat_id=user.id, bot=self.bot)
        old = getattr(self, "client", None)
        if old is not None:  # update ids stay unique per bot, as Telegram's are
            client.last_update_id, client.last_message_id = old.last_update_id, old.last_message_id
        client.user = user
        return client

    async def send(self, text: str) -> Message:
        self.manager.reset_history()
        await self.client.send(text)
        return self.manager.last_message()

    async def click(self, label: str) -> Message:
        message = self.manager.last_message()
        self.manager.reset_history()
        await self.client.click(message, InlineButtonTextLocator(re.escape(label)))
        return self.manager.last_message()

    async def close(self) -> None:
        await self.dp.storage.close()


def buttons(message: Message) -> list[str]:
    markup: Any = message.reply_markup
    return [button.text for row in markup.inline_keyboard for button in row] if markup else []


@pytest.fixture
async def chat(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    async with session_factory() as session:
        report = await import_areas(SqlUnitOfWork(session), AREAS)
        assert report.ok, report.errors
    harness = Harness(session_factory, redis_url)
    yield harness
    await harness.close()


async def test_start_shows_the_vietnamese_menu(chat: Harness) -> None:
    menu = await chat.send("/start")
    assert "Menu chính" in (menu.text or "")
    assert buttons(menu) == [
        "📝 Đăng ký gia đình",
        "🔗 Tôi có mã hộ",
        "📍 Xã, thôn của tôi",
        "📖 Tìm hiểu phong trào",
        "🌐 Ngôn ngữ (Language)",
    ]


async def test_telegram_language_english_gets_the_english_menu(chat: Harness) -> None:
    chat.as_user(User(id=2, is_bot=False, first_name="Ann", language_code="en-GB"))
    menu = await chat.send("/start")
    assert "Main menu" in (menu.text or "")


async def test_other_telegram_languages_fall_back_to_vietnamese(chat: Harness) -> None:
    chat.as_user(User(id=3, is_bot=False, first_name="Ivan", language_code="ru"))
    menu = await chat.send("/start")
    assert "Menu chính" in (menu.text or "")


async def test_language_choice_is_remembered_over_telegram_language(chat: Harness) -> None:
    await chat.send("/language")
    menu = await chat.click("🇬🇧 English")
    assert "Main menu" in (menu.text or "")
    chat.restart()
    again = await chat.send("/start")
    assert "Main menu" in (again.text or "")
    assert "🌐 Language" in buttons(again)


async def test_choosing_a_place_saves_it_and_the_menu_shows_it(
    chat: Harness, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await chat.send("/start")
    communes = await chat.click("📍 Xã, thôn của tôi")  # one province: skipped for the user
    assert "xã, phường" in (communes.text or "")
    await chat.click("Xã Đông Hòa")
    confirm = await chat.click("Thôn Đoài")
    assert "Thôn Đoài, Xã Đông Hòa, Tỉnh Thử" in (confirm.text or "")
    menu = await chat.click("✅ Đúng, lưu lại")
    assert "Nơi ở của bạn: Thôn Đoài" in (menu.text or "")
    async with session_factory() as session:
        user = await SqlUnitOfWork(session).users.get(chat.user.id)
    assert user is not None
    assert user.area_code == "H2"


async def test_typing_without_accents_filters_the_list(chat: Harness) -> None:
    await chat.send("/start")
    await chat.click("📍 Xã, thôn của tôi")
    filtered = await chat.send("dong hoa")
    assert buttons(filtered)[0] == "Xã Đông Hòa"
    assert "Xã Tân Lập" not in buttons(filtered)
    nothing = await chat.send("zzz")
    assert "Không tìm thấy" in (nothing.text or "")
    cleared = await chat.click("✖️ Bỏ lọc")
    assert "Xã Tân Lập" in buttons(cleared)


async def test_names_are_escaped_in_html_text(chat: Harness) -> None:
    await chat.send("/start")
    await chat.click("📍 Xã, thôn của tôi")
    confirm = await chat.click("Xã <b>A & B</b>")  # a commune without hamlets
    assert "Xã &lt;b&gt;A &amp; B&lt;/b&gt;" in (confirm.text or "")


async def test_cancel_keeps_a_draft_that_can_be_continued(chat: Harness) -> None:
    await chat.send("/start")
    await chat.click("📍 Xã, thôn của tôi")
    await chat.click("Xã Đông Hòa")
    menu = await chat.send("/cancel")
    assert "lưu nháp" in chat.session.sent_texts()[-1]
    assert "Menu chính" in (menu.text or "")
    resume = await chat.click("📍 Xã, thôn của tôi")
    assert "Xã Đông Hòa" in (resume.text or "")
    hamlets = await chat.click("▶️ Làm tiếp")
    assert "Thôn Đông" in buttons(hamlets)


async def test_start_over_discards_the_draft(chat: Harness) -> None:
    await chat.send("/start")
    await chat.click("📍 Xã, thôn của tôi")
    await chat.click("Xã Đông Hòa")
    await chat.send("/cancel")
    await chat.click("📍 Xã, thôn của tôi")
    communes = await chat.click("🔄 Làm lại từ đầu")
    assert "Xã Tân Lập" in buttons(communes)
    await chat.send("/cancel")
    again = await chat.click("📍 Xã, thôn của tôi")
    assert "xã, phường" in (again.text or "")  # no draft left to offer


async def test_progress_survives_a_restart(chat: Harness) -> None:
    await chat.send("/start")
    await chat.click("📍 Xã, thôn của tôi")
    hamlets = await chat.click("Xã Đông Hòa")
    chat.restart()
    chat.manager.show_message  # noqa: B018 - a fresh manager: nothing of the old process
    await chat.client.click(hamlets, InlineButtonTextLocator("Thôn Thượng"))
    confirm = chat.manager.last_message()
    assert "Thôn Thượng, Xã Đông Hòa" in (confirm.text or "")


async def test_a_button_from_a_forgotten_dialog_restarts_at_the_menu(chat: Harness) -> None:
    old_menu = await chat.send("/start")
    stale = old_menu.model_copy(deep=True)
    markup: Any = stale.reply_markup
    first = markup.inline_keyboard[0][0]
    markup.inline_keyboard[0][0] = first.model_copy(
        update={"callback_data": "unknownintent000\x1darea"}
    )
    chat.manager.reset_history()
    await chat.client.click(stale, InlineButtonTextLocator(re.escape(first.text)))
    assert "không còn dùng được" in chat.session.sent_texts()[-1]
    assert "Menu chính" in (chat.manager.last_message().text or "")


async def test_text_at_the_menu_gets_a_helpful_answer(chat: Harness) -> None:
    await chat.send("/start")
    menu = await chat.send("xin chào")
    assert "chưa hiểu" in chat.session.sent_texts()[-1]
    assert "Menu chính" in (menu.text or "")


async def test_text_outside_any_dialog_gets_a_helpful_answer(chat: Harness) -> None:
    await chat.client.send("hello")
    assert "chưa hiểu" in chat.session.sent_texts()[-1]


async def test_cancel_with_nothing_open_says_so(chat: Harness) -> None:
    await chat.client.send("/cancel")
    assert "Không có gì để huỷ" in chat.session.sent_texts()[-1]


async def test_help_lists_the_commands(chat: Harness) -> None:
    await chat.client.send("/help")
    assert all(cmd in chat.session.sent_texts()[-1] for cmd in ("/start", "/language", "/cancel"))


async def test_areas_command_is_refused_to_ordinary_users(chat: Harness) -> None:
    await chat.client.send("/areas")
    assert "dành cho cán bộ xã" in chat.session.sent_texts()[-1]


async def test_areas_command_counts_for_an_admin(chat: Harness) -> None:
    chat.as_user(User(id=777, is_bot=False, first_name="Admin", language_code="vi"))
    await chat.client.send("/areas")
    reply = chat.session.sent_texts()[-1]
    assert "Xã, phường: 3" in reply
    assert "Thôn, tổ dân phố: 3" in reply
