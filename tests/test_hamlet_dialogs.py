"""The hamlet head's menu through the real dispatcher: the households, pledges at a meeting,
checking self-assessments, numbers, reminders, the spreadsheet and the families' link; and
forged buttons for another hamlet's households. In English, like the family's tests."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import SendDocument, SendMessage, SendPhoto
from aiogram.types import InlineKeyboardMarkup, Message, User
from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator
from babel.dates import format_time
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.criteria_files import shipped_criteria
from bot.domain.households import HouseholdForm, campaign_year
from bot.domain.status import Status
from bot.domain.users import Role
from bot.domain.users import User as User_
from bot.reports.hamlet_xlsx import HEADERS
from bot.services.areas import import_areas
from bot.services.assessments import save_answer, submit_assessment
from bot.services.groups import register_clan
from bot.services.hamlets import register_by_proxy
from bot.services.households import record_consent, register_household
from dialogs.offered import MSG_NOT_OFFERED
from storage.outbox_models import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.test_dialogs import AREAS, buttons
from tests.test_household_dialogs import Family
from tests.test_household_services import GIA_DINH, best

Factory = async_sessionmaker[AsyncSession]
HEAD = User(id=10, is_bot=False, first_name="Trưởng thôn", language_code="en")
AN, BINH, CUONG, XA = 21, 22, 23, 30
SHIPPED = shipped_criteria()


@dataclass
class Hamlet:
    """Thôn Đoài (H2) as its head finds it, with the ids the tests look for."""

    chat: Family
    year: int
    households: dict[str, int]
    registrations: dict[str, int]

    @property
    def factory(self) -> Factory:
        return self.chat.session_factory

    async def open(self) -> Message:
        await self.chat.send("/start")
        return await self.chat.click("🏘 My hamlet")

    def sent_to(self, chat_id: int) -> list[str]:
        return [
            call.text
            for call in self.chat.session.calls
            if isinstance(call, SendMessage) and call.chat_id == chat_id
        ]

    async def status_of(self, name: str) -> Any:
        async with self.factory() as session:
            registration = await SqlUnitOfWork(session).registrations.get(self.registrations[name])
        assert registration is not None
        return registration

    async def audit(self) -> list[dict[str, Any]]:
        async with self.factory() as session:
            return await SqlUnitOfWork(session).audit.entries()


def _now() -> datetime:
    return datetime.now(UTC)


async def _family(
    uow: SqlUnitOfWork,
    user_id: int,
    name: str,
    phone: str,
    *,
    hamlet: str = "H2",
    year: int,
    assessed: bool = False,
) -> tuple[int, int]:
    await uow.users.add(User_(id=user_id, language="en"), _now())
    await uow.commit()
    await record_consent(uow, user_id, _now())
    form = HouseholdForm(hamlet, name, phone, 4, 2, ("school",))
    household, registration = await register_household(uow, user_id, form, year=year, now=_now())
    if assessed:
        for indicator in GIA_DINH.indicators():
            await save_answer(
                uow,
                user_id,
                registration.id,
                indicator.id,
                best(indicator),
                shipped=SHIPPED,
                now=_now(),
            )
        await submit_assessment(uow, user_id, registration.id, shipped=SHIPPED, now=_now())
    return household.id, registration.id


async def _seed(uow: SqlUnitOfWork, year: int) -> tuple[dict[str, int], dict[str, int]]:
    assert (await import_areas(uow, AREAS)).ok
    await uow.users.add(User_(id=HEAD.id, language="en"), _now())
    await uow.users.grant(HEAD.id, Role.HAMLET_HEAD, "H2")
    await uow.commit()
    households, registrations = {}, {}
    for key, user_id, name, phone, hamlet, assessed in (
        ("an", AN, "Nguyễn Văn An", "+84912000021", "H2", True),
        ("binh", BINH, "Trần Thị Bình", "+84912000022", "H2", False),
        ("xa", XA, "Hoàng Văn Xa", "+84912000030", "H1", True),
    ):
        households[key], registrations[key] = await _family(
            uow, user_id, name, phone, hamlet=hamlet, year=year, assessed=assessed
        )
    households["cuong"], _ = await _family(
        uow, CUONG, "Lê Văn Cường", "+84912000023", year=year - 1
    )
    head = await uow.users.get(HEAD.id)
    assert head is not None
    form = HouseholdForm("H2", "Phạm Thị Dung", "+84912000024", 3, 1, ())
    household, registration = await register_by_proxy(
        uow, head, form, _now(), year=year, now=_now()
    )
    households["dung"], registrations["dung"] = household.id, registration.id
    return households, registrations


@pytest.fixture
async def hamlet(session_factory: Factory, redis_url: str | None):
    chat = Family(session_factory, redis_url)
    chat.as_user(HEAD)
    year = campaign_year(_now(), chat.settings.zone)
    async with session_factory() as session:
        households, registrations = await _seed(SqlUnitOfWork(session), year)
    yield Hamlet(chat, year, households, registrations)
    await chat.close()


def forged(message: Message, label: str, item_id: int) -> Message:
    """The message with the button `label` pointing at `item_id` instead."""
    markup: Any = message.reply_markup
    rows = [
        [
            button.model_copy(
                update={"callback_data": re.sub(r":\d+$", f":{item_id}", button.callback_data)}
            )
            if button.text == label
            else button
            for button in row
        ]
        for row in markup.inline_keyboard
    ]
    return message.model_copy(update={"reply_markup": InlineKeyboardMarkup(inline_keyboard=rows)})


async def click_forged(hamlet: Hamlet, label: str, item_id: int) -> Message:
    chat = hamlet.chat
    message = forged(chat.manager.last_message(), label, item_id)
    chat.manager.reset_history()
    await chat.client.click(message, InlineButtonTextLocator(re.escape(label)))
    return chat.manager.last_message()


async def shown_context(hamlet: Hamlet, message: Message) -> dict[str, Any]:
    """The dialog context behind a shown window (its state and start data), as stored."""
    markup: Any = message.reply_markup
    intent = markup.inline_keyboard[0][0].callback_data.split("\x1d")[0]
    chat = hamlet.chat
    key = StorageKey(
        bot_id=chat.bot.id,
        chat_id=chat.user.id,
        user_id=chat.user.id,
        destiny=f"aiogd:context:{intent}",
    )
    return await chat.dp.storage.get_data(key)


# --- the menu and the households ---------------------------------------------------------


async def test_the_hamlet_head_opens_the_menu_of_their_hamlet(hamlet: Hamlet) -> None:
    menu = await hamlet.open()
    assert "Thôn Đoài, Xã Đông Hòa" in (menu.text or "")
    assert "✅ Check self-assessments (1)" in buttons(menu)
    assert "🔁 Switch hamlet" not in buttons(menu)
    main = await hamlet.chat.click("🏠 Main menu")
    assert "Main menu" in (main.text or "")


async def test_a_head_of_two_hamlets_switches_between_them(hamlet: Hamlet) -> None:
    async with hamlet.factory() as session:
        uow = SqlUnitOfWork(session)
        await uow.users.grant(HEAD.id, Role.HAMLET_HEAD, "H3")
        await uow.commit()
    menu = await hamlet.open()
    assert "Thôn Đoài" in (menu.text or "")
    switched = await hamlet.chat.click("🔁 Switch hamlet")
    assert "Thôn Thượng" in (switched.text or "")
    listed = await hamlet.chat.click("🏠 Households")
    assert "No household matches." in (listed.text or "")
    await hamlet.chat.click("⬅️ Back")
    back = await hamlet.chat.click("🔁 Switch hamlet")
    assert "Thôn Đoài" in (back.text or "")


async def test_the_list_shows_each_household_with_its_status(hamlet: Hamlet) -> None:
    await hamlet.open()
    listed = await hamlet.chat.click("🏠 Households")
    assert "Households</b> · 4" in (listed.text or "")
    assert buttons(listed)[:4] == [
        "⚪ Lê Văn Cường",
        "📋 Nguyễn Văn An",
        "📝 Phạm Thị Dung 📵",
        "📝 Trần Thị Bình",
    ]
    assert not any("Hoàng Văn Xa" in label for label in buttons(listed))
    menu = await hamlet.chat.click("⬅️ Back")
    assert "What would you like to do?" in (menu.text or "")


async def test_the_list_filters_by_status_and_searches_without_accents(hamlet: Hamlet) -> None:
    chat = hamlet.chat
    await hamlet.open()
    await chat.click("🏠 Households")
    await chat.click("🔎 Filter or search")
    waiting = await chat.click("⚪ Not registered")
    assert "Showing: ⚪ Not registered" in (waiting.text or "")
    assert [b for b in buttons(waiting) if "Văn" in b or "Thị" in b] == ["⚪ Lê Văn Cường"]
    everyone = await chat.click("✖️ Show all")
    assert "📝 Trần Thị Bình" in buttons(everyone)
    await chat.click("🔎 Filter or search")
    found = await chat.send("tran thi binh")
    assert "Search: <b>tran thi binh</b>" in (found.text or "")
    assert [b for b in buttons(found) if "Văn" in b or "Thị" in b] == ["📝 Trần Thị Bình"]
    await chat.click("🔎 Filter or search")
    by_phone = await chat.send("0912 000 021")
    assert "📋 Nguyễn Văn An" in buttons(by_phone)
    assert "📝 Trần Thị Bình" not in buttons(by_phone)
    await chat.click("🔎 Filter or search")
    nothing = await chat.send("<b>nobody</b>")
    assert "No household matches." in (nothing.text or "")
    assert "&lt;b&gt;nobody&lt;/b&gt;" in (nothing.text or "")


async def test_the_list_goes_by_pages_of_ten(hamlet: Hamlet) -> None:
    async with hamlet.factory() as session:
        uow = SqlUnitOfWork(session)
        head = await uow.users.get(HEAD.id)
        assert head is not None
        for n in range(8):
            form = HouseholdForm("H2", f"Vũ Văn {'ABCDEFGH'[n]}", f"+8491300010{n}", 2, 0, ())
            await register_by_proxy(uow, head, form, _now(), year=hamlet.year, now=_now())
    await hamlet.open()
    first = await hamlet.chat.click("🏠 Households")
    assert "Page 1/2" in (first.text or "")
    assert "◀️ Previous" not in buttons(first)
    second = await hamlet.chat.click("Next ▶️")
    assert "Page 2/2" in (second.text or "")
    assert [b for b in buttons(second) if "Vũ" in b] == ["📝 Vũ Văn G 📵", "📝 Vũ Văn H 📵"]
    assert "Next ▶️" not in buttons(second)
    again = await hamlet.chat.click("◀️ Previous")
    assert "Page 1/2" in (again.text or "")


async def test_a_card_shows_the_household_and_its_history(hamlet: Hamlet) -> None:
    await hamlet.open()
    await hamlet.chat.click("🏠 Households")
    card = (await hamlet.chat.click("Phạm Thị Dung")).text or ""
    assert "Household of <b>Phạm Thị Dung</b>" in card
    assert "+84912000024" in card
    assert "Members: 3, of whom school-age children: 1" in card
    assert "Claim code, not used yet" in card
    assert "Consent given aloud, recorded on" in card
    assert "Telegram accounts linked: 0" in card
    assert f"This year ({hamlet.year}): <b>registered</b>" in card
    assert "📝 Registered:" in card
    await hamlet.chat.click("⬅️ Back")
    old = (await hamlet.chat.click("Lê Văn Cường")).text or ""
    assert f"Not registered for {hamlet.year} yet." in old
    assert f"Learning family {hamlet.year - 1}" in old
    assert "Telegram accounts linked: 1" in old


async def test_the_head_says_yes_to_a_clan_for_a_family_without_telegram(
    hamlet: Hamlet,
) -> None:
    async with hamlet.factory() as session:
        uow = SqlUnitOfWork(session)
        an = await uow.users.get(AN)
        assert an is not None
        family_ids = [hamlet.households["an"], hamlet.households["dung"]]
        await register_clan(uow, an, "Họ Phạm", "C1", family_ids, year=hamlet.year, now=_now())
    await hamlet.open()
    await hamlet.chat.click("🏠 Households")
    card = await hamlet.chat.click("Phạm Thị Dung")
    assert "👥 The family says it is in Họ Phạm" in buttons(card)

    after = await hamlet.chat.click("👥 The family says it is in Họ Phạm")

    assert "👥 The family says it is in Họ Phạm" not in buttons(after)
    assert "Household of <b>Phạm Thị Dung</b>" in (after.text or "")
    assert hamlet.sent_to(AN)[-1] == "✅ The family of Phạm Thị Dung confirmed it is in Họ Phạm."
    async with hamlet.factory() as session:
        membership = await SqlUnitOfWork(session).clans.membership(hamlet.households["dung"])
    assert membership is not None
    assert membership.confirmed


async def test_register_a_family_opens_the_assisted_registration(hamlet: Hamlet) -> None:
    await hamlet.open()
    shown = await hamlet.chat.click("📝 Register a family")
    assert "What would you like to do?" not in (shown.text or "")
    context = await shown_context(hamlet, shown)
    assert context["state"] == "ProxySG:consent"
    assert context["start_data"] == {"hamlet": "H2"}


async def test_the_head_fills_in_the_assessment_for_a_family(hamlet: Hamlet) -> None:
    await hamlet.open()
    await hamlet.chat.click("🏠 Households")
    card = await hamlet.chat.click("Trần Thị Bình")
    assert "🔍 Check the self-assessment" not in buttons(card)
    question = await hamlet.chat.click("📝 Fill in for the family")
    assert "Question 1/" in (question.text or "")


# --- pledges at a meeting ----------------------------------------------------------------


async def test_pledges_at_a_meeting_register_the_chosen_households(hamlet: Hamlet) -> None:
    chat = hamlet.chat
    await hamlet.open()
    chooser = await chat.click("🤝 Pledges at a meeting")
    assert buttons(chooser) == ["⬜ Lê Văn Cường", "⬅️ Back"]
    ticked = await chat.click("⬜ Lê Văn Cường")
    assert "✅ Lê Văn Cường" in buttons(ticked)
    await chat.click("▶️ Next")
    asked = await chat.send("31/02/2026")
    assert "When was the meeting?" in (asked.text or "")
    assert "Please type the date as day/month/year" in chat.errors()[-1]
    await chat.send((datetime.now(UTC) + timedelta(days=3)).strftime("%d/%m/%Y"))
    assert "cannot be later than today" in chat.errors()[-1]
    menu = await chat.click("Yesterday")
    assert "Pledges recorded: 1. Already registered: 0." in (menu.text or "")
    async with hamlet.factory() as session:
        uow = SqlUnitOfWork(session)
        registration = await uow.registrations.find(
            hamlet.households["cuong"], "household", "gia_dinh", hamlet.year
        )
    assert registration is not None
    today = datetime.now(UTC).astimezone(chat.settings.zone).date()
    assert registration.pledged_on == today - timedelta(days=1)
    assert registration.recorded_by == HEAD.id
    again = await chat.click("🤝 Pledges at a meeting")
    assert "Every household is already registered" in (again.text or "")


async def test_a_typed_meeting_date_is_accepted(hamlet: Hamlet) -> None:
    await hamlet.open()
    await hamlet.chat.click("🤝 Pledges at a meeting")
    await hamlet.chat.click("⬜ Lê Văn Cường")
    await hamlet.chat.click("▶️ Next")
    day = datetime.now(UTC).astimezone(hamlet.chat.settings.zone).date() - timedelta(days=2)
    menu = await hamlet.chat.send(day.strftime("%d/%m/%Y"))
    assert "Pledges recorded: 1." in (menu.text or "")


# --- checking self-assessments -----------------------------------------------------------


async def test_the_head_confirms_a_self_assessment_and_the_family_is_told(
    hamlet: Hamlet,
) -> None:
    chat = hamlet.chat
    await hamlet.open()
    waiting = await chat.click("✅ Check self-assessments (1)")
    assert "Self-assessments to check</b>: 1" in (waiting.text or "")
    assessment = (await chat.click("📋 Nguyễn Văn An")).text or ""
    assert "Self-assessment of Nguyễn Văn An" in assessment
    assert "<b>Total: 100/100</b>" in assessment
    assert "reaches the “Learning family” mark" in assessment
    assert "— <b>Yes</b>" in assessment
    after = await chat.click("✅ Confirm")
    assert "Confirmed: Nguyễn Văn An. The family has been told." in (after.text or "")
    assert "No self-assessment is waiting for you." in (after.text or "")
    assert any("confirmed your self-assessment" in text for text in hamlet.sent_to(AN))
    assert (await hamlet.status_of("an")).status == Status.VERIFIED


async def test_the_head_returns_a_self_assessment_with_a_comment(hamlet: Hamlet) -> None:
    chat = hamlet.chat
    await hamlet.open()
    await chat.click("✅ Check self-assessments (1)")
    await chat.click("📋 Nguyễn Văn An")
    asked = await chat.click("↩️ Return with a comment")
    assert "Return to Nguyễn Văn An" in (asked.text or "")
    back = await chat.click("⬅️ Back")
    assert "<b>Total: 100/100</b>" in (back.text or "")
    await chat.click("↩️ Return with a comment")
    after = await chat.send("Please check 3b <the study fund>")
    assert "Returned to Nguyễn Văn An with your comment." in (after.text or "")
    told = [t for t in hamlet.sent_to(AN) if "returned your self-assessment" in t]
    assert told
    assert "Please check 3b &lt;the study fund&gt;" in told[-1]
    registration = await hamlet.status_of("an")
    assert registration.status == Status.RETURNED
    assert registration.last_comment() == "Please check 3b <the study fund>"


async def test_the_card_of_a_self_assessed_household_leads_to_the_check(hamlet: Hamlet) -> None:
    await hamlet.open()
    await hamlet.chat.click("🏠 Households")
    await hamlet.chat.click("Nguyễn Văn An")
    await hamlet.chat.click("🔍 Check the self-assessment")
    card = await hamlet.chat.click("✅ Confirm")
    assert "Confirmed: Nguyễn Văn An" in (card.text or "")
    assert "<b>confirmed by the hamlet head" in (card.text or "")


# --- numbers, reminders, the spreadsheet and the link ------------------------------------


async def test_the_hamlet_in_numbers(hamlet: Hamlet) -> None:
    await hamlet.open()
    shown = (await hamlet.chat.click("📊 My hamlet in numbers")).text or ""
    assert "Households: 4" in shown
    assert "Registered: 3 (75%)" in shown
    assert "Self-assessed: 1 (25%)" in shown
    assert "Reaching the mark: 1 (25%)" in shown
    assert "Recognised by the commune: 0 (0%)" in shown
    assert "Not on Telegram: 1 (25%)" in shown
    assert "3 more households to be recognised to reach 70%." in shown  # the national one
    async with hamlet.factory() as session:
        uow = SqlUnitOfWork(session)
        await uow.targets.set("C1", "gia_dinh", hamlet.year, 50)
        await uow.commit()
    await hamlet.chat.click("⬅️ Back")
    again = (await hamlet.chat.click("📊 My hamlet in numbers")).text or ""
    assert "2 more households to be recognised to reach 50%." in again  # the commune's own


async def quiet_hours(hamlet: Hamlet, hours: str) -> None:
    """The bot restarted with these quiet hours (the head's chat carries on)."""
    hamlet.chat.settings = hamlet.chat.settings.model_copy(update={"quiet_hours": hours})
    hamlet.chat.restart()


async def reminders_in_outbox(hamlet: Hamlet) -> list[tuple[int, str]]:
    """(chat id, text) of the reminders waiting in the outbox, by chat id."""
    async with hamlet.factory() as session:
        rows = await session.execute(
            select(OutboxRow.chat_id, OutboxRow.text)
            .where(OutboxRow.state == "queued", OutboxRow.reminder == "hamlet_remind")
            .order_by(OutboxRow.chat_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_reminders_are_queued_once_a_day_and_list_whom_to_visit(hamlet: Hamlet) -> None:
    await quiet_hours(hamlet, "off")
    chat = hamlet.chat
    await hamlet.open()
    asked = await chat.click("🔔 Remind families")
    assert "at most one reminder a day" in (asked.text or "")
    done = (await chat.click("🔔 Yes, send the reminders")).text or ""
    assert "Queued to send: 2" in done
    assert "To visit in person: 1" in done
    assert "They will be sent in the next few minutes." in done
    assert "quiet time" not in done
    to_visit = chat.errors()[-1]
    assert "Families to visit in person" in to_visit
    assert "Phạm Thị Dung · +84912000024" in to_visit
    queued = await reminders_in_outbox(hamlet)
    assert [chat_id for chat_id, _ in queued] == [BINH, CUONG]
    assert all("reminds you" in text for _, text in queued)  # they chose English
    assert hamlet.sent_to(BINH) == hamlet.sent_to(CUONG) == []  # the sender will, not the dialog
    await chat.click("⬅️ Back")
    await chat.click("🔔 Remind families")
    again = (await chat.click("🔔 Yes, send the reminders")).text or ""
    assert "Queued to send: 0" in again
    assert "Already reminded today: 3" in again
    assert "next few minutes" not in again
    assert len(await reminders_in_outbox(hamlet)) == 2


async def test_reminders_in_quiet_hours_say_when_they_will_go(hamlet: Hamlet) -> None:
    local = datetime.now(hamlet.chat.settings.zone)
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    await quiet_hours(hamlet, f"{start:%H:%M}-{end:%H:%M}")
    await hamlet.open()
    await hamlet.chat.click("🔔 Remind families")
    done = (await hamlet.chat.click("🔔 Yes, send the reminders")).text or ""
    assert "Queued to send: 2" in done
    shown = format_time(end.replace(second=0, microsecond=0), format="short", locale="en")
    assert f"It is quiet time now: they will be sent from {shown}." in done
    assert "next few minutes" not in done


async def test_the_export_is_a_spreadsheet_of_the_hamlet(hamlet: Hamlet) -> None:
    await hamlet.open()
    menu = await hamlet.chat.click("📤 Export to Excel")
    assert "What would you like to do?" in (menu.text or "")
    [sent] = [call for call in hamlet.chat.session.calls if isinstance(call, SendDocument)]
    document: Any = sent.document
    assert document.filename == f"thon-doai-{hamlet.year}.xlsx"
    assert "Thôn Đoài" in (sent.caption or "")
    sheet = load_workbook(io.BytesIO(document.data)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0]) == HEADERS
    assert len(rows) == 5
    an = next(row for row in rows if row[1] == "Nguyễn Văn An")
    assert an[2:8] == ["Thôn Đoài", 4, "+84912000021", an[5], 100, "Đạt"]
    assert an[5] is not None
    cuong = next(row for row in rows if row[1] == "Lê Văn Cường")
    assert (cuong[5], cuong[6], cuong[7]) == (None, None, "Chưa đăng ký")
    assert any(entry["action"] == "export" for entry in await hamlet.audit())


async def test_the_family_link_comes_as_text_and_as_a_qr_code(hamlet: Hamlet) -> None:
    await hamlet.open()
    shown = await hamlet.chat.click("🔗 Link and QR code for families")
    assert "https://t.me/hoctap_test_bot?start=h_H2" in (shown.text or "")
    [sent] = [call for call in hamlet.chat.session.calls if isinstance(call, SendPhoto)]
    photo: Any = sent.photo
    assert photo.data.startswith(b"\x89PNG")
    menu = await hamlet.chat.click("⬅️ Back")
    assert "What would you like to do?" in (menu.text or "")


# --- forged buttons ----------------------------------------------------------------------


async def test_a_forged_card_of_another_hamlet_is_refused_and_written_down(
    hamlet: Hamlet,
) -> None:
    await hamlet.open()
    await hamlet.chat.click("🏠 Households")
    shown = await click_forged(hamlet, "⚪ Lê Văn Cường", hamlet.households["xa"])
    assert hamlet.chat.errors()[-1] == MSG_NOT_OFFERED
    assert "Hoàng Văn Xa" not in (shown.text or "")
    refused = [e for e in await hamlet.audit() if e["action"] == "refused"]
    assert (refused[-1]["actor_id"], refused[-1]["attempted"]) == (HEAD.id, "choose:household")


async def test_a_forged_check_of_another_hamlet_is_refused_and_written_down(
    hamlet: Hamlet,
) -> None:
    await hamlet.open()
    await hamlet.chat.click("✅ Check self-assessments (1)")
    await click_forged(hamlet, "📋 Nguyễn Văn An", hamlet.registrations["xa"])
    assert hamlet.chat.errors()[-1] == MSG_NOT_OFFERED
    refused = [e for e in await hamlet.audit() if e["action"] == "refused"]
    assert refused[-1]["attempted"] == "choose:waiting"
    assert (await hamlet.status_of("xa")).status == Status.SELF_ASSESSED


async def test_a_forged_pledge_for_another_hamlet_records_nothing(hamlet: Hamlet) -> None:
    await hamlet.open()
    await hamlet.chat.click("🤝 Pledges at a meeting")
    await hamlet.chat.click("⬜ Lê Văn Cường")
    shown = await click_forged(hamlet, "✅ Lê Văn Cường", hamlet.households["xa"])
    assert hamlet.chat.errors()[-1] == MSG_NOT_OFFERED
    refused = [e for e in await hamlet.audit() if e["action"] == "refused"]
    assert refused[-1]["attempted"] == "choose:pledged"
    assert "✅ Lê Văn Cường" in buttons(shown)  # what was ticked stays; nothing else is
    assert not any("Hoàng Văn Xa" in b for b in buttons(shown))
