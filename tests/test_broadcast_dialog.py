"""/broadcast through the real dispatcher: an officer chooses who, types, previews and sends;
the outbox holds one message per recipient; the progress message can cancel the rest. Also
/stop and /resume, and everyone who may not broadcast (forged codes and callbacks included)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import EditMessageReplyMarkup, SendMessage
from aiogram.types import CallbackQuery, Chat, InlineKeyboardButton, Message, Update, User
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.households import HouseholdForm, campaign_year
from bot.domain.status import Status
from bot.domain.users import Role
from bot.domain.users import User as User_
from bot.services.households import free_code
from storage.outbox_models import BroadcastRow, OutboxRow
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries, grant, load_areas
from tests.test_dialogs import AREAS
from tests.test_household_dialogs import Family

Factory = async_sessionmaker[AsyncSession]
NOW = datetime.now(UTC)
YEAR = campaign_year(NOW, ZoneInfo("Asia/Ho_Chi_Minh"))
OTHER_OFFICER = User(id=11, is_bot=False, first_name="Other", language_code="en")
HEAD = User(id=20, is_bot=False, first_name="Head", language_code="en")
FAMILY = User(id=101, is_bot=False, first_name="Family", language_code="en")
TYPED = "Họp <b>thôn</b> tối nay & mang sổ hộ khẩu"
ESCAPED = "Họp &lt;b&gt;thôn&lt;/b&gt; tối nay &amp; mang sổ hộ khẩu"
# What an officer reads and presses, in each language.
WORDS = {
    "en": {
        "families": "👨‍👩‍👧 Families",
        "registered": "📝 Registered",
        "send": "✅ Send now · recipients: 2",
        "header": "📢 Message from Xã Đông Hòa:",
        "size": "👥 👨‍👩‍👧 Families · 📝 Registered in Xã Đông Hòa · recipients: <b>2</b>",
        "preparing": "📤 Preparing the broadcast…",
        "cancel": "⏹ Cancel the broadcast",
        "too_long": "The message is too long (4,000 characters). "
        "Please shorten it to 3,500 characters.",
    },
    "vi": {
        "families": "👨‍👩‍👧 Hộ gia đình",
        "registered": "📝 Đã đăng ký",
        "send": "✅ Gửi ngay · số người nhận: 2",
        "header": "📢 Tin nhắn từ Xã Đông Hòa:",
        "size": "👥 👨‍👩‍👧 Hộ gia đình · 📝 Đã đăng ký ở Xã Đông Hòa · số người nhận: <b>2</b>",
        "preparing": "📤 Đang chuẩn bị gửi tin…",
        "cancel": "⏹ Hủy đợt gửi tin",
        "too_long": "Tin nhắn quá dài (4.000 ký tự). Xin hãy rút gọn còn tối đa 3.500 ký tự.",
    },
}


def officer(locale: str) -> User:
    return User(id=10, is_bot=False, first_name="Officer", language_code=locale)


async def family(
    session_factory: Factory, account: int, hamlet: str, status: Status | None, language: str
) -> None:
    """A household of `hamlet` linked to the account `account`, registered this year with
    `status` (None: not registered)."""
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        phone = f"+849120{account:05d}"
        made = await uow.households.add(
            HouseholdForm(hamlet, f"Hộ {account}", phone, 4, 1, ()), await free_code(uow), NOW
        )
        if status is not None:
            registration = await uow.registrations.add(
                made.id, "household", "gia_dinh", YEAR, (), NOW
            )
            await uow.registrations.set_status(registration.id, status, NOW)
        await uow.users.add(User_(id=account, language=language), NOW)
        await uow.households.link(account, made.id, NOW)
        await uow.commit()


@pytest.fixture(params=["en"])
async def chat(request: pytest.FixtureRequest, session_factory: Factory, redis_url: str | None):
    await load_areas(session_factory, AREAS + "H4,Xóm Tân,hamlet,C2\n")
    await grant(session_factory, 10, Role.COMMUNE_OFFICER, "C1")
    await grant(session_factory, OTHER_OFFICER.id, Role.COMMUNE_OFFICER, "C2")
    await grant(session_factory, HEAD.id, Role.HAMLET_HEAD, "H1")
    await family(session_factory, 101, "H1", Status.REGISTERED, "en")
    await family(session_factory, 102, "H2", Status.REGISTERED, "vi")
    await family(session_factory, 103, "H1", Status.SELF_ASSESSED, "vi")
    await family(session_factory, 104, "H3", None, "vi")
    await family(session_factory, 105, "H1", Status.REGISTERED, "vi")  # sends /stop
    await family(session_factory, 201, "H4", Status.REGISTERED, "vi")  # another commune
    harness = Family(session_factory, redis_url)
    harness.as_user(User(id=105, is_bot=False, first_name="Quiet", language_code="vi"))
    await harness.command("/stop")
    harness.as_user(officer(request.param))
    yield harness
    await harness.close()


async def outbox(chat: Family) -> list[tuple[int, str, str | None, str]]:
    """(chat id, state, reason, text) of every outbox message, by chat id."""
    async with chat.session_factory() as session:
        rows = await session.execute(
            select(OutboxRow.chat_id, OutboxRow.state, OutboxRow.reason, OutboxRow.text)
        )
        return sorted(tuple(row) for row in rows)  # type: ignore[misc]


async def broadcasts(chat: Family) -> list[Any]:
    async with chat.session_factory() as session:
        return list(await session.scalars(select(BroadcastRow)))


async def to_the_text(chat: Family, words: dict[str, str]) -> Message:
    chosen = await chat.send("/broadcast")
    assert "Xã Đông Hòa" in (chosen.text or "")
    await chat.click(words["families"])
    return await chat.click(words["registered"])


@pytest.mark.parametrize("chat", ["en", "vi"], indirect=True)
async def test_an_officer_sends_to_the_registered_families_of_the_commune(
    chat: Family, request: pytest.FixtureRequest
) -> None:
    words = WORDS[request.node.callspec.params["chat"]]
    await to_the_text(chat, words)
    preview = await chat.send(TYPED)

    text = preview.text or ""
    assert f"{words['header']}\n\n{ESCAPED}" in text
    assert words["size"] in text
    before = len(chat.session.calls)
    await chat.click(words["send"])

    rows = await outbox(chat)
    assert [(r[0], r[1]) for r in rows] == [(101, "queued"), (102, "queued")]
    assert rows[0][3] == f"📢 Message from Xã Đông Hòa:\n\n{ESCAPED}"
    assert rows[1][3] == f"📢 Tin nhắn từ Xã Đông Hòa:\n\n{ESCAPED}"
    calls = chat.session.calls[before:]
    [report] = [c for c in calls if isinstance(c, SendMessage)]
    assert report.text == words["preparing"]
    [made] = await broadcasts(chat)
    assert (made.report_chat_id, made.total, made.text) == (10, 2, TYPED.strip())
    assert made.report_message_id == chat.session._next_id
    [markup] = [c for c in calls if isinstance(c, EditMessageReplyMarkup)]
    assert markup.message_id == made.report_message_id
    [[button]] = markup.reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert (button.text, button.callback_data) == (words["cancel"], f"bcast:cancel:{made.id}")
    [entry] = [e for e in await audit_entries(chat.session_factory) if e["action"] == "broadcast"]
    assert (entry["actor_id"], entry["recipients"], entry["area"]) == (10, 2, "C1")


async def test_hamlet_heads_are_a_group_without_a_status(chat: Family) -> None:
    await chat.send("/broadcast")
    asked = await chat.click("🏘 Hamlet heads")
    assert "Type the message for <b>🏘 Hamlet heads</b> in Xã Đông Hòa" in (asked.text or "")
    preview = await chat.send("Nộp báo cáo trước thứ Sáu")
    assert "in Xã Đông Hòa · recipients: <b>1</b>" in (preview.text or "")
    await chat.click("✅ Send now · recipients: 1")
    assert [(r[0], r[1]) for r in await outbox(chat)] == [(HEAD.id, "queued")]


async def test_empty_and_too_long_texts_are_refused_and_nothing_is_stored(chat: Family) -> None:
    words = WORDS["en"]
    await to_the_text(chat, words)
    kept = await chat.send("   ")
    assert chat.errors()[-1] == "The message is empty. Please type what you want to send."
    assert "Type the message" in (kept.text or "")
    kept = await chat.send("x" * 4000)
    assert chat.errors()[-1] == words["too_long"]
    assert "Type the message" in (kept.text or "")
    assert await outbox(chat) == []
    assert await broadcasts(chat) == []


@pytest.mark.parametrize("chat", ["vi"], indirect=True)
async def test_a_too_long_text_is_refused_in_vietnamese(chat: Family) -> None:
    await to_the_text(chat, WORDS["vi"])
    await chat.send("x" * 4000)
    assert chat.errors()[-1] == WORDS["vi"]["too_long"]


async def test_nobody_to_reach_says_so_and_offers_back_only(chat: Family) -> None:
    await chat.send("/broadcast")
    await chat.click("👨‍👩‍👧 Families")
    await chat.click("↩️ Returned")
    shown = await chat.send("Xin bổ sung hồ sơ")
    assert "Nobody among 👨‍👩‍👧 Families · ↩️ Returned" in (shown.text or "")
    assert [b.text for row in shown.reply_markup.inline_keyboard for b in row] == ["⬅️ Back"]  # type: ignore[union-attr]
    back = await chat.click("⬅️ Back")
    assert "Who should receive it?" in (back.text or "")


async def test_when_the_last_recipient_stops_before_sending_the_officer_is_told(
    chat: Family,
) -> None:
    await chat.send("/broadcast")
    await chat.click("👨‍👩‍👧 Families")
    await chat.click("📋 Self-assessed")
    await chat.send("Chúc mừng")
    chat.as_user(User(id=103, is_bot=False, first_name="Late", language_code="vi"))
    await chat.command("/stop")
    chat.as_user(officer("en"))

    shown = await chat.click("✅ Send now · recipients: 1")

    edited = [c for c in chat.session.calls if type(c).__name__ == "EditMessageText"]
    assert edited[-1].text == "Nobody in this group can receive messages at the moment."
    assert "Nobody among 👨‍👩‍👧 Families · 📋 Self-assessed" in (shown.text or "")
    assert await outbox(chat) == []
    assert await broadcasts(chat) == []


@pytest.mark.parametrize("who", [HEAD, FAMILY])
async def test_a_head_or_a_family_is_told_the_command_is_for_officers(
    chat: Family, who: User
) -> None:
    chat.as_user(who)
    assert await chat.command("/broadcast") == "This command is for commune officers."


async def test_an_officer_forging_another_communes_code_is_refused_and_audited(
    chat: Family,
) -> None:
    answer = await chat.command("/broadcast C2")
    assert answer == "This area is outside the ones you look after."
    refused = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert (refused[-1]["actor_id"], refused[-1]["attempted"]) == (10, "broadcast")


async def sent_broadcast(chat: Family) -> Any:
    await to_the_text(chat, WORDS["en"])
    await chat.send(TYPED)
    await chat.click(WORDS["en"]["send"])
    [made] = await broadcasts(chat)
    return made


async def press_cancel(chat: Family, who: User, made: Any) -> CallbackQuery:
    message = Message(
        message_id=made.report_message_id,
        date=NOW,
        chat=Chat(id=made.report_chat_id, type="private"),
        text="📤 Preparing the broadcast…",
    )
    button = InlineKeyboardButton(text="⏹", callback_data=f"bcast:cancel:{made.id}")
    chat.as_user(who)
    callback = chat.client._new_callback(message, button)
    await chat.dp.feed_update(chat.bot, Update(update_id=9100, callback_query=callback))
    return callback


async def test_the_author_cancels_and_nothing_more_is_sent(chat: Family) -> None:
    made = await sent_broadcast(chat)
    await press_cancel(chat, officer("en"), made)

    rows = await outbox(chat)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (101, "skipped", "cancelled"),
        (102, "skipped", "cancelled"),
    ]
    [again] = await broadcasts(chat)
    assert again.cancelled_at is not None
    edited = [c for c in chat.session.calls if type(c).__name__ == "EditMessageText"]
    assert "⏹ Broadcast cancelled." in edited[-1].text
    assert "Not sent: 2" in edited[-1].text


async def test_a_forged_cancel_from_another_commune_is_refused_and_audited(
    chat: Family,
) -> None:
    made = await sent_broadcast(chat)
    await press_cancel(chat, OTHER_OFFICER, made)

    assert [r[1] for r in await outbox(chat)] == ["queued", "queued"]
    [again] = await broadcasts(chat)
    assert again.cancelled_at is None
    refused = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert (refused[-1]["actor_id"], refused[-1]["attempted"]) == (
        OTHER_OFFICER.id,
        "cancel_broadcast",
    )
    answered = [c for c in chat.session.calls if type(c).__name__ == "AnswerCallbackQuery"]
    assert answered[-1].text == "This area is outside the ones you look after."
    assert answered[-1].show_alert is True


async def muted(chat: Family, user_id: int) -> bool:
    async with chat.session_factory() as session:
        user = await SqlUnitOfWork(session).users.get(user_id)
    assert user is not None
    return user.muted


async def test_a_family_stops_and_resumes_and_is_skipped_while_stopped(chat: Family) -> None:
    assert await muted(chat, 105)  # the fixture's /stop
    chat.as_user(FAMILY)
    answer = await chat.command("/stop")
    assert answer.startswith("🔕 Reminders and announcements are now off.")
    assert await muted(chat, FAMILY.id)

    chat.as_user(officer("en"))
    await to_the_text(chat, WORDS["en"])
    preview = await chat.send("Nhắc họp")
    assert "in Xã Đông Hòa · recipients: <b>1</b>" in (preview.text or "")
    await chat.click("✅ Send now · recipients: 1")
    assert [r[0] for r in await outbox(chat)] == [102]

    chat.as_user(FAMILY)
    answer = await chat.command("/resume")
    assert answer == "🔔 Reminders and announcements are on again. Send /stop to turn them off."
    assert not await muted(chat, FAMILY.id)


async def test_the_officer_menu_opens_the_broadcast_on_the_commune(chat: Family) -> None:
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    opened = await chat.click("📢 Broadcast")
    assert "📢 <b>A message to Xã Đông Hòa</b>" in (opened.text or "")
