"""Forged callback data, swept over every button the bot shows (issue 8).

Two communes are built alike. The crawler (tests/crawl.py) presses every button of every
window each role reaches from /start, on a copy of the database per press. Then:
- in scope: each item a button carries (a household, a registration, a hamlet, a group...) is
  swapped for the other commune's item of the same widget, one the window never offered: the
  press is refused, written down, and changes no data;
- without the role: each button is pressed by the same user once their role is gone: nothing
  changes, and a press that changed data while they held the role is refused and written down;
- someone else's buttons: another user sending the same callback data changes nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import InlineKeyboardButton, User
from aiogram_dialog import Dialog
from aiogram_dialog.widgets.kbd import Select

from bot.app import build_dispatcher
from bot.config import Settings
from bot.criteria_files import shipped_criteria
from bot.domain.households import HouseholdForm, campaign_year
from bot.domain.status import Status
from bot.domain.users import Role
from bot.domain.users import User as User_
from bot.i18n import create_i18n
from bot.services import assessments as sa
from bot.services import groups as gr
from bot.services.areas import import_areas
from bot.services.hamlets import create_invite
from bot.services.households import add_member, free_code, record_consent, register_household
from dialogs.guard import STAFF_DIALOGS
from dialogs.offered import OfferedMultiselect, OfferedSelect
from storage.db import create_engine, create_session_factory
from storage.uow import SqlUnitOfWork
from tests.crawl import (
    Crawl,
    World,
    audit_rows,
    callback_buttons,
    data_of,
    dialog_state,
    snapshot,
    widget_and_item,
    window_key,
)
from tests.test_dialogs import AREAS as DIALOG_AREAS
from tests.test_household_services import GIA_DINH, RecordingNotifier, best

AREAS = DIALOG_AREAS + "H4,Thôn Bắc,hamlet,C2\nH5,Thôn Nam,hamlet,C2\n"
SHIPPED = shipped_criteria()


@dataclass(frozen=True)
class Commune:
    """One commune of the world and the people who act in it."""

    code: str
    hamlets: tuple[str, str]
    base: int  # user ids of this commune start here

    def person(self, offset: int) -> User:
        user_id = self.base + offset
        return User(id=user_id, is_bot=False, first_name=f"U{user_id}", language_code="en")

    @property
    def officer(self) -> User:
        return self.person(1)

    @property
    def head(self) -> User:
        return self.person(2)

    @property
    def family(self) -> User:
        return self.person(3)


ONE = Commune("C1", ("H1", "H2"), 100)
TWO = Commune("C2", ("H4", "H5"), 200)


async def _person(uow: SqlUnitOfWork, user_id: int, now: datetime) -> User_:
    await uow.users.add(User_(id=user_id, language="en"), now)
    await uow.commit()
    await record_consent(uow, user_id, now)
    user = await uow.users.get(user_id)
    assert user is not None
    return user


async def _registered(
    uow: SqlUnitOfWork, user_id: int, hamlet: str, year: int, now: datetime, *, assessed: bool
) -> tuple[int, int]:
    await _person(uow, user_id, now)
    form = HouseholdForm(hamlet, f"Nguyễn Văn Số {user_id}", f"+84912{user_id:06d}", 4, 2, ())
    household, registration = await register_household(uow, user_id, form, year=year, now=now)
    if assessed:
        for indicator in GIA_DINH.indicators():
            answer = best(indicator)
            await sa.save_answer(
                uow, user_id, registration.id, indicator.id, answer, shipped=SHIPPED, now=now
            )
        await sa.submit_assessment(uow, user_id, registration.id, shipped=SHIPPED, now=now)
    return household.id, registration.id


async def build_commune(uow: SqlUnitOfWork, commune: Commune, year: int, now: datetime) -> None:
    """Staff, families at each step of the year, families without Telegram, a clan, a unit,
    the hamlet's own registration and an open invitation."""
    home, other = commune.hamlets
    officer = await _person(uow, commune.officer.id, now)
    head = await _person(uow, commune.head.id, now)
    await uow.users.grant(officer.id, Role.COMMUNE_OFFICER, commune.code)
    await uow.users.grant(head.id, Role.HAMLET_HEAD, home)
    await uow.commit()
    officer, head = await uow.users.get(officer.id), await uow.users.get(head.id)
    assert officer is not None
    assert head is not None
    family, _ = await _registered(uow, commune.family.id, home, year, now, assessed=True)
    waiting, _ = await _registered(uow, commune.base + 4, home, year, now, assessed=False)
    _, verified = await _registered(uow, commune.base + 5, home, year, now, assessed=True)
    await sa.decide(uow, RecordingNotifier(), head, verified, Status.VERIFIED, now)
    await add_member(uow, commune.family.id, "Nguyễn Thị Con", 1990, now)
    roster = []
    for i, hamlet in enumerate((home, home, other)):
        form = HouseholdForm(
            hamlet, f"Hộ {commune.code} {i}", f"+84913{commune.base}{i:03d}", 3, 1, ()
        )
        roster.append((await uow.households.add(form, await free_code(uow), now)).id)
    await uow.commit()
    representative = await uow.users.get(commune.family.id)
    assert representative is not None
    await gr.register_clan(
        uow,
        representative,
        f"Họ Nguyễn {commune.code}",
        commune.code,
        [family, waiting, *roster],
        year=year,
        now=now,
    )
    await gr.register_unit(
        uow,
        representative,
        f"Trường {commune.code}",
        "school",
        20,
        commune.code,
        year=year,
        now=now,
    )
    await gr.register_hamlet(uow, head, home, year=year, now=now)
    await create_invite(uow, officer, other, now)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """The two communes, built once for the module."""
    workdir = tmp_path_factory.mktemp("forged")
    base = workdir / "world.db"
    base.write_bytes(sqlite_template.read_bytes())

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{base}")
        now = datetime.now(UTC)
        year = campaign_year(now, ZoneInfo("Asia/Ho_Chi_Minh"))
        async with create_session_factory(engine)() as session:
            uow = SqlUnitOfWork(session)
            assert (await import_areas(uow, AREAS)).ok
            for commune in (ONE, TWO):
                await build_commune(uow, commune, year, now)
        await engine.dispose()

    asyncio.run(build())
    return base


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("states")


