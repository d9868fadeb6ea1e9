"""The hostile list of tests/test_hostile_parsers.py typed by Vietnamese users into every text
question and after every command that takes an argument, through the real dispatcher (issue 8).

For each input: no exception escapes and nothing is logged as an error; the bot answers, in
Vietnamese (a refused answer gets the catalog's text for the parser's msgid, then the same
question again); nothing is stored (the database, every table but caches and FSM state, and the
dialog's state and data are as before); every outgoing text is valid Telegram HTML that does
not echo markup typed by the user. An input a question accepts moves the dialog on: the dialog
state is put back as it was before the next input, so one walk to a question serves them all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import EditMessageText, SendDocument, SendMessage, SendPhoto
from aiogram.types import User
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.broadcasts import GROUP_LABELS, Group
from bot.domain.deadlines import DEADLINE_LABELS, Deadline
from bot.domain.households import campaign_year
from bot.domain.messages import N_
from bot.domain.parsers import (
    InputError,
    parse_count,
    parse_day,
    parse_person_name,
    parse_phone,
)
from bot.domain.text import normalize_text
from bot.domain.users import Role
from bot.i18n import create_i18n, fill
from bot.services.areas import import_areas
from dialogs.commune.roster import MSG_SEND_A_FILE
from dialogs.household import _birth_year
from storage.base import Base
from storage.outbox_models import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.spec_check import TEXT_LIMIT, text_problems
from tests.support import grant
from tests.test_commune_dialogs import proposed_household
from tests.test_dialogs import AREAS, Harness, buttons
from tests.test_hamlet_dialogs import _family, _seed
from tests.test_hostile_parsers import BY_NAME, HOSTILE
from tests.test_household_dialogs import Family
from tests.test_locales import catalog

Factory = async_sessionmaker[AsyncSession]
I18N = create_i18n("vi")
NOW = datetime.now(UTC)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the settings' default TIMEZONE

# Everyone speaks Vietnamese. The family is new; the registered family, of Thôn Đoài, has
# not self-assessed yet; the head is _seed's (Thôn Đoài); the officer is of Xã Đông Hòa.
FAMILY = User(id=1, is_bot=False, first_name="An", language_code="vi")
REGISTERED = User(id=22, is_bot=False, first_name="Bình", language_code="vi")
HEAD = User(id=10, is_bot=False, first_name="Trưởng thôn", language_code="vi")
OFFICER = User(id=50, is_bot=False, first_name="Cán bộ", language_code="vi")
ADMIN = User(id=777, is_bot=False, first_name="Quản trị", language_code="vi")  # ADMIN_IDS


def vi(msgid: str) -> str:
    return I18N.gettext(msgid, locale="vi")


def refuse_all(msgid: str) -> Callable[[str], NoReturn]:
    """A window that asks nothing typed: whatever is typed gets `msgid`."""

    def parse(_: str) -> NoReturn:
        raise InputError(msgid)

    return parse


UNEXPECTED = N_(
    "Sorry, I did not understand. Please use the buttons below, "
    "or press /start for the main menu and /help for help."
)
NO_DIALOG = N_("Sorry, I did not understand. Press /start to see the menu or /help for help.")


class Chat(Family):
    """A Vietnamese user's chat; buttons are pressed by their English msgid."""

    async def tap(self, msgid: str) -> None:
        """Press the button whose label is the Vietnamese of `msgid` (up to a placeholder)."""
        start = vi(msgid).split("{")[0]
        labels = buttons(self.manager.last_message())
        found = [label for label in labels if start in label]
        assert found, f"{start!r} not in {labels} {self.errors()}"
        await Harness.click(self, found[0])


# --- how each text question is reached ---------------------------------------------------


async def to_menu(chat: Chat) -> None:
    await chat.send("/start")


