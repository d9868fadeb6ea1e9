"""SIGKILL at random points of a family's registration (10 seeded runs): the real bot on
SQLite against the fake Bot API is killed while an answer is on its way, started again, and
the family simply goes on from the message on their screen. Every answer the bot had
confirmed (by showing the next question) is kept, and the registration ends with all of them.
"""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import select

from storage.db import create_engine, create_session_factory
from storage.household_models import HouseholdRow
from tests.family_script import (
    DONE,
    answer_to,
    family,
    moved_on,
    phone_of,
    screen_text,
    seen,
    step_for,
)
from tests.test_e2e import (
    AREAS_CSV,
    Harness,
    JsonDict,
    fake_api,  # noqa: F401  (fixture)
    harness,  # noqa: F401  (fixture)
    sqlite_url,
)

RUNS = 10
LEFTOVER_SECONDS = 1.5  # pacing only: an answer takes milliseconds


def on_screen(bot: Harness, user: JsonDict) -> JsonDict:
    """The newest message of the bot in the family's chat, as it reads now."""
    return bot.api.sent_messages(user["id"])[-1]


def act(bot: Harness, user: JsonDict, message: JsonDict) -> None:
    """The family answers the `message` on their screen."""
    bot.since = len(bot.api.requests)
    bot.api.queue_update(answer_to(message, user))


async def answered(bot: Harness, user: JsonDict, before: tuple[int, str]) -> None:
    """Wait until the bot answered what was `before` on screen: it confirmed the answer."""

    def changed(_: object) -> bool | None:
        return moved_on(before, on_screen(bot, user)) or None

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
        user = family(7100 + run)
        harness.send("/start", user)
        await harness.reply("sendMessage", "Bạn muốn làm gì?", chat=user["id"])
        confirmed = rng.randrange(0, 12)  # answers seen through before the kill
        for _ in range(confirmed):
            screen = on_screen(harness, user)
            before = seen(screen)
            act(harness, user, screen)
            await answered(harness, user, before)
        screen = on_screen(harness, user)
        act(harness, user, screen)
        await asyncio.sleep(rng.uniform(0, 0.08))  # somewhere on its way, or handled
        harness.bot.process.kill()
        await harness.bot.process.wait()
        kills.append((run, confirmed, step_for(screen).prompt))
        await harness.start()
        await settled(harness)
        while DONE not in screen_text(screen := on_screen(harness, user)):
            before = seen(screen)
            act(harness, user, screen)
            await answered(harness, user, before)

    engine = create_engine(sqlite_url(harness.workdir))
    async with create_session_factory(engine)() as session:
        homes = list(await session.scalars(select(HouseholdRow).order_by(HouseholdRow.id)))
    await engine.dispose()
    assert len(homes) == RUNS, kills  # each family registered once, none twice
    phones = {
        "+84912" + phone_of(family(user))[5:].replace(" ", "") for user in range(7100, 7100 + RUNS)
    }
    assert {home.phone for home in homes} == phones, kills
    for home in homes:
        assert home.head_name == "Nguyễn Thị Mai", kills
        assert (home.members_count, home.school_age_count) == (4, 2), kills
        assert home.hamlet_code == "H2", kills
    assert len({confirmed for _, confirmed, _ in kills}) > 5  # the kills fell all over
