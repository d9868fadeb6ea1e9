"""/import through the real dispatcher, in English: the officer sends a roster file, reads
the report, imports on confirmation; files that are too big, of the wrong kind or gone from
Telegram are explained, and nothing is written before the officer confirms.

Telegram keeps the files: the recording bot session serves them to getFile and downloads.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest
from aiogram.methods import GetFile, SendDocument
from aiogram.types import BufferedInputFile, Document, Message, Update, User
from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.users import Role, RoleGrant
from bot.domain.users import User as User_
from bot.services.roster_import import apply_roster
from storage.uow import SqlUnitOfWork
from tests.support import grant, load_areas
from tests.test_dialogs import AREAS, buttons
from tests.test_household_dialogs import Family
from tests.test_roster_import import csv_bytes

OFFICER = User(id=10, is_bot=False, first_name="Officer", language_code="en")
HEAD = User(id=20, is_bot=False, first_name="Head", language_code="en")
HEADER = ["Thôn", "Họ tên chủ hộ", "Điện thoại", "Số người"]
# C1 "Xã Đông Hòa": H1 "Thôn Đông", H2 "Thôn Đoài", H3 "Thôn Thượng".
CLEAN = [
    HEADER,
    ["Thôn Đông", "Nguyễn Văn Bình", "0912 000 101", "4"],
    ["Thôn Đoài", "Trần Thị Hoa", "0912000102", "3"],
    ["H3", "Lê Văn Cường", "0912000103", "5"],
]
WITH_ERRORS = [
    *CLEAN,
    ["Thôn Nam", "Phạm Văn Dũng", "0912000104", "2"],  # row 5: no such hamlet
    ["Thôn Đông", "Hoàng Thị Em", "0912000105", "nhiều"],  # row 6: not a number
    ["Thôn Đoài", "Vũ Văn Giang", "0912000102", "4"],  # row 7: row 3's phone
]
IDS = itertools.count(7000)


@pytest.fixture
async def chat(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    await load_areas(session_factory, AREAS)
    await grant(session_factory, OFFICER.id, Role.COMMUNE_OFFICER, "C1")
    await grant(session_factory, HEAD.id, Role.HAMLET_HEAD, "H1")
    harness = Family(session_factory, redis_url)
    harness.as_user(OFFICER)
    yield harness
    await harness.close()


async def send_file(
    chat: Family, name: str, content: bytes | None, *, size: int | None = None
) -> Message:
    """The officer sends a document; Telegram keeps its bytes (None: it has lost them)."""
    file_id = f"file-{next(IDS)}"
    if content is not None:
        chat.session.put_file(file_id, content)
    document = Document(
        file_id=file_id,
        file_unique_id=file_id,
        file_name=name,
        file_size=len(content or b"") if size is None else size,
    )
    message = Message(
        message_id=next(IDS),
        date=datetime.now(UTC),
        chat=chat.client.chat,
        from_user=chat.user,
        document=document,
    )
    chat.manager.reset_history()
    await chat.dp.feed_update(chat.bot, Update(update_id=next(IDS), message=message))
    return chat.manager.last_message()


async def households(chat: Family) -> list[tuple[str, str]]:
    async with chat.session_factory() as session:
        query = text("SELECT hamlet_code, head_name FROM households ORDER BY id")
        return [(row[0], row[1]) for row in await session.execute(query)]


def downloads(chat: Family) -> int:
    return sum(isinstance(call, GetFile) for call in chat.session.calls)


async def test_a_clean_roster_is_checked_then_imported_and_counted(chat: Family) -> None:
    asked = await chat.send("/import")
    assert "📥 <b>Import households into Xã Đông Hòa</b>" in (asked.text or "")
    assert "Excel .xlsx or CSV" in (asked.text or "")

    report = await send_file(chat, "ho-gia-dinh.csv", csv_bytes(CLEAN))

    assert "📋 <b>ho-gia-dinh.csv</b> for Xã Đông Hòa" in (report.text or "")
    assert "Rows read: 3\n✅ Ready to import: 3" in (report.text or "")
    assert buttons(report) == ["✅ Import 3 households", "⬅️ Back"]
    assert await households(chat) == []  # nothing before the officer confirms

    done = await chat.click("✅ Import 3 households")

    assert "✅ Imported 3 households into Xã Đông Hòa." in (done.text or "")
    assert "Rows not imported" not in (done.text or "")
    assert await households(chat) == [
        ("H1", "Nguyễn Văn Bình"),
        ("H2", "Trần Thị Hoa"),
        ("H3", "Lê Văn Cường"),
    ]
    stats = await chat.send("/stats")
    assert "🏠 Households: 3" in (stats.text or "")


async def test_the_report_speaks_vietnamese_to_a_vietnamese_officer(chat: Family) -> None:
    chat.as_user(OFFICER.model_copy(update={"language_code": "vi"}))
    await chat.send("/import")

    report = await send_file(chat, "danh-sach.csv", csv_bytes(WITH_ERRORS))

    assert "📋 <b>danh-sach.csv</b> cho Xã Đông Hòa" in (report.text or "")
    assert "✅ Sẵn sàng nhập: 3\n❌ Dòng có lỗi: 2" in (report.text or "")
    assert "• Dòng 7: Có thể trùng với hộ ở dòng 3: cùng số điện thoại" in (report.text or "")
    assert buttons(report)[0] == "✅ Nhập 3 dòng hợp lệ, bỏ qua phần còn lại"


async def test_rows_with_errors_are_listed_and_only_the_valid_ones_imported(
    chat: Family,
) -> None:
    await chat.send("/import")

    report = await send_file(chat, "roster.csv", csv_bytes(WITH_ERRORS))

    shown = report.text or ""
    assert "❌ Rows with errors: 2" in shown
    assert "⚠️ Likely duplicates, held back: 1" in shown
    assert '• Row 5, Thôn “Thôn Nam”: No hamlet of this commune is called "Thôn Nam"' in shown
    assert "• Row 6, Số người “nhiều”: Please type a number, for example: 3" in shown
    assert "• Row 7: Likely the same household as row 3: same phone number" in shown
    assert "📄 Full report" not in buttons(report)  # everything is shown already
    assert buttons(report) == ["✅ Import the 3 valid rows, skip the rest", "⬅️ Back"]

    done = await chat.click("✅ Import the 3 valid rows, skip the rest")

    assert "✅ Imported 3 households into Xã Đông Hòa." in (done.text or "")
    assert "Rows not imported (with errors, or likely duplicates): 3." in (done.text or "")
    assert len(await households(chat)) == 3


async def test_a_long_report_fits_a_message_and_the_rest_comes_as_a_file(chat: Family) -> None:
    wrong = [[f"Thôn {'Xa' * 100} {n}", "Nguyễn Văn An", "0912000100", "4"] for n in range(40)]
    await chat.send("/import")

    report = await send_file(chat, "big roster.csv", csv_bytes([*CLEAN, *wrong]))

    shown = report.text or ""
    assert len(shown) < 4096
    assert "❌ Rows with errors: 40" in shown
    rows_shown = shown.count("• Row ")
    assert 0 < rows_shown <= 15
    assert f"…and {40 - rows_shown} more" in shown
    assert "📄 Full report" in buttons(report)

    again = await chat.click("📄 Full report")

    [sent] = [call for call in chat.session.calls if isinstance(call, SendDocument)]
    assert isinstance(sent.document, BufferedInputFile)
    assert sent.document.filename == "big roster.report.txt"
    lines = sent.document.data.decode("utf-8-sig").split("\r\n")
    assert sum(line.startswith("• Row ") for line in lines) == 40
    assert lines[-1].startswith("• Row 44, Thôn “Thôn XaXa")
    assert "📄 Full report" in buttons(again)  # the report comes back below the file


async def test_the_import_survives_a_restart_by_downloading_the_file_again(
    chat: Family,
) -> None:
    await chat.send("/import")
    report = await send_file(chat, "roster.csv", csv_bytes(CLEAN))
    files = dict(chat.session.files)

    chat.restart()
    chat.as_user(OFFICER)
    for file_id, content in files.items():  # Telegram still has the file
        chat.session.put_file(file_id, content)
    await chat.client.click(report, InlineButtonTextLocator(re.escape("✅ Import 3 households")))
    done = chat.manager.last_message()

    assert "✅ Imported 3 households" in (done.text or "")
    assert downloads(chat) == 1
    assert len(await households(chat)) == 3


@pytest.mark.parametrize(
    ("name", "size", "explained"),
    [
        ("roster.csv", 25 * 1024 * 1024, "This file is larger than 20 MB"),
        ("photo.jpg", 1000, "“photo.jpg” is not a roster the bot can read"),
        ("old.xls", None, "This is an old Excel file (.xls)"),
    ],
)
async def test_a_file_that_cannot_be_a_roster_is_explained(
    chat: Family, name: str, size: int | None, explained: str
) -> None:
    await chat.send("/import")

    again = await send_file(
        chat, name, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), size=size
    )

    assert explained in chat.errors()[-1]
    assert "📥 <b>Import households" in (again.text or "")
    assert downloads(chat) == (1 if size is None else 0)  # nothing big downloaded


async def test_typing_instead_of_sending_a_file_is_answered(chat: Family) -> None:
    await chat.send("/import")
    again = await chat.send("hello")
    assert "Please send the roster as a file" in chat.errors()[-1]
    assert "📥 <b>Import households" in (again.text or "")


async def test_a_file_gone_from_telegram_at_confirm_imports_nothing(chat: Family) -> None:
    await chat.send("/import")
    await send_file(chat, "roster.csv", csv_bytes(CLEAN))
    chat.session.files.clear()

    kept = await chat.click("✅ Import 3 households")

    assert "The file could not be downloaded from Telegram" in chat.errors()[-1]
    assert "✅ Import 3 households" in buttons(kept)
    assert await households(chat) == []


async def test_a_refusal_at_confirm_says_nothing_was_imported(chat: Family) -> None:
    data = csv_bytes(CLEAN)
    await chat.send("/import")
    await send_file(chat, "roster.csv", data)
    async with chat.session_factory() as session:  # meanwhile, another officer imports it
        admin = User_(99, grants=(RoleGrant(Role.SUPER_ADMIN),))
        await apply_roster(SqlUnitOfWork(session), admin, "C1", data, datetime.now(UTC))

    await chat.click("✅ Import 3 households")

    assert chat.errors()[-1] == (
        "❌ Nothing was imported. Nothing to import: no row of the file can be added"
    )
    assert len(await households(chat)) == 3


@pytest.mark.parametrize("command", ["/import", "/import C1"])
async def test_others_are_told_the_command_is_for_officers(chat: Family, command: str) -> None:
    chat.as_user(HEAD)
    assert await chat.command(command) == "This command is for commune officers."


async def test_an_officer_naming_another_commune_is_refused(chat: Family) -> None:
    answer = await chat.command("/import C2")
    assert answer == "This area is outside the ones you look after."