@pytest.fixture
async def world(built: Path, workdir: Path) -> AsyncIterator[World]:
    world = World(built, workdir)
    yield world
    await world.close()


# What the crawler types where a window asks (lists that only a typed search shows).
TYPED = {"ClanSG:name": "Họ Lê", "ClanSG:families": "Nguyen"}
_CRAWLS: dict[int, Crawl] = {}  # each user's crawl, made once per test process


async def crawled(world: World, user: User) -> Crawl:
    if user.id not in _CRAWLS:
        _CRAWLS[user.id] = await world.crawl(user, typed=TYPED)
    return _CRAWLS[user.id]


def stripped(state: Path, user: User, workdir: Path) -> Path:
    """`state` with `user` holding nothing any more: no role, no household (a role ended, a
    household erased from another phone) while their windows are still on screen."""
    target = workdir / f"stripped-{state.name}"
    snapshot(state, target)
    with sqlite3.connect(target) as db:
        db.execute("DELETE FROM user_roles WHERE user_id = ?", (user.id,))
        db.execute("DELETE FROM household_accounts WHERE user_id = ?", (user.id,))
    db.close()
    return target


def with_item(button: InlineKeyboardButton, item: str) -> InlineKeyboardButton:
    widget = str(button.callback_data).rsplit(":", 1)[0]
    return button.model_copy(update={"callback_data": f"{widget}:{item}"})


def refusals(press_audit: list[tuple[Any, ...]], user: User) -> list[tuple[Any, ...]]:
    return [row for row in press_audit if row[0] == "refused" and row[1] == user.id]