async def to_places(chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("📍 My commune and hamlet")


async def to_registration(chat: Chat, answers: int = 0) -> None:
    await chat.send("/start")
    await chat.tap("📝 Register my family")
    await chat.tap("✅ I agree")
    await chat.tap("📍 Choose commune and hamlet")
    await chat.click("Xã Đông Hòa")
    await chat.click("Thôn Đông")
    await chat.tap("✅ Yes, save")
    for answer in ("Lê Thị Hoa", "0987 654 321")[:answers]:
        await chat.send(answer)
    if answers > 2:
        await chat.click("4")


async def to_link(chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("🔗 I have a household code")
    await chat.tap("✅ I agree")


async def to_member(chat: Chat, year: bool = False) -> None:
    await chat.send("/start")
    await chat.tap("🏡 My household")
    await chat.tap("➕ Add a member")
    if year:
        await chat.send("Trần Văn Bảy")


async def to_assessment(chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("📋 Self-assessment")


async def to_hamlet(chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("🏘 My hamlet")


async def to_search(chat: Chat) -> None:
    await to_hamlet(chat)
    await chat.tap("🏠 Households")
    await chat.tap("🔎 Filter or search")


async def to_meeting_day(chat: Chat) -> None:
    await to_hamlet(chat)
    await chat.tap("🤝 Pledges at a meeting")
    await chat.click("⬜ Lê Văn Cường")
    await chat.tap("▶️ Next")


async def to_comment(chat: Chat) -> None:
    await to_hamlet(chat)
    await chat.tap("✅ Check self-assessments ({waiting})")
    await chat.click("📋 Nguyễn Văn An")
    await chat.tap("↩️ Return with a comment")


async def to_proxy(chat: Chat, answers: int = 0) -> None:
    await to_hamlet(chat)
    await chat.tap("📝 Register a family")
    if answers:
        await chat.tap("📅 Today")
    for answer in ("Lê Thị Hoa", "0987 654 321")[: answers - 1]:
        await chat.send(answer)
    if answers > 3:
        await chat.click("4")


async def to_communes(chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("🏛 Commune administration")


async def to_target(chat: Chat) -> None:
    await chat.send("/targets")
    await chat.click("Xã Đông Hòa")


async def to_deadline(chat: Chat) -> None:
    await chat.send("/deadlines")
    await chat.tap(DEADLINE_LABELS[Deadline.ASSESSMENT_CLOSES])


async def to_reminder(chat: Chat, change: str) -> None:
    await chat.send("/reminders")
    await chat.tap("Self-assessment reminder")
    await chat.tap(change)


async def to_decision(chat: Chat, day: bool = False) -> None:
    await chat.send("/recognize")
    await chat.tap("☑️ All")
    await chat.tap("🏅 Recognise the chosen")
    if day:
        await chat.send("125/QĐ-UBND")


async def to_reason(chat: Chat) -> None:
    await chat.send("/recognize")
    await chat.click("⬜ Nguyễn Văn Đề · Thôn Đông · 92")
    await chat.tap("❌ Not recognised…")


async def to_new_hamlet(chat: Chat, code: bool = False) -> None:
    await chat.send("/hamlets")
    await chat.tap("➕ Add a hamlet")
    if code:
        await chat.tap("🔢 Choose the code myself")


async def to_rename(chat: Chat) -> None:
    await chat.send("/hamlets")
    await chat.click("Thôn Đông")
    await chat.tap("✏️ Rename")


async def to_broadcast(chat: Chat) -> None:
    await chat.send("/broadcast")
    await chat.tap(GROUP_LABELS[Group.FAMILIES])
    await chat.tap("🏠 All households")


async def to_import(chat: Chat) -> None:
    await chat.send("/import")


async def nowhere(chat: Chat) -> None:
    """A user who asked for /help, and never pressed /start: no dialog is open."""
    await chat.client.send("/help")


@dataclass(frozen=True)
class Place:
    """A text question: who is asked, how they get there, the parser whose refusals it
    answers (None: any text is a search), and what a refused input must not leave behind."""

    name: str
    who: User
    reach: Callable[[Chat], Awaitable[None]]
    parse: Callable[[str], object] | None
    not_stored: str
    in_a_dialog: bool = True  # the question is a dialog's window, shown again after a refusal


# The inventory of text questions (dialogs/: every TextInput and MessageInput).
PLACES = [
    Place("no dialog open", FAMILY, nowhere, refuse_all(NO_DIALOG), "anything", False),
    Place("a window without a question", FAMILY, to_menu, refuse_all(UNEXPECTED), "anything"),
    Place("place: filter the communes", FAMILY, to_places, None, "the user's area"),
    Place(
        "registration: head's name",
        FAMILY,
        to_registration,
        parse_person_name,
        "a name in the draft or dialog",
    ),
    Place(
        "registration: phone",
        FAMILY,
        partial(to_registration, answers=1),
        parse_phone,
        "a phone in the draft or dialog",
    ),
    Place(
        "registration: members",
        FAMILY,
        partial(to_registration, answers=2),
        partial(parse_count, minimum=1),
        "a count of members",
    ),
    Place(
        "registration: school-age children",
        FAMILY,
        partial(to_registration, answers=3),
        parse_count,
        "a count of children",
    ),
    Place("link: household code", FAMILY, to_link, BY_NAME["household code"].parse, "a link"),
    Place("my household: member's name", REGISTERED, to_member, parse_person_name, "a member"),
    Place(
        "my household: member's year of birth",
        REGISTERED,
        partial(to_member, year=True),
        _birth_year,
        "a member",
    ),
    Place("self-assessment: a typed number", REGISTERED, to_assessment, parse_count, "answers"),
    Place("hamlet: search households", HEAD, to_search, None, "anything"),
    Place(
        "hamlet: meeting's date",
        HEAD,
        to_meeting_day,
        BY_NAME["meeting day"].parse,
        "a registration",
    ),
    Place(
        "hamlet: comment returning a self-assessment",
        HEAD,
        to_comment,
        BY_NAME["return comment"].parse,
        "a status change or a message to the family",
    ),
    Place("proxy: day of consent", HEAD, to_proxy, parse_day, "a consent date"),
    Place(
        "proxy: head's name",
        HEAD,
        partial(to_proxy, answers=1),
        parse_person_name,
        "a name",
    ),
    Place("proxy: phone", HEAD, partial(to_proxy, answers=2), parse_phone, "a phone"),
    Place(
        "proxy: members",
        HEAD,
        partial(to_proxy, answers=3),
        partial(parse_count, minimum=1),
        "a count",
    ),
    Place(
        "proxy: school-age children",
        HEAD,
        partial(to_proxy, answers=4),
        parse_count,
        "a count",
    ),
    Place("officer: filter the communes", ADMIN, to_communes, None, "anything"),
    Place("targets: percentage", OFFICER, to_target, BY_NAME["percent"].parse, "a target"),
    Place("deadlines: day", OFFICER, to_deadline, parse_day, "a deadline"),
    Place(
        "reminders: days",
        OFFICER,
        partial(to_reminder, change="📆 Change the days"),
        BY_NAME["reminder days"].parse,
        "a rule's days",
    ),
    Place(
        "reminders: hour",
        OFFICER,
        partial(to_reminder, change="🕗 Change the hour"),
        BY_NAME["reminder hour"].parse,
        "a rule's hour",
    ),
    Place(
        "recognition: decision number",
        OFFICER,
        to_decision,
        BY_NAME["decision number"].parse,
        "a recognition",
    ),
    Place(
        "recognition: decision day",
        OFFICER,
        partial(to_decision, day=True),
        parse_day,
        "a recognition",
    ),
    Place(
        "recognition: reason not recognised",
        OFFICER,
        to_reason,
        BY_NAME["reason not recognised"].parse,
        "a decision or a message to the family",
    ),
    Place(
        "hamlets: new hamlet's name",
        OFFICER,
        to_new_hamlet,
        BY_NAME["hamlet name"].parse,
        "a hamlet",
    ),
    Place(
        "hamlets: new hamlet's code",
        OFFICER,
        partial(to_new_hamlet, code=True),
        BY_NAME["hamlet code"].parse,
        "a code",
    ),
    Place("hamlets: rename", OFFICER, to_rename, BY_NAME["hamlet name"].parse, "a name"),
    Place(
        "broadcast: the message",
        OFFICER,
        to_broadcast,
        BY_NAME["broadcast text"].parse,
        "a broadcast or outbox message",
    ),
    Place("import: a roster file", OFFICER, to_import, refuse_all(MSG_SEND_A_FILE), "a roster"),
]


@dataclass(frozen=True)
class CommandPlace:
    """A command whose argument is typed: `/command <hostile>`; the tables it may change."""

    command: str
    who: User
    not_stored: str = "anything but the refusal in the audit log (ids only)"
    may_change: frozenset[str] = field(default_factory=frozenset)


# The inventory of command arguments (bot/handlers/: every Command with command.args).
COMMANDS = [
    CommandPlace("/start", FAMILY, "a consent, a place or a household"),
    CommandPlace("/start h_", FAMILY, "a consent, a place or a household (hamlet link)"),
    CommandPlace("/start inv_", FAMILY, "a role (invitation link)"),
    *(
        CommandPlace(f"/{name}", OFFICER)
        for name in (
            "stats",
            "targets",
            "deadlines",
            "recognize",
            "hamlets",
            "import",
            "reminders",
            "broadcast",
            "audit",
            "whois",
            "heads",
            "chart",
            "export",
        )
    ),
    CommandPlace("/stats", FAMILY, "anything (not an officer)"),
    CommandPlace("/areas", ADMIN, "anything (the argument is ignored)"),
    *(
        CommandPlace(f"/{name}", REGISTERED, "anything (the argument is ignored)")
        for name in ("help", "status", "language", "cancel", "forget")
    ),
    CommandPlace("/mydata", REGISTERED, "anything but the audit entry", frozenset({"audit_log"})),
    *(
        CommandPlace(f"/{name}", REGISTERED, "only the user's choice", frozenset({"users"}))
        for name in ("stop", "resume")
    ),
]
PLACES_BY_NAME = {place.name: place for place in PLACES}
CASES = (len(PLACES) + len(COMMANDS)) * len(HOSTILE)
assert CASES >= 200


# --- the world the users live in ------------------------------------------------------------


async def seed(factory: Factory, who: User) -> None:
    """What `who` needs, and no more (seeding is most of the time a walk takes): the areas;
    for the hamlet head _seed's hamlet H2 with its families; a registered family; for the
    officer of C1 a household proposed for recognition. Those who speak Vietnamese are
    saved as such."""
    year = campaign_year(NOW, ZONE)
    async with factory() as session:
        uow = SqlUnitOfWork(session)
        if who == HEAD:
            await _seed(uow, year)
        else:
            assert (await import_areas(uow, AREAS)).ok
        if who == REGISTERED:
            await _family(uow, REGISTERED.id, "Trần Thị Bình", "+84912000022", year=year)
        if who in (HEAD, REGISTERED):
            await uow.users.set_language(who.id, "vi")
        await uow.commit()
    if who == OFFICER:
        await grant(factory, OFFICER.id, Role.COMMUNE_OFFICER, "C1")
        await proposed_household(factory, "Nguyễn Văn Đề", "+84912000101", "H1", 101)


# --- what is checked after each input -------------------------------------------------------

# Caches, the updates already taken, and the FSM storage (compared as the dialogs' own state
# and data instead).
NOT_COMPARED = {
    "fsm_states",
    "seen_updates",
    "standing_cache",
    "standing_cache_meta",
    "hamlet_versions",
}


async def database(factory: Factory) -> dict[str, list[str]]:
    """Every row of every table but NOT_COMPARED, as text, in order."""
    async with factory() as session:
        tables = [t for t in Base.metadata.sorted_tables if t.name not in NOT_COMPARED]
        return {
            table.name: sorted(repr(tuple(row)) for row in await session.execute(select(table)))
            for table in tables
        }


async def dialog_state(chat: Chat) -> dict[str, Any]:
    """The stack of dialogs and each one's context (state, data, widget data), as stored."""
    key = partial(StorageKey, bot_id=chat.bot.id, chat_id=chat.user.id, user_id=chat.user.id)
    stack = await chat.dp.storage.get_data(key(destiny="aiogd:stack:"))
    contexts = {
        intent: await chat.dp.storage.get_data(key(destiny=f"aiogd:context:{intent}"))
        for intent in stack.get("intents", [])
    }
    return {"stack": stack, "contexts": contexts}


async def put_back(chat: Chat, state: dict[str, Any]) -> None:
    key = partial(StorageKey, bot_id=chat.bot.id, chat_id=chat.user.id, user_id=chat.user.id)
    await chat.dp.storage.set_data(key(destiny="aiogd:stack:"), state["stack"])
    for intent, context in state["contexts"].items():
        await chat.dp.storage.set_data(key(destiny=f"aiogd:context:{intent}"), context)


def essentials(state: dict[str, Any]) -> list[Any]:
    """What a refused input must leave as it was: each dialog's state and data."""
    keep = ("state", "dialog_data", "widget_data", "start_data")
    return [{k: c.get(k) for k in keep} for c in state["contexts"].values()]


def html_problems(text: str) -> list[str]:
    """What Telegram would refuse in a message `text` sent with parse_mode HTML."""
    return text_problems(text, "HTML", TEXT_LIMIT, "message text", required=True)


def english_phrases() -> list[str]:
    """Pieces of English msgids (four words or more) the Vietnamese catalog translates."""
    pieces = set()
    for message in catalog("vi"):
        if not message.id or not message.string or message.string == message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for piece in re.split(r"\{[^}]*\}|<[^>]*>|\n|[.:?!]", msgid):
            if piece.isascii() and len(re.findall(r"[A-Za-z]{2,}", piece)) >= 4:
                pieces.add(piece.strip())
    return sorted(pieces)


ENGLISH = english_phrases()


@dataclass
class Answer:
    """What the bot sent after one input: messages to the user (captions of documents and
    photos included), the dialog windows it showed them, and messages to other people (say
    a family told of a decision, in the family's own language)."""

    messages: list[str]
    windows: list[str]
    to_others: list[str]


def answer_since(chat: Chat, first_call: int) -> Answer:
    mine: list[str] = []
    others: list[str] = []
    for call in chat.session.calls[first_call:]:
        if isinstance(call, SendMessage | EditMessageText):
            text = call.text
        elif isinstance(call, SendDocument | SendPhoto) and call.caption:
            text = call.caption
        else:
            continue
        (mine if call.chat_id == chat.user.id else others).append(text)
    windows = [m.text for m in chat.manager.sent_messages if m.text is not None]
    return Answer(mine, windows, others)


def problems_with(answer: Answer, typed: str) -> list[str]:
    """Whatever the input: an answer, in Vietnamese, all valid HTML, no typed markup raw."""
    problems = [] if answer.messages or answer.windows else ["no answer"]
    for text in answer.messages + answer.windows:
        problems += [f"English {p!r} in {text[:80]!r}" for p in ENGLISH if p in text]
    for text in answer.messages + answer.windows + answer.to_others:
        problems += [f"HTML: {p} in {text[:80]!r}" for p in html_problems(text)]
        if re.search(r"<[a-z/]", typed) and normalize_text(typed) in text:
            problems.append(f"markup echoed in {text[:80]!r}")
    return problems


def expected(place: Place, typed: str) -> str | None:
    """The catalog's Vietnamese for the parser's refusal of `typed`; None when accepted."""
    assert place.parse is not None
    try:
        place.parse(typed)
    except InputError as error:
        return fill(I18N, error.msgid, dict(error.params), "vi", ZONE)
    return None


@dataclass
class Walk:
    """One user typing the hostile list at one question. `question` is the question as last
    shown (None once a taken answer may have changed it); `stored` the database as it is."""

    chat: Chat
    place: Place
    question: str | None
    stored: dict[str, list[str]]

    async def type(self, typed: str) -> list[str]:
        """Send `typed`; what went wrong (nothing, hopefully)."""
        chat, place = self.chat, self.place
        before = await dialog_state(chat)
        first = len(chat.session.calls)
        chat.manager.reset_history()
        try:
            await chat.client.send(typed)
        except Exception as error:
            return [f"raised {error!r}"]
        answer = answer_since(chat, first)
        problems = problems_with(answer, typed)
        refusal = expected(place, typed) if place.parse is not None and typed else None
        stored, self.stored = self.stored, await database(chat.session_factory)
        if place.parse is None or not typed or refusal is not None:
            problems += [f"{t} changed" for t, rows in self.stored.items() if rows != stored[t]]
        refused = place.parse is not None and (not typed or refusal is not None)
        if refused and essentials(await dialog_state(chat)) != essentials(before):
            problems.append("the dialog's state or data changed")
        if refusal is None:
            await put_back(chat, before)  # taken: back to the question for the next input
            self.question = None
            return problems
        if answer.messages != [refusal]:
            problems.append(f"told {answer.messages}, not {refusal!r}")
        shown = answer.windows[-1] if answer.windows else None
        if place.in_a_dialog and (shown is None or self.question not in (None, shown)):
            problems.append("the question was not asked again")
        self.question = self.question or shown
        return problems


@pytest.fixture
def redis_url() -> str | None:
    """Dialog state in the database only: what users type does not depend on where the FSM
    keeps it, and each backend has tests of its own."""
    return None


@pytest.fixture
async def world(session_factory: Factory, redis_url: str | None):
    """A function that seeds the world of a user and opens their chat."""
    chats: list[Chat] = []

    async def enter(who: User) -> Chat:
        await seed(session_factory, who)
        chats.append(Chat(session_factory, redis_url))
        chats[-1].as_user(who)
        return chats[-1]

    yield enter
    for chat in chats:
        await chat.close()


World = Callable[[User], Awaitable[Chat]]


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.name)
async def test_every_text_question_takes_the_hostile_list(
    place: Place, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await world(place.who)
    await place.reach(chat)
    question = chat.text() if chat.manager.sent_messages else None
    walk = Walk(chat, place, question, await database(chat.session_factory))
    failures = [
        f"{typed[:30]!r}: {problem}" for typed in HOSTILE for problem in await walk.type(typed)
    ]
    assert not failures, "\n".join(failures)
    assert not logged_errors(caplog)


async def send_command(
    chat: Chat, command: CommandPlace, typed: str, stored: dict[str, list[str]]
) -> list[str]:
    first = len(chat.session.calls)
    chat.manager.reset_history()
    glue = "" if command.command.endswith("_") else " "
    try:
        await chat.client.send(f"{command.command}{glue}{typed}")
    except Exception as error:
        return [f"raised {error!r}"]
    problems = problems_with(answer_since(chat, first), typed)
    for table, rows in (await database(chat.session_factory)).items():
        before, stored[table] = stored[table], rows  # the next command starts from here
        added = set(rows) - set(before)
        if rows == before or table in command.may_change:
            continue
        if table != "audit_log" or len(added) != len(rows) - len(before):
            problems.append(f"{table} changed")
            continue
        # Refusals are written down; without an argument (nothing visible is one) the
        # command does its usual job.
        argument = normalize_text(typed)
        if argument and any("'refused'" not in row for row in added):
            problems.append(f"audit_log: {sorted(added)}")
        if len(argument) > 2 and any(argument in row for row in added):
            problems.append(f"the typed text is in the audit log: {sorted(added)}")
    return problems


@pytest.mark.parametrize(
    "command", COMMANDS, ids=lambda command: f"{command.command} ({command.who.first_name})"
)
async def test_every_command_argument_takes_the_hostile_list(
    command: CommandPlace, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await world(command.who)
    await chat.client.send("/help")  # the first update settles the user's language
    stored = await database(chat.session_factory)
    failures = [
        f"{typed[:30]!r}: {problem}"
        for typed in HOSTILE
        for problem in await send_command(chat, command, typed, stored)
    ]
    assert not failures, "\n".join(failures)
    assert not logged_errors(caplog)


async def outbox_texts(factory: Factory) -> list[str]:
    async with factory() as session:
        return list(await session.scalars(select(OutboxRow.text).order_by(OutboxRow.id)))


async def test_every_broadcast_text_taken_is_queued_as_valid_html(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """What the question takes must also survive being sent (PostgreSQL refuses NUL)."""
    chat = await world(OFFICER)
    taken = [t for t in HOSTILE if expected(PLACES_BY_NAME["broadcast: the message"], t) is None]
    failures = []
    for typed in taken:
        await to_broadcast(chat)
        await chat.client.send(typed)
        queued = len(await outbox_texts(chat.session_factory))
        try:
            await chat.tap("✅ Send now · recipients: {count}")
        except Exception as error:
            failures.append(f"{typed[:30]!r}: raised {error!r}")
            continue
        sent = (await outbox_texts(chat.session_factory))[queued:]
        if not sent:
            failures.append(f"{typed[:30]!r}: nothing queued")
        failures += [f"{typed[:30]!r}: {p}" for text in sent for p in html_problems(text)]
    assert not failures, "\n".join(failures)
    assert not logged_errors(caplog)
