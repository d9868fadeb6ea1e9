"""`hoctap console` as a user runs it: a real process reading one action per line on stdin."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from bot.console.actions import (
    Click,
    Invalid,
    Restart,
    SendText,
    SetLanguage,
    ShareContact,
    SwitchUser,
    find_button,
    parse_line,
)
from tests.support import seed_areas

# Settings the console must not pick up from the developer's environment.
UNSET = ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "ADMIN_IDS", "DEFAULT_LOCALE")
DEMO_AREA_COUNT = 27
VI_MENU = "🏠 Menu chính"
EN_MENU = "🏠 Main menu"
VI_MENU_ROWS = ["[📍 Xã, thôn của tôi]", "[📖 Tìm hiểu phong trào]", "[🌐 Ngôn ngữ (Language)]"]
PLACE = "Thôn Đoài, Xã Đông Hòa, Tỉnh Minh Họa (dữ liệu thử)"


@dataclass(frozen=True)
class Session:
    """What the console printed for one script, and how it ended."""

    returncode: int
    stdout: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def problems(self) -> list[str]:
        """The console's own error lines."""
        return [line for line in self.lines if line.startswith("!")]

    @property
    def menus(self) -> list[str]:
        """The title line of every main menu shown, in order ("🏠 Menu chính", ...)."""
        return [line for line in self.lines if line in (VI_MENU, EN_MENU)]

    def index(self, line: str, start: int = 0) -> int:
        return self.lines.index(line, start)


def console_env() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    return {**env, "PYTHONIOENCODING": "utf-8"}


def run_console(cwd: Path, script: str, *options: str) -> Session:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", *options],
        input=script,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=console_env(),
        check=False,
    )
    return Session(done.returncode, done.stdout)


