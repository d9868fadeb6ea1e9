"""Telling a household what others decided: its own language, the comment escaped."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage

from bot.delivery.notifier import BotNotifier
from bot.domain.status import Status
from bot.i18n import create_i18n
from bot.services.assessments import STATUS_NOTICES
from tests.fakes import recording_bot

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_a_return_reaches_the_family_in_its_language_with_the_comment_escaped() -> None:
    bot, session = recording_bot()
    notifier = BotNotifier(bot, create_i18n("vi"), ZONE)
    comment = "Câu 2b <chưa rõ> & thiếu"
    await notifier.notify(5, "vi", STATUS_NOTICES[Status.RETURNED], {"comment": comment})
    await notifier.notify(6, "en", STATUS_NOTICES[Status.RETURNED], {"comment": comment})
    vi, en = session.calls
    assert isinstance(vi, SendMessage)
    assert isinstance(en, SendMessage)
    assert (vi.chat_id, en.chat_id) == (5, 6)
    assert "trưởng thôn" in vi.text.lower()
    assert "hamlet head" in en.text
    assert "Câu 2b &lt;chưa rõ&gt; &amp; thiếu" in en.text


async def test_a_family_that_blocked_the_bot_does_not_stop_the_others() -> None:
    bot, session = recording_bot()
    original = session.make_request

    async def blocked_for_five(bot_: object, method: object, timeout: int | None = None):
        if isinstance(method, SendMessage) and method.chat_id == 5:
            raise TelegramForbiddenError(method=method, message="bot was blocked by the user")
        return await original(bot_, method, timeout)  # type: ignore[arg-type]

    session.make_request = blocked_for_five  # type: ignore[method-assign]
    notifier = BotNotifier(bot, create_i18n("vi"), ZONE)
    await notifier.notify(5, "vi", STATUS_NOTICES[Status.VERIFIED], {"comment": ""})
    await notifier.notify(6, "vi", STATUS_NOTICES[Status.VERIFIED], {"comment": ""})
    assert [call.chat_id for call in session.calls if isinstance(call, SendMessage)] == [6]