ROLES = {"officer": "officer", "hamlet head": "head", "family": "family"}
MINIMUM_FORGED = {"officer": 20, "hamlet head": 20, "family": 5}


@pytest.mark.parametrize("role", ROLES)
async def test_another_communes_item_in_any_button_is_refused_written_down_and_changes_nothing(
    world: World, role: str
) -> None:
    """Each item a button carries is swapped for one the other commune's same role was
    offered by the same list: the user is told, it is written down, nothing changes."""
    mine, theirs = (getattr(c, ROLES[role]) for c in (ONE, TWO))
    crawl = await crawled(world, mine)
    offered, foreign = crawl.items(), (await crawled(world, theirs)).items()
    forged = 0
    problems = []
    for window in crawl.windows:
        before = data_of(window.state)
        audited = len(audit_rows(window.state))
        for button in callback_buttons(window.message):
            widget, item = widget_and_item(str(button.callback_data))
            if item is None:
                continue
            for other in sorted(foreign.get(widget, set()) - offered.get(widget, set()))[:2]:
                forged += 1
                _shown, texts = await world.press(
                    mine, window.message, with_item(button, other), window.state
                )
                audit = audit_rows(world.live)[audited:]
                where = f"{' > '.join(window.path)} | {widget}:{other}"
                if data_of(world.live) != before:
                    problems.append(f"changed data: {where}")
                if not refusals(audit, mine):
                    problems.append(f"not written down: {where} -> {texts[-1:]}")
                if not texts:
                    problems.append(f"not told: {where}")
    assert forged >= MINIMUM_FORGED[role]  # the world offers that much to forge
    assert not problems, "\n".join(problems)


def private_texts(state: Path) -> set[str]:
    """What the world keeps about people: heads' names, phones, household codes, members."""
    with sqlite3.connect(state) as db:
        rows = db.execute(
            "SELECT head_name, phone, code FROM households UNION ALL "
            "SELECT name, NULL, NULL FROM members"
        ).fetchall()
    db.close()
    return {value for row in rows for value in row if value}


@pytest.mark.parametrize("role", ROLES)
async def test_without_the_role_no_button_changes_anything_or_shows_what_it_guarded(
    world: World, role: str
) -> None:
    """The role ended (or the household was erased from another phone) while the windows
    were still on screen, and every button is pressed again. On a window the user can no
    longer open from /start: nothing changes; a staff button, or one that changed data
    before, is refused and written down; and nobody's personal data is shown."""
    user = getattr(ONE, ROLES[role])
    crawl = await crawled(world, user)
    bare = stripped(world.base, user, world.workdir)
    allowed = {
        window_key(w.message) for w in (await world.crawl(user, base=bare, typed=TYPED)).windows
    }
    private = private_texts(world.base)
    problems = []
    windows: dict[Path, tuple[Path, Any, int, bool]] = {}  # each window's stripped state, once
    for press in crawl.presses:
        if window_key(press.window.message) in allowed:
            continue  # a window of their own (the language, a clan they still represent)
        if press.window.state not in windows:
            state = stripped(press.window.state, user, world.workdir)
            dialog = dialog_state(state, press.window.message) or ""
            staff = dialog.split(":")[0] in STAFF_DIALOGS
            windows[press.window.state] = (state, data_of(state), len(audit_rows(state)), staff)
        state, before, audited, staff = windows[press.window.state]
        shown, texts = await world.press(user, press.window.message, press.button, state)
        where = f"{' > '.join((*press.window.path, press.button.text))}"
        if data_of(world.live) != before:
            problems.append(f"changed data: {where}")
        must_refuse = press.changed or staff
        if must_refuse and not refusals(audit_rows(world.live)[audited:], user):
            problems.append(f"not written down: {where} -> {texts[-1:]}")
        seen = " ".join([*texts, (shown.text or "") if shown else ""])
        if leaked := [p for p in private if p in seen]:
            problems.append(f"showed {leaked}: {where}")
    assert not problems, "\n".join(problems)


OFFERED = (OfferedSelect, OfferedMultiselect)