def script(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def area_count(database: Path) -> int:
    with closing(sqlite3.connect(database)) as connection:
        return int(connection.execute("SELECT count(*) FROM areas").fetchone()[0])


# --- a Vietnamese user's session on the demo database ---------------------------------------

VIETNAMESE = script(
    "/start",
    "/language",
    "> English",
    "> 📍",
    "> Xã Đông Hòa",
    "@restart",
    "> Thôn Đoài",
    "/cancel",
    "/start",
    "> 📍",
    "> Continue",
    "> Yes",
)


@pytest.fixture(scope="module")
def vietnamese(started: dict[str, Future[Any]]) -> Session:
    return cast(Session, started["vietnamese"].result())


def test_start_shows_the_menu_with_each_button_row_on_its_own_line(
    vietnamese: Session,
) -> None:
    assert vietnamese.lines[0] == VI_MENU
    first_row = vietnamese.index(VI_MENU_ROWS[0])
    assert vietnamese.lines[first_row : first_row + 3] == VI_MENU_ROWS


def test_language_button_switches_to_english(vietnamese: Session) -> None:
    choose = vietnamese.index("🌐 Chọn ngôn ngữ:")
    assert vietnamese.lines[choose + 1 : choose + 3] == ["[🇻🇳 Tiếng Việt]", "[🇬🇧 English]"]
    assert vietnamese.menus[:2] == [VI_MENU, EN_MENU]
    assert "[📍 My commune and hamlet]" in vietnamese.lines


def test_button_shown_before_a_restart_still_works_after_it(vietnamese: Session) -> None:
    hamlets = vietnamese.index("📍 Which hamlet or residential group do you live in?")
    restarted = vietnamese.index("— restarted —", hamlets)
    assert "[Thôn Đoài]" in vietnamese.lines[hamlets:restarted]
    assert vietnamese.lines[restarted + 1] == f"📍 You live in: {PLACE}."
    assert vietnamese.problems == []


def test_cancel_keeps_the_entry_as_a_draft_to_continue(vietnamese: Session) -> None:
    cancelled = vietnamese.index(
        "Cancelled. What you entered is kept as a draft: you can continue later."
    )
    resume = vietnamese.index(f"📝 You started choosing your place earlier: {PLACE}.", cancelled)
    assert vietnamese.lines[resume + 2] == "[▶️ Continue]"


def test_continued_draft_can_be_saved_and_the_menu_shows_the_place(vietnamese: Session) -> None:
    last_menu = len(vietnamese.lines) - 1 - vietnamese.lines[::-1].index(EN_MENU)
    assert f"📍 Your place: {PLACE}" in vietnamese.lines[last_menu:]
    assert f"📍 Your place: {PLACE}" not in vietnamese.lines[:last_menu]


# --- an English user's session --------------------------------------------------------------

ENGLISH = script("@lang en", "/start", "/language", "> Tiếng Việt")


@pytest.fixture(scope="module")
def english(started: dict[str, Future[Any]]) -> Session:
    return cast(Session, started["english"].result())


def test_english_telegram_user_gets_the_english_menu(english: Session) -> None:
    assert english.lines[0] == EN_MENU
    assert "[📍 My commune and hamlet]" in english.lines


def test_switching_to_vietnamese_shows_the_vietnamese_menu(english: Session) -> None:
    choose = english.index("🌐 Choose your language:")
    assert english.menus == [EN_MENU, VI_MENU]
    assert english.index(VI_MENU) > choose


# --- which button `> Label` clicks ----------------------------------------------------------

CLICK_AREAS = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã An,commune,P
C2,Xã An Lạc,commune,P
C3,Xã Bình,commune,P
H1,Thôn Một,hamlet,C1
H2,Thôn Hai,hamlet,C2
"""
CLICKS = script("/start", "> 📍", "> Xã", "> Nowhere", "> Xã An", "/start")


def run_clicks(folder: Path) -> Session:
    url = f"sqlite+aiosqlite:///{folder / 'clicks.db'}"
    asyncio.run(seed_areas(url, CLICK_AREAS))
    return run_console(folder, CLICKS, "--database", url)


@pytest.fixture(scope="module")
def clicks(started: dict[str, Future[Any]]) -> Session:
    return cast(Session, started["clicks"].result())


def test_exact_label_wins_over_a_longer_label_it_prefixes(clicks: Session) -> None:
    hamlets = clicks.index("📍 Bạn ở thôn, tổ dân phố nào?")
    assert "[Thôn Một]" in clicks.lines[hamlets:]
    assert "[Thôn Hai]" not in clicks.lines


def test_ambiguous_prefix_prints_a_problem_and_the_script_goes_on(clicks: Session) -> None:
    ambiguous = next(line for line in clicks.problems if "'Xã'" in line)
    assert VI_MENU in clicks.lines[clicks.index(ambiguous) :]  # the last /start answered


def test_unknown_label_prints_a_problem(clicks: Session) -> None:
    assert [line for line in clicks.problems if "Nowhere" in line]
    assert len(clicks.problems) == 2


# --- comments, users, contacts, admin commands ----------------------------------------------

EVERYDAY = script(
    "# a comment line is not sent to the bot",
    "",
    "   ",
    "/start",
    "/areas",
    "/language",
    "> English",
    "@user 1002 Lan",
    "/start",
    "/help",
    "@contact +84912345678",
)
VI_HELP_LAST_LINE = "/help – xem hướng dẫn này"
REFUSED = "Lệnh này dành cho cán bộ xã."


@pytest.fixture(scope="module")
def everyday(started: dict[str, Future[Any]]) -> Session:
    return cast(Session, started["everyday"].result())


def test_comments_and_blank_lines_are_not_sent(everyday: Session) -> None:
    assert everyday.lines[0] == VI_MENU
    assert "comment" not in everyday.stdout
    assert everyday.problems == []


def test_other_user_has_a_fresh_state(everyday: Session) -> None:
    assert everyday.menus[:3] == [VI_MENU, EN_MENU, VI_MENU]  # 1001, 1001 in English, 1002


def test_shared_contact_gets_an_answer(everyday: Session) -> None:
    answer = everyday.lines[everyday.index(VI_HELP_LAST_LINE) + 1 :]
    assert answer
    assert not answer[0].startswith("!")


def test_areas_is_refused_without_as_admin(everyday: Session) -> None:
    assert REFUSED in everyday.lines
    assert not any(line.startswith("Tỉnh, thành phố:") for line in everyday.lines)


@pytest.fixture(scope="module")
def admin(started: dict[str, Future[Any]]) -> Session:
    return cast(Session, started["admin"].result())


def test_as_admin_sees_area_counts(admin: Session) -> None:
    assert admin.lines[0] == "🗺 Địa bàn hành chính đã nạp"
    assert "Tỉnh, thành phố: 1" in admin.lines
    assert "Xã, phường: 8" in admin.lines
    assert "Thôn, tổ dân phố: 18" in admin.lines
    assert REFUSED not in admin.lines


# --- several users on one console -----------------------------------------------------------

USERS = script("@lang en", "/start", "@user 1002 Lan", "> 📍", "/start")


@pytest.fixture(scope="module")
def users(started: dict[str, Future[Any]]) -> Session:
    return cast(Session, started["users"].result())


def test_telegram_language_belongs_to_the_user_who_set_it(users: Session) -> None:
    assert users.menus[0] == EN_MENU
    assert users.menus[-1] == VI_MENU


def test_other_user_cannot_click_buttons_of_another_chat(users: Session) -> None:
    assert [line for line in users.problems if "📍" in line]
    assert "no longer works" not in users.stdout
    assert "không còn dùng được" not in users.stdout


# --- the default demo database --------------------------------------------------------------

FIRST_RUN = script("/start", "> 📍")
SECOND_RUN = script("@user 1002 Lan", "/start", "> 📍", "@user 1001", "/start")


@dataclass(frozen=True)
class DemoRuns:
    folder: Path
    first: Session
    second: Session


def run_demo(folder: Path) -> DemoRuns:
    first = run_console(folder, FIRST_RUN)
    return DemoRuns(folder, first, run_console(folder, SECOND_RUN))


@pytest.fixture(scope="module")
def demo(started: dict[str, Future[Any]]) -> DemoRuns:
    return cast(DemoRuns, started["demo"].result())


def test_console_creates_a_demo_database_in_the_current_folder(demo: DemoRuns) -> None:
    assert (demo.folder / "data" / "demo.db").is_file()
    assert "[Xã Đông Hòa]" in demo.first.lines
    assert "📍 Bạn ở xã, phường nào?" in demo.first.lines


def test_second_run_reuses_the_demo_database_without_duplicates(demo: DemoRuns) -> None:
    assert area_count(demo.folder / "data" / "demo.db") == DEMO_AREA_COUNT
    assert demo.second.lines.count("[Xã Đông Hòa]") == 1
    assert "Trang 1/2" in demo.first.lines
    assert "Trang 1/2" in demo.second.lines


def test_returning_user_gets_the_menu_in_a_second_run(demo: DemoRuns) -> None:
    assert demo.second.problems == []
    assert demo.second.menus == [VI_MENU, VI_MENU]


# --- all scenarios at once: each process spends seconds importing aiogram -------------------

SCENARIOS: dict[str, Callable[[Path], Any]] = {
    "vietnamese": lambda folder: run_console(folder, VIETNAMESE),
    "english": lambda folder: run_console(folder, ENGLISH),
    "clicks": run_clicks,
    "everyday": lambda folder: run_console(folder, EVERYDAY),
    "admin": lambda folder: run_console(folder, script("/areas"), "--as-admin"),
    "users": lambda folder: run_console(folder, USERS),
    "demo": run_demo,
}


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[Any]]]:
    """Every scenario runs in its own folder; a fixture per scenario waits for its result."""
    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        yield {
            name: pool.submit(scenario, tmp_path_factory.mktemp(name))
            for name, scenario in SCENARIOS.items()
        }


# --- every session ends well ----------------------------------------------------------------

SESSIONS = [name for name in SCENARIOS if name != "demo"]


@pytest.mark.parametrize("name", SESSIONS)
def test_session_exits_0_at_end_of_input_without_traceback(
    name: str, request: pytest.FixtureRequest
) -> None:
    session: Session = request.getfixturevalue(name)
    assert session.returncode == 0
    assert not any(line.startswith("Traceback") for line in session.lines)


def test_both_demo_runs_exit_0_without_traceback(demo: DemoRuns) -> None:
    for session in (demo.first, demo.second):
        assert session.returncode == 0
        assert not any(line.startswith("Traceback") for line in session.lines)


# --- the script language, without a process -------------------------------------------------


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("", None),
        ("   ", None),
        ("# a comment", None),
        ("   # an indented comment", None),
        ("hello bot", SendText("hello bot")),
        ("  xin chào  ", SendText("xin chào")),
        ("/start", SendText("/start")),
        ("/areas import now", SendText("/areas import now")),
        ("> 📍 Xã, thôn của tôi", Click("📍 Xã, thôn của tôi")),
        (">English", Click("English")),
        (">   Xã An   ", Click("Xã An")),
        ("@contact +84912345678", ShareContact("+84912345678")),
        ("@contact 0912345678", ShareContact("0912345678")),
        ("@user 1002", SwitchUser(1002, None)),
        ("@user 1002 Lan", SwitchUser(1002, "Lan")),
        ("@user 1003 Nguyễn Văn An", SwitchUser(1003, "Nguyễn Văn An")),
        ("@lang en", SetLanguage("en")),
        ("@restart", Restart()),
    ],
)
def test_parse_line(line: str, action: Any) -> None:
    assert parse_line(line) == action


@pytest.mark.parametrize(
    "line",
    [
        "@contact",
        "@contact not-a-phone",
        "@user",
        "@user Lan",
        "@lang",
        "@restart now",
        "@unknown thing",
    ],
)
def test_parse_line_rejects_malformed_directives(line: str) -> None:
    action = parse_line(line)
    assert isinstance(action, Invalid)
    assert line.split()[0] in action.reason


MENU = [
    ("📍 Xã, thôn của tôi", "area"),
    ("📖 Tìm hiểu phong trào", "about"),
    ("🌐 Ngôn ngữ (Language)", "language"),
]
COMMUNES = [("Xã An", "C1"), ("Xã An Lạc", "C2"), ("Xã Bình", "C3"), ("◀️ Quay lại", "back")]


@pytest.mark.parametrize(
    ("label", "candidates", "button"),
    [
        ("📍 Xã, thôn của tôi", MENU, "area"),
        ("  📍 Xã, thôn của tôi  ", MENU, "area"),
        ("📍", MENU, "area"),
        ("📖 Tìm", MENU, "about"),
        ("Tìm hiểu", MENU, "about"),
        ("Xã An", COMMUNES, "C1"),
        ("Xã An L", COMMUNES, "C2"),
        ("Quay", COMMUNES, "back"),
        ("English", [("🇻🇳 Tiếng Việt", "vi"), ("🇬🇧 English", "en")], "en"),
        ("Next", [(" Next ▶️ ", "next")], "next"),
        ("◀️ Back", [("◀️ Back", "newest"), ("◀️ Back", "older")], "newest"),
    ],
)
def test_find_button_clicks(label: str, candidates: list[tuple[str, Any]], button: str) -> None:
    assert find_button(label, candidates) == (button, None)


@pytest.mark.parametrize(
    ("label", "candidates", "mentioned"),
    [
        ("Xã", COMMUNES, "Xã An Lạc"),
        ("Nowhere", COMMUNES, "Nowhere"),
        ("Xã An", [], "Xã An"),
        ("", MENU, ">"),
        ("   ", MENU, ">"),
    ],
)
def test_find_button_explains_why_nothing_was_clicked(
    label: str, candidates: list[tuple[str, Any]], mentioned: str
) -> None:
    button, problem = find_button(label, candidates)
    assert button is None
    assert problem is not None
    assert mentioned in problem


def test_find_button_prefix_prefers_the_newest_of_equal_labels() -> None:
    candidates = [("◀️ Back", "newest"), ("◀️ Back", "older")]
    assert find_button("Back", candidates) == ("newest", None)
