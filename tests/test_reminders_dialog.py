"""/reminders through the real dispatcher, in English: the commune's rules in words, one
switched off and on, moved by days and by hour, bad input explained, every change audited,
and everyone but the commune's officers refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.deadlines import Deadline
from bot.domain.households import HouseholdForm
from bot.domain.status import Status
from bot.domain.users import Role, RoleGrant
from bot.domain.users import User as User_
from bot.services.deadlines import set_deadline
from bot.services.households import free_code
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries, grant, load_areas
from tests.test_dialogs import AREAS, buttons
from tests.test_household_dialogs import Family
from tests.test_officer_dialogs import forge

OFFICER = User(id=10, is_bot=False, first_name="Officer", language_code="en")
HEAD = User(id=20, is_bot=False, first_name="Head", language_code="en")
FAMILY = User(id=30, is_bot=False, first_name="Family", language_code="en")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.now(UTC)
TODAY = NOW.astimezone(ZONE).date()
CLOSES = TODAY + timedelta(days=40)  # self-assessment's last day
FOURTEEN = (
    "Self-assessment reminder · When 14 days are left before “Self-assessment closes”, 08:00"
)


async def registered_family(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """One family of Thôn Đông registered this year, with its own account."""
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        made = await uow.households.add(
            HouseholdForm("H1", "Nguyễn Văn An", "+84912000101", 4, 1, ()),
            await free_code(uow),
            NOW,
        )
        registration = await uow.registrations.add(
            made.id, "household", "gia_dinh", TODAY.year, (), NOW
        )
        await uow.registrations.set_status(registration.id, Status.REGISTERED, NOW)
        await uow.users.add(User_(FAMILY.id, "en"), NOW)
        await uow.households.link(FAMILY.id, made.id, NOW)
        await uow.commit()
        officer = User_(OFFICER.id, grants=(RoleGrant(Role.COMMUNE_OFFICER, "C1"),))
        for which, day in (
            (Deadline.ASSESSMENT_CLOSES, CLOSES),
            (Deadline.VERIFICATION_CLOSES, CLOSES + timedelta(days=10)),
        ):
            await set_deadline(uow, officer, "C1", "gia_dinh", TODAY.year, which, day, NOW, ZONE)


@pytest.fixture
async def chat(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    await load_areas(session_factory, AREAS)
    await grant(session_factory, OFFICER.id, Role.COMMUNE_OFFICER, "C1")
    await grant(session_factory, HEAD.id, Role.HAMLET_HEAD, "H1")
    await registered_family(session_factory)
    harness = Family(session_factory, redis_url)
    harness.as_user(OFFICER)
    yield harness
    await harness.close()


async def changes(chat: Family) -> list[dict[str, object]]:
    entries = await audit_entries(chat.session_factory)
    return [e for e in entries if e["action"] == "reminder_rule"]


SEVEN = "self-assessment reminder · When 7 days are left before “Self-assessment closes”, 08:00"


def in_words(day: datetime) -> str:
    return f"{day:%B} {day.day}, {day.year}"


async def test_the_list_says_when_each_reminder_runs(chat: Family) -> None:
    listed = await chat.send("/reminders")

    assert "⏰ <b>Reminders of Xã Đông Hòa</b>" in (listed.text or "")
    assert buttons(listed) == [
        "✅ Registration is open · On the day of “Registration opens”, 08:00",
        f"✅ {FOURTEEN}",
        f"✅ {FOURTEEN.replace('14', '7')}",
        "✅ Self-assessment reminder · On the last day before “Self-assessment closes”, 08:00",
        "✅ Households waiting, to hamlet heads · Every Monday, 08:00",
        "✅ Verification summary, to officers · The day after “Verification closes”, 08:00",
        *(f"✅ {who}: {SEVEN}" for who in ("Learning citizens", "Clans", "Hamlets", "Units")),
        "⬅️ Back",
    ]


async def test_a_rule_shows_its_next_run_and_audience(chat: Family) -> None:
    await chat.send("/reminders")
    shown = await chat.click(FOURTEEN)

    text = shown.text or ""
    runs = datetime.combine(CLOSES - timedelta(days=13), datetime.min.time())
    assert f"Next run (local time): {in_words(runs)}, 08:00" in text
    assert "To: families registered but not yet self-assessed" in text
    assert "It would reach now: 1" in text
    await chat.click("⬅️ Back")
    opens = await chat.click("Registration is open")
    assert "not scheduled: the deadline is not set" in (opens.text or "")
    assert "It would reach now: 0" in (opens.text or "")


async def test_an_officer_switches_a_rule_off_and_on_again(chat: Family) -> None:
    await chat.send("/reminders")
    await chat.click(FOURTEEN)
    off = await chat.click("⏸ Turn off")

    assert "(⏸ off)" in (off.text or "")
    assert "not scheduled: the reminder is off" in (off.text or "")
    on = await chat.click("▶️ Turn on")
    assert "(✅ on)" in (on.text or "")
    listed = await chat.click("⬅️ Back")
    assert f"✅ {FOURTEEN}" in buttons(listed)
    assert [(e["rule"], e["active"]) for e in await changes(chat)] == [
        ("assessment_due_14", False),
        ("assessment_due_14", True),
    ]


async def test_days_are_typed_and_bad_ones_explained(chat: Family) -> None:
    await chat.send("/reminders")
    await chat.click(FOURTEEN)
    asked = await chat.click("📆 Change the days")
    assert "Type the days from “Self-assessment closes”" in (asked.text or "")

    await chat.send("two weeks")
    assert "Please type a number of days from -60 to 60" in chat.errors()[-1]
    await chat.send("0")
    assert "For a closing date, type -1 for its last day" in chat.errors()[-1]
    moved = await chat.send("-10")

    assert "🕗 When 10 days are left before “Self-assessment closes”, 08:00" in (moved.text or "")
    [entry] = await changes(chat)
    assert (entry["area"], entry["rule"], entry["offset_days"]) == ("C1", "assessment_due_14", -9)
    assert entry["actor_id"] == OFFICER.id


async def test_the_hour_is_pressed_or_typed(chat: Family) -> None:
    await chat.send("/reminders")
    await chat.click("Every Monday")
    weekly = chat.manager.last_message()
    assert "📆 Change the days" not in buttons(weekly)  # a weekly reminder has no days
    await chat.click("🕗 Change the hour")
    pressed = await chat.click("17:00")
    assert "🕗 Every Monday, 17:00" in (pressed.text or "")

    await chat.click("🕗 Change the hour")
    await chat.send("25")
    assert "Please type an hour from 0 to 23" in chat.errors()[-1]
    typed = await chat.send("7")

    assert "🕗 Every Monday, 07:00" in (typed.text or "")
    assert [e["hour"] for e in await changes(chat)] == [17, 7]


async def test_a_forged_hour_is_refused_and_nothing_changes(chat: Family) -> None:
    await chat.send("/reminders")
    await chat.click(FOURTEEN)
    await chat.click("🕗 Change the hour")

    await forge(chat, "hours:99")

    assert "Please type an hour from 0 to 23" in chat.errors()[-1]
    assert await changes(chat) == []


async def test_the_officer_menu_opens_the_reminders(chat: Family) -> None:
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    listed = await chat.click("⏰ Reminders")

    assert "Reminders of Xã Đông Hòa" in (listed.text or "")


@pytest.mark.parametrize("who", [HEAD, FAMILY])
async def test_everyone_else_is_told_the_command_is_for_officers(chat: Family, who: User) -> None:
    chat.as_user(who)
    assert await chat.command("/reminders") == "This command is for commune officers."


@pytest.mark.parametrize("code", ["C2", "P", "nowhere"])
async def test_another_communes_reminders_are_refused_and_audited(chat: Family, code: str) -> None:
    answer = await chat.command(f"/reminders {code}")

    assert answer == "This area is outside the ones you look after."
    refused = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert (refused[-1]["actor_id"], refused[-1]["attempted"]) == (OFFICER.id, "reminders")
