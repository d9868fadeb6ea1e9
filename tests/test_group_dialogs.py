"""Clans and units through the real dispatcher: a representative registers a clan with families
found by name, the families say yes or no from their menu; a unit is registered and its staff
count their learning-citizen self-assessment for it by its code; the groups' self-assessment
asks only what the bot cannot count. Bad input is explained and stores nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup, User
from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.households import HouseholdForm, campaign_year, member_subject
from bot.domain.status import Status
from bot.domain.users import User as User_
from bot.services import groups as gr
from bot.services.errors import NotAllowed
from bot.services.group_roster import find_families
from bot.services.households import free_code
from dialogs.offered import MSG_NOT_OFFERED
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries, load_areas
from tests.test_dialogs import AREAS, buttons
from tests.test_household_dialogs import Family

Factory = async_sessionmaker[AsyncSession]
NOW = datetime.now(UTC)
YEAR = campaign_year(NOW, ZoneInfo("Asia/Ho_Chi_Minh"))
AN = User(id=1, is_bot=False, first_name="An", language_code="en")
BINH = User(id=101, is_bot=False, first_name="Bình", language_code="vi")
CUC = User(id=102, is_bot=False, first_name="Cúc", language_code="en")
DUNG = User(id=103, is_bot=False, first_name="Dũng", language_code="en")
CLAN = "Họ Trần Văn - chi 2"


async def household(factory: Factory, account: int, name: str, hamlet: str, lang: str) -> int:
    """A household of `hamlet` headed by `name`, linked to `account`, who agreed to the
    data notice."""
    async with factory() as session:
        uow = SqlUnitOfWork(session)
        phone = f"+849120{account:05d}"
        made = await uow.households.add(
            HouseholdForm(hamlet, name, phone, 4, 1, ()), await free_code(uow), NOW
        )
        await uow.users.add(User_(id=account, language=lang), NOW)
        await uow.users.set_consent(account, 1, NOW)
        await uow.households.link(account, made.id, NOW)
        await uow.commit()
        return made.id


@pytest.fixture
async def chat(session_factory: Factory, redis_url: str | None):
    await load_areas(session_factory, AREAS)
    harness = Family(session_factory, redis_url)
    harness.households = {  # type: ignore[attr-defined]
        "an": await household(session_factory, AN.id, "Trần Văn An", "H2", "en"),
        "binh": await household(session_factory, BINH.id, "Trần Văn Bình", "H1", "vi"),
        "cuc": await household(session_factory, CUC.id, "Trần Thị Cúc", "H2", "en"),
        "dung": await household(session_factory, DUNG.id, "Lê Văn Dũng", "H1", "en"),
    }
    harness.as_user(AN)
    yield harness
    await harness.close()


async def to_groups(chat: Family) -> None:
    await chat.send("/start")
    await chat.click("👥 Clans and units")


async def members(chat: Family, clan_id: int) -> dict[int, bool]:
    async with chat.session_factory() as session:
        found = await SqlUnitOfWork(session).clans.members(clan_id)
    return {member.household_id: member.confirmed for member in found}


async def only_clan(chat: Family) -> gr.Clan:
    async with chat.session_factory() as session:
        [clan] = await SqlUnitOfWork(session).clans.of_commune("C1")
    return clan


async def told(chat: Family, user_id: int) -> list[str]:
    return [
        call.text
        for call in chat.session.calls
        if isinstance(call, SendMessage) and call.chat_id == user_id
    ]


async def test_a_clan_is_registered_with_families_found_by_name_and_they_say_yes_or_no(
    chat: Family,
) -> None:
    await to_groups(chat)
    await chat.click("➕ Register a clan")
    families = await chat.send(CLAN)
    assert "Families of Họ Trần Văn - chi 2" in (families.text or "")
    assert buttons(families)[0] == "✅ Trần Văn An · Thôn Đoài"  # the representative's own

    found = await chat.send("tran van")
    assert buttons(found)[:2] == ["✅ Trần Văn An · Thôn Đoài", "⬜ Trần Văn Bình · Thôn Đông"]
    await chat.click("⬜ Trần Văn Bình · Thôn Đông")
    found = await chat.send("CUC")
    assert "⬜ Trần Thị Cúc · Thôn Đoài" in buttons(found)
    await chat.click("⬜ Trần Thị Cúc · Thôn Đoài")
    assert "✅ Trần Văn Bình · Thôn Đông" in buttons(chat.manager.last_message())  # kept
    assert "Chosen: 3" in chat.text()
    summary = await chat.click("▶️ Next")
    text = summary.text or ""
    assert "Clan: <b>Họ Trần Văn - chi 2</b>" in text
    assert "Xã Đông Hòa" in text
    assert "Families: 3" in text
    assert "• Trần Thị Cúc · Thôn Đoài" in text
    assert "+84" not in text  # a phone is not shown

    done = await chat.click("✅ Register")
    clan = await only_clan(chat)
    assert clan.code in (done.text or "")
    assert "Families asked to say yes: 2." in (done.text or "")
    ids = chat.households  # type: ignore[attr-defined]
    assert await members(chat, clan.id) == {ids["an"]: True, ids["binh"]: False, ids["cuc"]: False}
    [to_binh] = await told(chat, BINH.id)
    assert "<b>Họ Trần Văn - chi 2</b> đã đăng ký" in to_binh
    assert "«👥 Dòng họ, đơn vị học tập»" in to_binh
    [to_cuc] = await told(chat, CUC.id)
    assert "“👥 Clans and units”" in to_cuc
    assert await told(chat, AN.id) == []

    chat.as_user(BINH)
    await chat.send("/start")
    asked = await chat.click("👥 Dòng họ, đơn vị học tập")
    assert "Họ Trần Văn - chi 2" in (asked.text or "")
    answered = await chat.click("✅ Có, gia đình tôi thuộc Họ Trần Văn - chi 2")
    assert "Cảm ơn" in (answered.text or "")
    assert "🚪 Rời dòng họ" in buttons(answered)

    chat.as_user(CUC)
    await to_groups(chat)
    declined = await chat.click("❌ No, not our clan")
    assert "your family is not in Họ Trần Văn - chi 2" in (declined.text or "")
    assert await members(chat, clan.id) == {ids["an"]: True, ids["binh"]: True}


async def test_a_family_leaves_its_clan_after_saying_so_twice(chat: Family) -> None:
    ids = chat.households  # type: ignore[attr-defined]
    await register_clan(chat, [ids["an"], ids["dung"]])
    chat.as_user(DUNG)
    await to_groups(chat)
    await chat.click("✅ Yes, my family is in")
    asked = await chat.click("🚪 Leave the clan")
    assert "Leave the learning clan <b>Họ Trần Văn - chi 2</b>?" in (asked.text or "")
    back = await chat.click("◀️ Back")
    assert "🚪 Leave the clan" in buttons(back)
    await chat.click("🚪 Leave the clan")
    left = await chat.click("✅ Yes, leave the clan")
    assert "Your family has left Họ Trần Văn - chi 2." in (left.text or "")
    assert ids["dung"] not in await members(chat, (await only_clan(chat)).id)


async def register_clan(chat: Family, households: list[int]) -> gr.ClanRegistered:
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        actor = await uow.users.get(AN.id)
        assert actor is not None
        return await gr.register_clan(uow, actor, CLAN, "C1", households, year=YEAR, now=NOW)


async def test_the_clans_card_opens_a_self_assessment_of_what_the_bot_cannot_count(
    chat: Family,
) -> None:
    ids = chat.households  # type: ignore[attr-defined]
    registered = await register_clan(chat, [ids["an"], ids["binh"]])
    await to_groups(chat)
    card = await chat.click("👥 Họ Trần Văn - chi 2")
    text = card.text or ""
    assert f"Clan code: <b>{registered.clan.code}</b>" in text
    assert "Families: 1 confirmed of 2 listed" in text
    assert "registered, not self-assessed yet" in text

    question = await chat.click("📋 Self-assessment")
    assert "Question 1/4" in (question.text or "")
    assert "reward or encourage children" in (question.text or "")  # 2b: 1a and 2a are counted
    for answer in ("Yes", "Yes", "Yes", "Yes"):
        review = await chat.click(answer)
    text = review.text or ""
    assert "Figures the bot counted" in text
    assert "submit it to the commune" in text
    submitted = await chat.click("📤 Submit")
    assert "Self-assessment submitted" in (submitted.text or "")
    back = await chat.click("🏠 Main menu")  # the assessment returns to the card
    assert "self-assessed, waiting for the commune" in (back.text or "")


async def test_a_unit_is_registered_and_a_staff_member_counts_for_it_by_its_code(
    chat: Family,
) -> None:
    await to_groups(chat)
    await chat.click("🏫 Register a unit")
    await chat.send("Trường Tiểu học Đông Hòa")
    await chat.click("School")
    summary = await chat.send("25")
    assert "Staff: 25" in (summary.text or "")
    done = await chat.click("✅ Register")
    async with chat.session_factory() as session:
        [unit] = await SqlUnitOfWork(session).units.of_commune("C1")
    assert (unit.name, unit.kind, unit.staff_count) == ("Trường Tiểu học Đông Hòa", "school", 25)
    assert f"Unit code: <b>{unit.code}</b>" in (done.text or "")
    assert "The commune will confirm" in (done.text or "")
    await chat.click("👥 Clans and units")
    card = await chat.click("🏫 Trường Tiểu học Đông Hòa")
    assert "School" in (card.text or "")
    assert "has not confirmed the unit yet" in (card.text or "")

    chat.as_user(DUNG)
    await to_groups(chat)
    first = await chat.click("🔢 My learning-citizen self-assessment counts for a unit")
    assert "First add the person" in (first.text or "")
    await chat.click("🏡 My household")
    await chat.click("➕ Add a member")
    await chat.send("Lê Văn Dũng")
    await chat.send("1980")
    await chat.click("🏠 Main menu")  # back where the user came from
    await chat.click("Lê Văn Dũng (1980)")
    await chat.send("ZZZZZZ")
    assert chat.errors()[-1] == "No unit has this code. Please check it with the unit."
    counted = await chat.send(unit.code.lower())
    assert "counts for <b>Trường Tiểu học Đông Hòa</b>" in (counted.text or "")
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        [member] = await uow.households.members(chat.households["dung"])  # type: ignore[attr-defined]
        citizen = await uow.registrations.find(
            chat.households["dung"],
            member_subject(member.id),
            "cong_dan",
            YEAR,  # type: ignore[attr-defined]
        )
        assert citizen is not None
        assert await uow.units.unit_of(citizen.id) == unit.id
    question = await chat.click("📋 Learning-citizen self-assessment")
    assert "Question 1/" in (question.text or "")


async def test_bad_input_is_explained_and_nothing_is_stored(chat: Family) -> None:
    await to_groups(chat)
    await chat.click("➕ Register a clan")
    kept = await chat.send("<b>Họ</b> Trần")
    assert chat.errors()[-1].startswith("Please use letters, digits, spaces")
    assert "What is the clan's name?" in (kept.text or "")
    await chat.send(CLAN)
    await chat.send("t")
    assert chat.errors()[-1] == "Please type at least 2 letters of the name."
    await chat.click("🏠 Main menu")

    await chat.click("👥 Clans and units")
    await chat.click("🏫 Register a unit")
    await chat.send("Trường Tiểu học Đông Hòa")
    await chat.click("School")
    kept = await chat.send("0")
    assert chat.errors()[-1] == "Please type a number from 1 to 10,000"
    assert "How many people work" in (kept.text or "")
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        assert await uow.clans.of_commune("C1") == []
        assert await uow.units.of_commune("C1") == []


async def test_bad_input_is_explained_in_vietnamese_and_what_was_typed_is_escaped(
    chat: Family,
) -> None:
    chat.as_user(BINH)
    await to_groups_vi(chat)
    await chat.click("➕ Đăng ký dòng họ")
    await chat.send("<b>Họ</b> Trần")
    assert chat.errors()[-1].startswith("Xin chỉ dùng chữ, số, dấu cách")
    await chat.send(CLAN)
    searched = await chat.send("<i>x")
    assert "giống «&lt;i&gt;x»" in (searched.text or "")
    await chat.send("t")
    assert chat.errors()[-1] == "Xin gõ ít nhất 2 chữ cái của tên."
    await chat.click("🏠 Menu chính")
    await chat.click("👥 Dòng họ, đơn vị học tập")
    await chat.click("🏫 Đăng ký đơn vị")
    await chat.send("Trường Tiểu học Đông Hòa")
    await chat.click("Trường học")
    await chat.send("0")
    assert chat.errors()[-1] == "Vui lòng gõ một số từ 1 đến 10.000"
    await chat.click("🏠 Menu chính")

    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        await uow.households.add_member(chat.households["binh"], "Trần Văn Bình", 1970, NOW)  # type: ignore[attr-defined]
        await uow.commit()
    await chat.click("👥 Dòng họ, đơn vị học tập")
    await chat.click("🔢 Tính Công dân học tập cho đơn vị")
    await chat.click("Trần Văn Bình (1970)")
    await chat.send("ZZ9ZZ9")
    assert chat.errors()[-1] == "Không có đơn vị nào có mã này. Xin hỏi lại đơn vị của bạn."
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        assert await uow.clans.of_commune("C1") == []
        assert await uow.units.of_commune("C1") == []


async def to_groups_vi(chat: Family) -> None:
    await chat.send("/start")
    await chat.click("👥 Dòng họ, đơn vị học tập")


async def test_a_forged_card_of_someone_elses_clan_is_refused_and_written_down(
    chat: Family,
) -> None:
    ids = chat.households  # type: ignore[attr-defined]
    await register_clan(chat, [ids["an"]])
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        cuc = await uow.users.get(CUC.id)
        assert cuc is not None
        other = await gr.register_clan(uow, cuc, "Họ Lê", "C1", [ids["cuc"]], year=YEAR, now=NOW)
    await to_groups(chat)
    label = "👥 Họ Trần Văn - chi 2"
    message = chat.manager.last_message()
    markup: Any = message.reply_markup
    rows = [
        [
            b.model_copy(
                update={"callback_data": re.sub(r":c\d+$", f":c{other.clan.id}", b.callback_data)}
            )
            if b.text == label
            else b
            for b in row
        ]
        for row in markup.inline_keyboard
    ]
    chat.manager.reset_history()
    forged = message.model_copy(
        update={"reply_markup": InlineKeyboardMarkup(inline_keyboard=rows)}
    )
    await chat.client.click(forged, InlineButtonTextLocator(re.escape(label)))
    shown = chat.manager.last_message()
    assert chat.errors()[-1] == MSG_NOT_OFFERED
    assert "Họ Lê" not in (shown.text or "")
    [refused] = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert (refused["actor_id"], refused["attempted"]) == (AN.id, "choose:group")


async def test_without_a_commune_the_groups_menu_asks_for_one_first(chat: Family) -> None:
    chat.as_user(User(id=5, is_bot=False, first_name="Em", language_code="en"))
    menu = await chat.send("/start")
    assert "👥 Clans and units" not in buttons(menu)  # no consent yet
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        await uow.users.set_consent(5, 1, NOW)
        await uow.commit()
    await chat.send("/start")
    shown = await chat.click("👥 Clans and units")
    assert "first choose your commune and hamlet" in (shown.text or "")
    assert "➕ Register a clan" not in buttons(shown)
    assert "📍 My commune and hamlet" in buttons(shown)


async def test_families_are_found_in_ones_own_commune_only_and_never_once_forgotten(
    chat: Family,
) -> None:
    ids = chat.households  # type: ignore[attr-defined]
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        actor = await uow.users.get(AN.id)
        assert actor is not None
        found = await find_families(uow, actor, "C1", "  TRAN  van ", 10, now=NOW)
        assert [(f.head_name, f.hamlet_name) for f in found] == [
            ("Trần Văn An", "Thôn Đoài"),
            ("Trần Văn Bình", "Thôn Đông"),
        ]
        assert len(await find_families(uow, actor, "C1", "van", 2, now=NOW)) == 2
        await uow.households.forget(ids["binh"], NOW)
        await uow.commit()
        found = await find_families(uow, actor, "C1", "binh", 10, now=NOW)
        assert found == []
        with pytest.raises(NotAllowed):
            await find_families(uow, actor, "C2", "tran", 10, now=NOW)
    [refused] = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert (refused["actor_id"], refused["attempted"]) == (AN.id, "find_families")


async def test_a_clan_of_last_year_registers_again_from_its_card(chat: Family) -> None:
    ids = chat.households  # type: ignore[attr-defined]
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        actor = await uow.users.get(AN.id)
        assert actor is not None
        made = await gr.register_clan(
            uow, actor, CLAN, "C1", [ids["an"], ids["binh"]], year=YEAR - 1, now=NOW
        )
    await to_groups(chat)
    card = await chat.click("👥 Họ Trần Văn - chi 2")
    assert f"📋 {YEAR}: not registered for this year" in (card.text or "")
    assert "📋 Self-assessment" not in buttons(card)

    again = await chat.click(f"📝 Register for {YEAR}")

    assert "registered, not self-assessed yet" in (again.text or "")
    assert "📋 Self-assessment" in buttons(again)
    assert "Families: 1 confirmed of 2 listed" in (again.text or "")  # the families carried over
    async with chat.session_factory() as session:
        found = await SqlUnitOfWork(session).group_registrations.find(
            made.clan.subject, "dong_ho", YEAR
        )
    assert found is not None
    assert found.status == Status.REGISTERED
