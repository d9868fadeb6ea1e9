"""SIGKILL at random points of a family's registration (10 seeded runs): the real bot on
SQLite against the fake Bot API is killed while an answer is on its way, started again, and
the family simply goes on from the message on their screen. Every answer the bot had
confirmed (by showing the next question) is kept, and the registration ends with all of them.
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass

from sqlalchemy import select

from storage.db import create_engine, create_session_factory
from storage.household_models import HouseholdRow
from tests.test_e2e import (
    AREAS_CSV,
    Harness,
    JsonDict,
    fake_api,  # noqa: F401  (fixture)
    harness,  # noqa: F401  (fixture)
    labels,
    sqlite_url,
)

RUNS = 10
NAME = "nguyễn thị mai"
PLEDGE = "Trẻ em trong độ tuổi đi học đều được đến trường"


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
DONE = "đã đăng ký phấn đấu"
LEFTOVER_SECONDS = 1.5  # pacing only: an answer takes milliseconds


def on_screen(bot: Harness, user: JsonDict) -> JsonDict:
    """The newest message of the bot in the family's chat, as it reads now."""
    return bot.api.sent_messages(user["id"])[-1]


def screen_text(message: JsonDict) -> str:
    """What the family reads: the text without its HTML tags, then the buttons."""
    text = re.sub(r"<[^>]+>", "", str(message.get("text", "")))
    return "\n".join([text, *labels(message)])


def step_for(message: JsonDict) -> Step:
    shown = screen_text(message)
    found = next((step for step in STEPS if step.prompt in shown), None)
    assert found is not None, f"nothing to answer on {shown!r}"
    return found


def phone_of(user: JsonDict) -> str:
    return f"0912 345 {user['id'] % 1000:03d}"


def act(bot: Harness, user: JsonDict, step: Step, message: JsonDict) -> None:
    if step.type_in is not None:
        bot.send(step.type_in.format(phone=phone_of(user)), user)
    else:
        assert step.press is not None
        bot.click(str(message.get("text", "")), step.press, user)


async def answered(bot: Harness, user: JsonDict, before: str) -> None:
    """Wait until the screen no longer reads `before`: the bot confirmed the answer."""

    def changed(_: object) -> bool | None:
        return screen_text(on_screen(bot, user)) != before or None

    await bot.wait_for(changed, "the next question")


async def settled(bot: Harness) -> None:
    """After a start: the bot asked for updates, and had time to handle one it was given
    again (Telegram hands out an update until a later poll confirms it)."""
    polls = [r["method"] for r in bot.api.requests].count("getUpdates")

    def polled(_: object) -> bool | None:
        return [r["method"] for r in bot.api.requests].count("getUpdates") > polls or None

    await bot.wait_for(polled, "a poll")
    await asyncio.sleep(LEFTOVER_SECONDS)


async def test_killed_at_random_points_the_family_goes_on_with_every_answer_kept(
    harness: Harness,  # noqa: F811
) -> None:
    areas = harness.workdir / "areas.csv"
    areas.write_text(AREAS_CSV, encoding="utf-8")
    code, stderr = await harness.run_cli("areas", "import", str(areas))
    assert code == 0, stderr
    await harness.start()
    kills = []
    for run in range(RUNS):
        rng = random.Random(run)
        user: JsonDict = {"id": 7100 + run, "is_bot": False, "first_name": "Mai"}
        user["language_code"] = "vi"
        harness.send("/start", user)
        await harness.reply("sendMessage", "Bạn muốn làm gì?", chat=user["id"])
        confirmed = rng.randrange(0, 12)  # answers seen through before the kill
        for _ in range(confirmed):
            screen = on_screen(harness, user)
            before = screen_text(screen)
            act(harness, user, step_for(screen), screen)
            await answered(harness, user, before)
        screen = on_screen(harness, user)
        act(harness, user, step_for(screen), screen)
        await asyncio.sleep(rng.uniform(0, 0.08))  # somewhere on its way, or handled
        harness.bot.process.kill()
        await harness.bot.process.wait()
        kills.append((run, confirmed, step_for(screen).prompt))
        await harness.start()
        await settled(harness)
        while DONE not in (before := screen_text(screen := on_screen(harness, user))):
            act(harness, user, step_for(screen), screen)
            await answered(harness, user, before)

    engine = create_engine(sqlite_url(harness.workdir))
    async with create_session_factory(engine)() as session:
        homes = list(await session.scalars(select(HouseholdRow).order_by(HouseholdRow.id)))
    await engine.dispose()
    assert len(homes) == RUNS, kills  # each family registered once, none twice
    phones = {f"+84912345{user % 1000:03d}" for user in range(7100, 7100 + RUNS)}
    assert {home.phone for home in homes} == phones, kills
    for home in homes:
        assert home.head_name == "Nguyễn Thị Mai", kills
        assert (home.members_count, home.school_age_count) == (4, 2), kills
        assert home.hamlet_code == "H2", kills
    assert len({confirmed for _, confirmed, _ in kills}) > 5  # the kills fell all over
