"""A family registering in Vietnamese, as a script that reads the screen: for whatever the bot
shows last in the chat, the answer a family gives. Used where the bot runs as a real process
against the fake Bot API and may be interrupted: the kill test and the workers' benchmark."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.test_e2e import JsonDict, callback_update, labels, message_update

NAME = "nguyễn thị mai"
PLEDGE = "Trẻ em trong độ tuổi đi học đều được đến trường"
DONE = "đã đăng ký phấn đấu"


@dataclass(frozen=True)
class Step:
    """What the family does when `prompt` is on their screen."""

    prompt: str
    press: str | None = None
    type_in: str | None = None


# A screen is answered by the first step whose prompt it shows: the summary first (it repeats
# the other prompts' words), the pledge screen twice (tick, then go on once ticked).
STEPS = (
    Step("Mời bạn kiểm tra lại", press="✅ Đồng ý đăng ký"),
    Step("Trước khi bắt đầu", press="✅ Tôi đồng ý"),
    Step("Trước hết, bạn hãy chọn xã", press="📍 Chọn xã, thôn"),
    Step("xã, phường nào", press="Xã Đông Hòa"),
    Step("thôn, tổ dân phố nào", press="Thôn Đoài"),
    Step("Nơi ở của bạn", press="✅ Đúng, lưu lại"),
    Step("Họ và tên của chủ hộ", type_in=NAME),
    Step("Số điện thoại", type_in="{phone}"),  # each family its own
    Step("bao nhiêu người", press="4"),
    Step("độ tuổi đi học (từ 6", press="2"),
    Step(f"✅ {PLEDGE}", press="▶️ Tiếp"),
    Step("Cam kết phấn đấu", press=f"⬜ {PLEDGE}"),
    Step("Bạn muốn làm gì?", press="📝 Đăng ký gia đình"),  # the menu
)


def family(user_id: int) -> JsonDict:
    return {"id": user_id, "is_bot": False, "first_name": "Mai", "language_code": "vi"}


def phone_of(user: JsonDict) -> str:
    return f"0912 {user['id'] // 1000 % 1000:03d} {user['id'] % 1000:03d}"


def screen_text(message: JsonDict) -> str:
    """What the family reads: the text without its HTML tags, then the buttons."""
    text = re.sub(r"<[^>]+>", "", str(message.get("text", "")))
    return "\n".join([text, *labels(message)])


def seen(message: JsonDict) -> tuple[int, str]:
    """What the family saw of a screen, to tell when the bot has answered."""
    return int(message["message_id"]), screen_text(message)


def moved_on(before: tuple[int, str], message: JsonDict) -> bool:
    """Whether `message` is the bot's answer to what was `before` on screen: a new message,
    or the same one changed. Not the same one with its buttons just taken away: the next
    window is on its way in a message of its own."""
    if int(message["message_id"]) != before[0]:
        return True
    return bool(labels(message)) and seen(message) != before


def step_for(message: JsonDict) -> Step:
    shown = screen_text(message)
    found = next((step for step in STEPS if step.prompt in shown), None)
    assert found is not None, f"nothing to answer on {shown!r}"
    return found


def answer_to(message: JsonDict, user: JsonDict) -> JsonDict:
    """The update (without its id) the family sends in answer to the `message` shown."""
    step = step_for(message)
    if step.type_in is not None:
        return message_update(step.type_in.format(phone=phone_of(user)), user)
    assert step.press is not None
    return callback_update(message, step.press, user)