def select_widgets() -> dict[str, set[type]]:
    """The kinds of every list widget of every dialog the bot runs, by widget id."""

    def walk(widget: Any) -> Any:
        if isinstance(widget, Select):
            yield widget
        for child in getattr(widget, "buttons", ()):
            yield from walk(child)

    settings = Settings(database_url="sqlite+aiosqlite:///unused.db")
    engine = create_engine(settings.database_url)
    dp = build_dispatcher(settings, create_session_factory(engine), create_i18n("vi"))
    found: dict[str, set[type]] = {}
    for router in dp.sub_routers:
        if isinstance(router, Dialog):
            for window in router.windows.values():
                for select in walk(window.keyboard):
                    found.setdefault(select.widget_id, set()).add(type(select))
    return found


# Lists whose items are nobody's: the same wherever one is. What is done with them is checked
# by the services (a number is in range, an area exists) like anything typed.
PLAIN_LISTS = {
    "answer": "a question's answer options",
    "num": "numbers",
    "n": "numbers",
    "commitment": "the pledge's commitments",
    "choice": "any commune or hamlet, to say where one lives",
    "filter": "which households to show",
    "hours": "hours of the day",
}
# Offered-only lists that happen to hold the same items in every commune, so the other
# commune has nothing different to put in them.
SAME_EVERYWHERE = {"deadline", "rule", "status", "kind"}


async def test_every_list_takes_only_what_it_offers_and_the_sweep_forged_each_one(
    world: World,
) -> None:
    widgets = select_widgets()
    forged = set[str]()
    for role in ROLES:
        mine, theirs = (getattr(c, ROLES[role]) for c in (ONE, TWO))
        offered = (await crawled(world, mine)).items()
        foreign = (await crawled(world, theirs)).items()
        forged |= {widget for widget in foreign if foreign[widget] - offered.get(widget, set())}
    offered_only = {w for w, kinds in widgets.items() if all(k in OFFERED for k in kinds)}
    assert set(widgets) - offered_only <= set(PLAIN_LISTS), "a list neither offered-only nor plain"
    assert offered_only - forged <= SAME_EVERYWHERE, "a list the sweep never forged"
    assert forged & set(PLAIN_LISTS) == set(), "a plain list that differs between communes"


@pytest.mark.parametrize("role", ROLES)
async def test_someone_elses_buttons_change_nothing_and_show_nothing_of_theirs(
    world: World, role: str
) -> None:
    """Another user (a family of the same hamlet) sends the very callback data of every
    button the role was shown: a window of another chat, unknown in theirs. Nothing changes,
    and they see no one's personal data, only their own menu again."""
    owner, other = getattr(ONE, ROLES[role]), ONE.person(5)
    crawl = await crawled(world, owner)
    theirs = {window_key(w.message) for w in (await crawled(world, other)).windows}
    private = private_texts(world.base) - set(await own_data(world.base, other))
    problems = []
    for press in crawl.presses:
        before = data_of(press.window.state)
        shown, texts = await world.press(
            other, press.window.message, press.button, press.window.state
        )
        where = f"{' > '.join((*press.window.path, press.button.text))}"
        if data_of(world.live) != before:
            problems.append(f"changed data: {where}")
        if shown is not None and window_key(shown) not in theirs:
            problems.append(f"showed {sorted(window_key(shown))}: {where}")
        seen = " ".join([*texts, (shown.text or "") if shown else ""])
        if leaked := [p for p in private if p in seen]:
            problems.append(f"showed {leaked}: {where}")
    assert not problems, "\n".join(problems)


async def own_data(state: Path, user: User) -> list[str]:
    with sqlite3.connect(state) as db:
        rows = db.execute(
            "SELECT h.head_name, h.phone, h.code FROM households h "
            "JOIN household_accounts a ON a.household_id = h.id WHERE a.user_id = ?",
            (user.id,),
        ).fetchall()
    db.close()
    return [value for row in rows for value in row if value]
