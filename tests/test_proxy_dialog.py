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
from bot.services.areas import import_areas
from bot.services.households import record_consent, register_household
from bot.services.users import ensure_user
from dialogs.states import MainSG, ProxySG
from storage.uow import SqlUnitOfWork
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


async def grant(
    session_factory: async_sessionmaker[AsyncSession], user_id: int, role: Role, area: str
) -> None:
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        await ensure_user(uow, user_id, NOW)
        await uow.users.grant(user_id, role, area)
        await uow.commit()


@pytest.fixture
async def head(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    async with session_factory() as session:
        report = await import_areas(SqlUnitOfWork(session), AREAS)
        assert report.ok, report.errors
    await grant(session_factory, HEAD.id, Role.HAMLET_HEAD, "H1")
    harness = Head(session_factory, redis_url)
    harness.as_user(HEAD)
    yield harness
    await harness.close()


async def _to_the_summary(head: Head, phone: str = "0912 000 222") -> Message:
    await head.send("/proxy H1")
    await head.click("📅 Today")
    await head.send("trần thị bình")
    await head.send(phone)
    await head.click("4")
    return await head.click("1")


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


async def test_bad_answers_are_explained_and_change_nothing(head: Head) -> None:
    await head.send("/proxy H1")
    await head.send("31/02/2024")
    assert any("day/month/year" in text for text in head.errors())
    tomorrow = datetime.now(UTC).date() + timedelta(days=2)
    asked = await head.send(tomorrow.strftime("%d/%m/%Y"))
    assert any("in the future" in text for text in head.errors())
    assert "When did the family agree" in (asked.text or "")
    await head.send(f"1/2/{date.today().year - 1}")
    await head.send("An 123")
    assert any("can only have letters" in text for text in head.errors())
    await head.send("Lê Thị Hoa")
    asked = await head.send("12345")
    assert any("Vietnamese phone number" in text for text in head.errors())
    assert "phone number" in (asked.text or "")
    await head.send("0987654321")
    await head.send("0")
    assert any("from 1 to 30" in text for text in head.errors())
    await head.send("3")
    asked = await head.send("5")
    assert any("more school-age children than members (3)" in t for t in head.errors())
    assert "school age" in (asked.text or "")
    summary = await head.send("2")
    assert f"February 1, {date.today().year - 1}" in (summary.text or "")
    assert "Members: 3" in (summary.text or "")
    assert "School-age children: 2" in (summary.text or "")
    assert await _households(head) == []


async def test_back_and_changing_an_answer(head: Head) -> None:
    await _to_the_summary(head)
    back = await head.click("◀️ Back")
    assert "school age" in (back.text or "")
    back = await head.click("◀️ Back")
    assert "How many people" in (back.text or "")
    back = await head.click("◀️ Back")
    assert "phone number" in (back.text or "")
    back = await head.click("◀️ Back")
    assert "full name" in (back.text or "")
    back = await head.click("◀️ Back")
    assert "When did the family agree" in (back.text or "")
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
    await head.send("/proxy H2")
    await head.click("📅 Today")
    await head.send("Trần Thị Bình")
    await head.send("0912000222")
    await head.click("2")
    await head.click("0")
    await head.click("✅ Confirm and register")
    assert any("outside your area" in text for text in head.errors())
    async with session_factory() as session:
        entries = await SqlUnitOfWork(session).audit.entries()
    assert {"action": "refused", "actor_id": HEAD.id, "attempted": "register"}.items() <= {
        **entries[-1]
    }.items()
