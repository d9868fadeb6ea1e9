"""A hamlet self-assesses as a learning community and the commune reviews its groups, through
the real dispatcher in English: the hamlet head answers only what the bot cannot count, the
officer verifies and recognises, the head is told; another commune's officer is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.types import User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.status import Status
from bot.domain.users import Role
from bot.services import group_review
from bot.services.errors import NotAllowed
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries, grant, load_areas
from tests.test_commune_dialogs import roster
from tests.test_dialogs import AREAS, buttons
from tests.test_household_dialogs import Family

OFFICER = User(id=10, is_bot=False, first_name="Officer", language_code="en")
HEAD = User(id=20, is_bot=False, first_name="Head", language_code="en")
OTHER_OFFICER = User(id=11, is_bot=False, first_name="Other", language_code="en")


@pytest.fixture
async def chat(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    await load_areas(session_factory, AREAS)
    await grant(session_factory, OFFICER.id, Role.COMMUNE_OFFICER, "C1")
    await grant(session_factory, OTHER_OFFICER.id, Role.COMMUNE_OFFICER, "C2")
    await grant(session_factory, HEAD.id, Role.HAMLET_HEAD, "H1")
    await roster(session_factory, "H1", 4)
    harness = Family(session_factory, redis_url)
    harness.as_user(HEAD)
    yield harness
    await harness.close()


async def self_assess_the_hamlet(chat: Family) -> str:
    await chat.send("/start")
    await chat.click("🏘 My hamlet")
    first = await chat.click("🏘 Learning hamlet: self-assessment")
    assert "Question 1/3" in (first.text or "")  # the 2 family figures and the clans: counted
    assert "learning sessions" in (first.text or "")
    await chat.click("4 or more")
    await chat.click("Yes")
    review = await chat.click("Yes")
    return review.text or ""


async def test_the_head_answers_three_questions_and_sees_the_counted_figures_with_their_source(
    chat: Family,
) -> None:
    review = await self_assess_the_hamlet(chat)

    assert "Figures the bot counted" in review, review
    assert "registered as learning families this year?: 0/4" in review
    assert "From the bot's records: families of the hamlet registered this year" in review, review
    assert "submit it to the commune" in review
    assert "hamlet head" not in review.split("Total")[1]
    submitted = await chat.click("📤 Submit to the commune")
    assert "Self-assessment submitted" in (submitted.text or "")


async def test_the_commune_verifies_and_recognises_the_hamlet_and_the_head_is_told(
    chat: Family,
) -> None:
    await self_assess_the_hamlet(chat)
    await chat.click("📤 Submit to the commune")

    chat.as_user(OFFICER)
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    listed = await chat.click("👥 Clans, units and hamlets")
    assert "Clans, units and hamlets, " in (listed.text or "")
    card = await chat.click("Thôn Đông")
    assert "Title: Learning community" in (card.text or "")
    assert "Self-assessment: 60 points, below the mark." in (card.text or "")
    verified = await chat.click("✅ Confirm and propose")
    assert "Done: Thôn Đông has been told." in (verified.text or "")
    assert "🏅 Recognise" in buttons(verified)
    told = chat.session.sent_texts()
    assert any("The commune checked the self-assessment of Thôn Đông" in t for t in told)
    asked = await chat.click("🏅 Recognise")
    assert "number of the decision" in (asked.text or "")
    await chat.send("quyết định")  # no number in it: asked again, kindly
    assert "Please type the decision number" in chat.errors()[-1]
    dated = await chat.send("125/QĐ-UBND")
    assert "date of the decision" in (dated.text or "")
    assert "📅 Today" in buttons(dated)
    confirm = await chat.send("20/12/2025")
    assert (
        "Recognise 🏘 <b>Thôn Đông</b> as a “Learning community” by decision "
        "<b>125/QĐ-UBND</b> of December 20, 2025?" in (confirm.text or "")
    )
    recognised = await chat.click("✅ Yes, recognise")
    assert buttons(recognised) == ["◀️ Back to the list"]
    assert "📄 Recognised by decision 125/QĐ-UBND of December 20, 2025" in (recognised.text or "")
    assert any(
        "By decision 125/QĐ-UBND of December 20, 2025, the commune recognised Thôn Đông as a "
        f"“Learning community” for {datetime.now(UTC).year}." in t
        for t in chat.errors()
    ), chat.errors()
    decided = [e for e in await audit_entries(chat.session_factory) if e["action"] == "decide"]
    assert [e["status"] for e in decided] == [Status.VERIFIED.value, Status.RECOGNISED.value]
    assert decided[-1]["decision"] == "125/QĐ-UBND"


async def test_a_return_needs_a_comment_that_the_head_reads(chat: Family) -> None:
    await self_assess_the_hamlet(chat)
    await chat.click("📤 Submit to the commune")
    chat.as_user(OFFICER)
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    await chat.click("👥 Clans, units and hamlets")
    await chat.click("Thôn Đông")
    asked = await chat.click("↩️ Return with a comment")
    assert "Type the comment" in (asked.text or "")
    card = await chat.send("Xin ghi rõ <số buổi> sinh hoạt")
    assert "Done: Thôn Đông has been told." in (card.text or "")
    assert any(
        "returned the self-assessment of Thôn Đông" in t and "&lt;số buổi&gt;" in t
        for t in chat.errors()
    ), chat.errors()


async def test_another_communes_officer_cannot_open_or_forge_a_group(chat: Family) -> None:
    await self_assess_the_hamlet(chat)
    await chat.click("📤 Submit to the commune")
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        [line] = await group_review.group_lines(
            uow, await uow.users.get(OFFICER.id), "C1", datetime.now(UTC).year, datetime.now(UTC)
        )  # type: ignore[arg-type]
        other = await uow.users.get(OTHER_OFFICER.id)
        assert other is not None
        with pytest.raises(NotAllowed):
            await group_review.group_lines(
                uow, other, "C1", datetime.now(UTC).year, datetime.now(UTC)
            )
        with pytest.raises(NotAllowed):  # its own commune, another's registration id
            await group_review.group_line(
                uow, other, "C2", line.registration.id, datetime.now(UTC)
            )
    refused = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert [e["attempted"] for e in refused] == ["review_groups", "review_groups"]
