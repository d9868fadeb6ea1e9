"""The family's journey through the real dispatcher: consent, registration, self-assessment,
members, status, /mydata and /forget. In English, so that these tests read like the code."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.types import Contact, Message, Update, User
from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.criteria_files import shipped_criteria
from bot.domain.criteria import parse_criteria_set
from bot.domain.criteria_model import Kind
from bot.domain.households import HouseholdForm
from bot.domain.users import User as User_
from bot.i18n import create_i18n
from bot.services.areas import import_areas
from bot.services.households import record_consent, register_household
from bot.services.privacy import forget_me
from storage.uow import SqlUnitOfWork
from tests.fakes import ReplyKeyboardMessageManager
from tests.test_dialogs import AREAS, Harness, buttons

ENGLISH = User(id=1, is_bot=False, first_name="An", language_code="en")
GIA_DINH, _ = parse_criteria_set(shipped_criteria()["gia_dinh"])
assert GIA_DINH is not None


class Family(Harness):
    """A chat in English, with the contact button and reply keyboards of a real phone."""

    def restart(self) -> None:
        super().restart()
        self.manager = ReplyKeyboardMessageManager()
        self.dp = build_dispatcher(
            self.settings, self.session_factory, create_i18n("vi"), message_manager=self.manager
        )
        self.as_user(self.user)

    async def click(self, label: str) -> Message:
        """Click the button labelled `label`, or else the one label whose text holds it."""
        labels = buttons(self.manager.last_message())
        matching = [text for text in labels if text == label] or [
            text for text in labels if label in text
        ]
        assert len(matching) == 1, f"{label!r} not (or not once) in {labels} {self.errors()}"
        return await super().click(matching[0])

    async def share_contact(self, phone: str) -> Message:
        self.manager.reset_history()
        message = Message(
            message_id=900,
            date=datetime.now(UTC),
            chat=self.client.chat,
            from_user=self.user,
            contact=Contact(phone_number=phone, first_name="An", user_id=self.user.id),
        )
        await self.dp.feed_update(self.bot, Update(update_id=900, message=message))
        return self.manager.last_message()

    async def press(self, label: str) -> Message:
        """A reply-keyboard button: the phone sends its (invisibly tagged) text."""
        markup: Any = self.manager.reply_keyboard
        texts = [button.text for row in markup.keyboard for button in row]
        return await self.send(next(text for text in texts if text.startswith(label)))

    async def command(self, text: str) -> str:
        """A command answered with a plain message (not a dialog window): its text."""
        await self.client.send(text)
        return self.session.sent_texts()[-1]

    def errors(self) -> list[str]:
        return self.session.sent_texts()

    async def register(
        self,
        *,
        name: str = "nguyễn văn an",
        phone: str = "0912 345 678",
        hamlet: str = "Thôn Đoài",
    ) -> Message:
        await self.send("/start")
        await self.click("📝 Register my family")
        if "Before we start" in self.text():
            await self.click("✅ I agree")
        await self.click("📍 Choose commune and hamlet")
        await self.click("Xã Đông Hòa")
        await self.click(hamlet)
        await self.click("✅ Yes, save")
        await self.send(name)
        await self.send(phone)
        await self.click("4")
        await self.click("2")
        await self.click("Every school-age child goes to school")
        await self.click("A reading corner at home")
        await self.click("▶️ Next")
        return await self.click("✅ Confirm and register")

    def text(self) -> str:
        return self.manager.last_message().text or ""


@pytest.fixture
async def family(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    async with session_factory() as session:
        report = await import_areas(SqlUnitOfWork(session), AREAS)
        assert report.ok, report.errors
    harness = Family(session_factory, redis_url)
    harness.as_user(ENGLISH)
    yield harness
    await harness.close()


async def household_of(family: Family, user_id: int = 1) -> Any:
    async with family.session_factory() as session:
        return await SqlUnitOfWork(session).households.of_user(user_id)


async def test_a_family_registers_and_gets_its_household_code(family: Family) -> None:
    done = await family.register()
    assert "Your family is registered for" in (done.text or "")
    household = await household_of(family)
    assert household.head_name == "Nguyễn Văn An"
    assert household.phone == "+84912345678"
    assert (household.members_count, household.school_age_count) == (4, 2)
    assert household.code in (done.text or "")
    menu = await family.click("🏠 Main menu")
    assert "📋 Self-assessment" in buttons(menu)
    assert "📝 Register my family" not in buttons(menu)


async def test_declining_consent_stores_nothing_and_says_how_to_come_back(
    family: Family,
) -> None:
    await family.send("/start")
    await family.click("📝 Register my family")
    declined = await family.click("❌ No, thank you")
    assert "nothing about your family was stored" in (declined.text or "")
    assert "/start" in (declined.text or "")
    async with family.session_factory() as session:
        user = await SqlUnitOfWork(session).users.get(1)
    assert user is not None
    assert user.consent_version is None
    menu = await family.click("🏠 Main menu")
    assert "📝 Register my family" in buttons(menu)


async def _to_the_name_question(family: Family) -> None:
    await family.send("/start")
    await family.click("📝 Register my family")
    await family.click("✅ I agree")
    await family.click("📍 Choose commune and hamlet")
    await family.click("Xã Đông Hòa")
    await family.click("Thôn Đông")
    await family.click("✅ Yes, save")


async def test_bad_answers_are_explained_and_the_question_is_asked_again(
    family: Family,
) -> None:
    await _to_the_name_question(family)
    again = await family.send("An 123")
    assert "full name" in (again.text or "")
    assert any("can only have letters" in text for text in family.errors())
    await family.send("Lê Thị Hoa")
    await family.send("12345")
    assert any("Vietnamese phone number" in text for text in family.errors())
    assert "phone number" in family.text()
    await family.send("0987654321")
    await family.click("2")
    asked = await family.send("3")
    assert any("more school-age children than members (2)" in t for t in family.errors())
    assert "school age" in (asked.text or "")
    await family.click("1")
    await family.click("A family study fund")
    summary = await family.click("▶️ Next")
    assert "Lê Thị Hoa" in (summary.text or "")
    assert "+84987654321" in (summary.text or "")


async def test_the_contact_button_gives_the_phone(family: Family) -> None:
    await _to_the_name_question(family)
    await family.send("Lê Thị Hoa")
    asked = await family.share_contact("84912000111")
    assert "How many people" in (asked.text or "")
    await family.click("3")
    await family.click("0")
    await family.click("A family study fund")
    summary = await family.click("▶️ Next")
    assert "+84912000111" in (summary.text or "")


async def test_back_returns_to_the_previous_question(family: Family) -> None:
    await _to_the_name_question(family)
    await family.send("Lê Thị Hoa")
    back = await family.press("◀️ Back")
    assert "full name" in (back.text or "")


async def test_a_changed_answer_returns_to_the_summary(family: Family) -> None:
    await _to_the_name_question(family)
    await family.send("Lê Thị Hoa")
    await family.send("0987654321")
    await family.click("4")
    await family.click("2")
    await family.click("A family study fund")
    await family.click("▶️ Next")
    await family.click("✏️ Name")
    summary = await family.send("Lê Văn Tám")
    assert "Please check" in (summary.text or "")
    assert "Lê Văn Tám" in (summary.text or "")
    await family.click("✏️ Members")
    asked_again = await family.click("1")
    assert "school age" in (asked_again.text or ""), "2 children no longer fit in 1 member"


async def test_a_half_done_registration_survives_a_restart_and_continues(
    family: Family,
) -> None:
    await _to_the_name_question(family)
    await family.send("Lê Thị Hoa")
    await family.send("/start")
    family.restart()
    await family.send("/start")
    resume = await family.click("📝 Register my family")
    assert "Continue where you left off" in (resume.text or "")
    asked = await family.click("▶️ Continue")
    assert "phone number" in (asked.text or "")


async def test_a_phone_already_registered_in_the_hamlet_offers_linking(family: Family) -> None:
    await family.register(hamlet="Thôn Đông")
    code = (await household_of(family)).code
    family.as_user(User(id=2, is_bot=False, first_name="Bình", language_code="en"))
    await _to_the_name_question(family)
    await family.send("Nguyễn Văn Bình")
    family.manager.reset_history()
    await family.send("0912345678")
    shown = [m.text for m in family.manager.sent_messages]
    assert "already registered with this phone number" in family.text(), (shown, family.errors())
    await family.click("🔗 I have the household code")
    linked = await family.send(code.lower())
    assert "Nguyễn Văn An" in (linked.text or "")
    assert (await household_of(family, 2)).id == (await household_of(family, 1)).id


async def test_a_wrong_household_code_is_refused(family: Family) -> None:
    await family.send("/start")
    await family.click("🔗 I have a household code")
    await family.click("✅ I agree")
    await family.send("ZZZZZZ")
    assert any("No household has this code" in text for text in family.errors())
    assert await household_of(family) is None


async def test_the_hamlet_link_skips_the_area_questions(family: Family) -> None:
    await family.send("/start h_H2")
    asked = await family.click("✅ I agree")
    assert "full name" in (asked.text or "")


async def answer_everything(family: Family, *, best: bool = True) -> Message:
    """Answer each question with the best (or the worst) choice until the review."""
    while found := re.search(r"Question (\d+)/", family.text()):
        indicator = GIA_DINH.indicators()[int(found.group(1)) - 1]
        scoring: Any = indicator.scoring
        if indicator.kind == Kind.YES_NO:
            await family.click("Yes" if best else "No")
        elif indicator.kind == Kind.RATIO:
            await family.click("2")
            await family.click("2" if best else "0")
        else:
            pick = max if best else min
            option = pick(scoring.options, key=lambda o: o.points)
            await family.click(option.label_en)
    return family.manager.last_message()


async def test_a_family_self_assesses_to_a_pass_and_submits(family: Family) -> None:
    await family.register()
    await family.click("🏠 Main menu")
    first = await family.click("📋 Self-assessment")
    assert "Question 1/" in (first.text or "")
    review = await answer_everything(family)
    assert "Total: 100/100" in (review.text or "")
    assert "reaches the “Learning family” mark" in (review.text or "")
    submitted = await family.click("📤 Submit")
    assert "submitted" in (submitted.text or "")
    await family.click("🏠 Main menu")
    locked = await family.click("📋 Self-assessment")
    assert "Take back to change" in " ".join(buttons(locked))
    review_again = await family.click("↩️ Take back to change")
    assert "📤 Submit" in buttons(review_again)


async def test_a_failing_review_says_why(family: Family) -> None:
    await family.register()
    await family.click("🏠 Main menu")
    await family.click("📋 Self-assessment")
    review = await answer_everything(family, best=False)
    assert "does not reach the mark yet" in (review.text or "")
    assert "below the pass mark of 80 points" in (review.text or "")


async def test_finish_later_keeps_the_answers_across_a_restart(family: Family) -> None:
    await family.register()
    await family.click("🏠 Main menu")
    await family.click("📋 Self-assessment")
    await family.click("2")
    await family.click("2")
    second = family.text()
    assert "Question 2/" in second
    await family.click("⏸ Finish later")
    family.restart()
    await family.send("/start")
    again = await family.click("📋 Self-assessment")
    assert "Question 2/" in (again.text or "")
    back = await family.click("◀️ Back")
    assert "Your answer so far: <b>2/2</b>" in (back.text or "")


async def test_an_adult_member_self_assesses_as_a_learning_citizen(family: Family) -> None:
    await family.register()
    await family.click("🏠 Main menu")
    await family.click("🏡 My household")
    await family.click("➕ Add a member")
    await family.send("trần thị bình")
    await family.send("85")
    assert any("4 digits" in text for text in family.errors())
    household = await family.send("1985")
    assert "Trần Thị Bình (1985)" in (household.text or "")
    await family.click("🎓 Learning citizen self-assessment")
    question = await family.click("Trần Thị Bình (1985)")
    assert "Question 1/10" in (question.text or "")


async def test_status_shows_registration_and_score(family: Family) -> None:
    await family.register()
    await family.click("🏠 Main menu")
    await family.click("📋 Self-assessment")
    await answer_everything(family)
    await family.click("📤 Submit")
    status = await family.command("/status")
    assert "Learning family" in status
    assert "Self-assessment submitted" in status
    assert "Score: 100 points, passes" in status


async def test_mydata_shows_everything_and_forget_erases_it(family: Family) -> None:
    await family.register()
    shown = await family.command("/mydata")
    assert "Nguyễn Văn An" in shown
    assert "+84912345678" in shown
    await family.send("/forget")
    await family.click("🗑 Yes, erase everything")
    assert await household_of(family) is None
    after = await family.command("/mydata")
    assert "Nguyễn Văn An" not in after
    assert "+84912345678" not in after
    assert "No household is linked" in after
    menu = await family.send("/start")
    assert "📝 Register my family" in buttons(menu)


async def test_forget_can_be_called_off(family: Family) -> None:
    await family.register()
    await family.send("/forget")
    await family.click("◀️ No, keep my data")
    assert (await household_of(family)).head_name == "Nguyễn Văn An"


async def test_a_family_registered_last_year_pledges_for_this_year(family: Family) -> None:
    this_year = datetime.now(UTC).astimezone(family.settings.zone).year
    now = datetime.now(UTC)
    async with family.session_factory() as session:
        uow = SqlUnitOfWork(session)
        await uow.users.add(User_(id=1), now)
        await record_consent(uow, 1, now)
        form = HouseholdForm("H1", "Lê Văn Năm", "+84912000222", 3, 1, ("school",))
        await register_household(uow, 1, form, year=this_year - 1, now=now)
    menu = await family.send("/start")
    assert f"🤝 Pledge for {this_year}" in buttons(menu)
    assert "📋 Self-assessment" not in buttons(menu)
    await family.click(f"🤝 Pledge for {this_year}")
    await family.click("A family study fund")
    menu = await family.click("✅ Register our pledge")
    assert "📋 Self-assessment" in buttons(menu)
    assert f"🤝 Pledge for {this_year}" not in buttons(menu)


async def test_an_assessment_left_open_after_forget_is_refused_kindly(family: Family) -> None:
    await family.register()
    await family.click("🏠 Main menu")
    question = await family.click("📋 Self-assessment")
    async with family.session_factory() as session:
        await forget_me(SqlUnitOfWork(session), 1, datetime.now(UTC))
    family.manager.reset_history()
    await family.client.click(question, InlineButtonTextLocator("2"))
    assert "Please register your family first." in family.errors()[-1]
    assert "Main menu" in family.text()
