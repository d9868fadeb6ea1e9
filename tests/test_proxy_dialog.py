"""A hamlet head registers a family without a smartphone, through the real dispatcher; the
family later claims its household with the claim code. In English, like the code."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiogram.filters import Command, CommandObject
from aiogram.types import Message, User
from aiogram_dialog import DialogManager, ShowMode, StartMode
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.households import HouseholdForm
from bot.domain.users import Role
from bot.services.households import record_consent, register_household
from bot.services.users import ensure_user
from dialogs.states import MainSG, ProxySG
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries, grant, load_areas
from tests.test_dialogs import AREAS
from tests.test_household_dialogs import Family

HEAD = User(id=20, is_bot=False, first_name="Head", language_code="en")
NOW = datetime(2025, 3, 1, tzinfo=UTC)
CLAIM_CODE = re.compile(r"<b>((?:[A-Z0-9] ){5}[A-Z0-9])</b>")


async def _start_proxy(
    message: Message, command: CommandObject, dialog_manager: DialogManager
) -> None:
    """What the hamlet menu's “Register a family” button does, under the main menu."""
    await dialog_manager.start(
        MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE
    )
    await dialog_manager.start(
        ProxySG.consent, data={"hamlet": command.args or ""}, show_mode=ShowMode.SEND
    )


class Head(Family):
    """A hamlet head's chat; `/proxy <hamlet>` opens the assisted registration."""

    def restart(self) -> None:
        super().restart()
        self.dp.message.register(_start_proxy, Command("proxy"))


@pytest.fixture
async def head(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    await load_areas(session_factory, AREAS)
    await grant(session_factory, HEAD.id, Role.HAMLET_HEAD, "H1")
    harness = Head(session_factory, redis_url)
    harness.as_user(HEAD)
    yield harness
    await harness.close()


async def _to_the_summary(
    head: Head, hamlet: str = "H1", members: str = "4", school_age: str = "1"
) -> Message:
    await head.send(f"/proxy {hamlet}")
    await head.click("📅 Today")
    await head.send("trần thị bình")
    await head.send("0912 000 222")
    await head.click(members)
    return await head.click(school_age)


async def _households(head: Head) -> list[Any]:
    async with head.session_factory() as session:
        uow = SqlUnitOfWork(session)
        return [await uow.households.get(line.id) for line in await uow.hamlets.lines("H1", 2025)]


async def test_a_head_registers_a_family_which_claims_it_with_the_code(head: Head) -> None:
    summary = await _to_the_summary(head)
    assert "Please check with the family" in (summary.text or "")
    assert "Trần Thị Bình" in (summary.text or "")
    assert "+84912000222" in (summary.text or "")
    assert "Thôn Đông" in (summary.text or "")
    done = await head.click("✅ Confirm and register")
    found = CLAIM_CODE.search(done.text or "")
    assert found, done.text
    spaced = found.group(1)
    assert "I have a household code" in (done.text or "")
    async with head.session_factory() as session:
        household = await SqlUnitOfWork(session).households.by_claim_code(spaced.replace(" ", ""))
    assert household is not None
    assert household.head_name == "Trần Thị Bình"
    assert household.consent_by == HEAD.id
    assert household.consent_at is not None

    head.as_user(User(id=30, is_bot=False, first_name="Bình", language_code="en"))
    await head.send("/start")
    await head.click("🔗 I have a household code")
    await head.click("✅ I agree")
    linked = await head.send(spaced.lower())
    assert "Trần Thị Bình" in (linked.text or "")
    async with head.session_factory() as session:
        mine = await SqlUnitOfWork(session).households.of_user(30)
    assert mine is not None
    assert mine.id == household.id
    assert mine.claim_code is None

    head.as_user(User(id=31, is_bot=False, first_name="Lan", language_code="en"))
    await head.send("/start")
    await head.click("🔗 I have a household code")
    await head.click("✅ I agree")
    again = await head.send(spaced)
    assert any("No household has this code" in text for text in head.errors())
    assert "household code" in (again.text or "")


async def _refused(head: Head, typed: str, why: str, question: str) -> None:
    """A bad answer is explained, and the same question asked again."""
    asked = await head.send(typed)
    assert any(why in text for text in head.errors())
    assert question in (asked.text or "")


async def test_bad_answers_are_explained_and_change_nothing(head: Head) -> None:
    await head.send("/proxy H1")
    await _refused(head, "31/02/2024", "day/month/year", "When did the family agree")
    tomorrow = (datetime.now(UTC).date() + timedelta(days=2)).strftime("%d/%m/%Y")
    await _refused(head, tomorrow, "in the future", "When did the family agree")
    await head.send(f"1/2/{date.today().year - 1}")
    await _refused(head, "An 123", "can only have letters", "full name")
    await head.send("Lê Thị Hoa")
    await _refused(head, "12345", "Vietnamese phone number", "phone number")
    await head.send("0987654321")
    await _refused(head, "0", "from 1 to 30", "How many people")
    await head.send("3")
    await _refused(head, "5", "more school-age children than members (3)", "school age")
    summary = await head.send("2")
    assert f"February 1, {date.today().year - 1}" in (summary.text or "")
    assert "Members: 3" in (summary.text or "")
    assert "School-age children: 2" in (summary.text or "")
    assert await _households(head) == []


async def test_back_and_changing_an_answer(head: Head) -> None:
    await _to_the_summary(head)
    for question in (
        "school age",
        "How many people",
        "phone number",
        "full name",
        "When did the family agree",
    ):
        back = await head.click("◀️ Back")
        assert question in (back.text or "")
    menu = await head.click("⬅️ Back")
    assert "Main menu" in (menu.text or "")

    await _to_the_summary(head)
    await head.click("✏️ Name")
    summary = await head.send("Lê Văn Tám")
    assert "Lê Văn Tám" in (summary.text or "")
    await head.click("✏️ Members")
    asked = await head.click("2")
    assert "Please check" in (asked.text or ""), "1 child still fits in 2 members"
    await head.click("✏️ Agreement date")
    summary = await head.click("📅 Yesterday")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    assert "Please check" in (summary.text or "")
    assert str(yesterday.day) in (summary.text or "")


async def test_a_phone_already_registered_in_the_hamlet_is_told(head: Head) -> None:
    async with head.session_factory() as session:
        uow = SqlUnitOfWork(session)
        await ensure_user(uow, 40, NOW)
        await record_consent(uow, 40, NOW)
        form = HouseholdForm("H1", "Nguyễn Văn An", "+84912345678", 3, 1, ("school",))
        await register_household(uow, 40, form, year=2025, now=NOW)
    await head.send("/proxy H1")
    await head.click("📅 Today")
    await head.send("Trần Thị Bình")
    asked = await head.send("0912 345 678")
    assert any("already registered with this phone number" in t for t in head.errors())
    assert "phone number" in (asked.text or "")
    assert len(await _households(head)) == 1


async def test_a_head_of_another_hamlet_is_refused_and_the_attempt_logged(
    head: Head, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _to_the_summary(head, "H2", members="2", school_age="0")
    await head.click("✅ Confirm and register")
    assert any("outside your area" in text for text in head.errors())
    entries = await audit_entries(session_factory)
    assert {"action": "refused", "actor_id": HEAD.id, "attempted": "register"}.items() <= {
        **entries[-1]
    }.items()
