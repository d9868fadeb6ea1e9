"""/export: a commune's households as an Excel workbook (a summary, then a sheet per hamlet)
or one CSV, read back cell by cell; the status filter; who may export what (refusals
audited); and the command and the /stats button through the real dispatcher.

SQLite always, PostgreSQL too when HOCTAP_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from aiogram.methods import SendDocument
from aiogram.types import User as TgUser
from openpyxl import load_workbook

from bot.domain.hamlets import ListFilter
from bot.domain.recognition import Decision
from bot.domain.status import Status
from bot.domain.users import User
from bot.handlers.reports import ExportArgs, export_args
from bot.reports.commune_xlsx import SUMMARY_HEADERS, sheet_title
from bot.reports.household_sheet import HEADERS
from bot.services.commune_export import Exported, commune_workbook, export_households
from bot.services.errors import NotAllowed, ServiceError
from bot.services.hamlet_export import hamlet_export_rows
from bot.services.recognition import recognise
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries
from tests.test_commune_dialogs import OFFICER, chat  # noqa: F401  (fixture)
from tests.test_hamlet_services import (
    HEAD_H1,
    NOW,
    OFFICER_C1,
    OFFICER_C2,
    YEAR,
    ZONE,
    areas,  # noqa: F401  (fixture)
    audit,
    household,
    new_user,
    super_admin,
)
from tests.test_household_dialogs import Family
from tests.test_household_services import RecordingNotifier

DECISION = Decision("125/QĐ-UBND", date(2026, 3, 20))
REGISTERED_ON = datetime(2026, 3, 8)  # NOW where the commune is, as Excel gives a day back


async def seed(uow: SqlUnitOfWork) -> None:
    """C1: Thôn Đoài (H1) with 4 households, Thôn Đông (H2) with 2; C2: Thôn Tân (H3)."""
    await household(uow, "Nguyễn Văn An", "+84912000001", status=Status.VERIFIED)
    await household(
        uow, "Trần Thị Bình", "+84912000002", status=Status.SELF_ASSESSED, score=(50, False)
    )
    await household(uow, "Lê Văn Cường", "+84912000003", status=Status.REGISTERED)
    await household(uow, "Phạm Thị Dung", "+84912000004")
    await household(uow, "Hoàng Văn Em", "+84912000005", hamlet="H2", status=Status.VERIFIED)
    await household(uow, "Đỗ Thị Giang", "+84912000006", hamlet="H2")
    await household(uow, "Vũ Văn Hà", "+84912000007", hamlet="H3", status=Status.VERIFIED)
    officer = await new_user(uow, OFFICER_C1)
    proposed = {
        p.head_name: p.registration_id for p in await uow.stats.proposals(["H1"], "gia_dinh", YEAR)
    }
    await recognise(
        uow,
        RecordingNotifier(),
        officer,
        "C1",
        [proposed["Nguyễn Văn An"]],
        DECISION,
        year=YEAR,
        now=NOW,
    )


@pytest.fixture
async def seeded(areas: SqlUnitOfWork) -> SqlUnitOfWork:  # noqa: F811
    await seed(areas)
    return areas


async def officer_of(uow: SqlUnitOfWork, user_id: int = OFFICER_C1) -> User:
    return await uow.users.get(user_id) or await new_user(uow, user_id)


async def export(
    uow: SqlUnitOfWork,
    actor: User,
    area: str | None = "C1",
    which: ListFilter = ListFilter.ALL,
    *,
    as_csv: bool = False,
) -> tuple[Exported, bytes]:
    out = io.BytesIO()
    done = await export_households(uow, actor, area, YEAR, which, NOW, ZONE, out, as_csv=as_csv)
    return done, out.getvalue()


def total_row(summary: list[list[Any]]) -> list[Any]:
    """The hamlets' totals: the other titles' numbers follow them."""
    return next(row for row in summary if row[0] == "Tổng cộng")


def sheets(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's cells, by sheet name, in the workbook's order."""
    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


# --- the workbook --------------------------------------------------------------------------


async def test_a_summary_comes_first_then_a_sheet_per_hamlet_by_name(
    seeded: SqlUnitOfWork,
) -> None:
    out = io.BytesIO()
    rows = await commune_workbook(
        seeded, await officer_of(seeded), "C1", YEAR, ListFilter.ALL, NOW, ZONE, out
    )

    book = sheets(out.getvalue())
    assert rows == 6
    assert list(book) == ["Tổng hợp", "Thôn Đoài", "Thôn Đông"]
    assert tuple(book["Thôn Đoài"][0]) == HEADERS
    assert [row[1] for row in book["Thôn Đoài"][1:]] == [
        "Lê Văn Cường",
        "Nguyễn Văn An",
        "Phạm Thị Dung",
        "Trần Thị Bình",
    ]
    assert [row[:3] for row in book["Thôn Đông"][1:]] == [
        [1, "Đỗ Thị Giang", "Thôn Đông"],
        [2, "Hoàng Văn Em", "Thôn Đông"],
    ]


async def test_the_summary_counts_each_hamlet_and_adds_them_up(seeded: SqlUnitOfWork) -> None:
    _, data = await export(seeded, await officer_of(seeded))

    summary = sheets(data)["Tổng hợp"]
    assert summary[0][0] == "Gia đình học tập – Xã Đông Hòa – năm 2026"
    assert tuple(summary[1]) == SUMMARY_HEADERS
    assert summary[2:5] == [
        # households, registered, self-assessed, verified, recognised
        ["Thôn Đoài", 4, 3, 2, 1, 1],
        ["Thôn Đông", 2, 1, 1, 1, 0],
        ["Tổng cộng", 6, 4, 3, 2, 1],
    ]


async def test_each_household_row_reads_as_on_the_hamlet_list(seeded: SqlUnitOfWork) -> None:
    _, data = await export(seeded, await officer_of(seeded))

    doai = {row[1]: row for row in sheets(data)["Thôn Đoài"][1:]}
    assert doai["Nguyễn Văn An"] == [
        2,
        "Nguyễn Văn An",
        "Thôn Đoài",
        4,
        "+84912000001",
        REGISTERED_ON,
        90,
        "Được công nhận",
        datetime(2026, 3, 20),  # the decision's day
        "125/QĐ-UBND",
    ]
    assert doai["Trần Thị Bình"][5:] == [REGISTERED_ON, 50, "Chưa đạt", None, None]
    assert doai["Lê Văn Cường"][5:] == [REGISTERED_ON, None, "Chưa tự đánh giá", None, None]
    assert doai["Phạm Thị Dung"][5:] == [None, None, "Chưa đăng ký", None, None]


@pytest.mark.parametrize(
    ("which", "doai", "dong"),
    [
        (ListFilter.RECOGNISED, ["Nguyễn Văn An"], []),
        (ListFilter.VERIFIED, [], ["Hoàng Văn Em"]),
        (ListFilter.NOT_REGISTERED, ["Phạm Thị Dung"], ["Đỗ Thị Giang"]),
        (ListFilter.REGISTERED, ["Lê Văn Cường"], []),
    ],
)
async def test_a_status_keeps_only_those_households_and_says_so(
    seeded: SqlUnitOfWork, which: ListFilter, doai: list[str], dong: list[str]
) -> None:
    done, data = await export(seeded, await officer_of(seeded), which=which)

    book = sheets(data)
    assert [row[1] for row in book["Thôn Đoài"][1:]] == doai
    assert [row[1] for row in book["Thôn Đông"][1:]] == dong
    assert done.rows == len(doai) + len(dong)
    assert "chỉ gồm" in book["Tổng hợp"][0][0]
    assert total_row(book["Tổng hợp"]) == ["Tổng cộng", 6, 4, 3, 2, 1]  # the numbers stay whole


async def test_one_hamlet_can_be_exported_alone(seeded: SqlUnitOfWork) -> None:
    done, data = await export(seeded, await officer_of(seeded), "H2")

    book = sheets(data)
    assert done.rows == 2
    assert list(book) == ["Tổng hợp", "Thôn Đông"]
    assert book["Tổng hợp"][2:] == [["Thôn Đông", 2, 1, 1, 1, 0], ["Tổng cộng", 2, 1, 1, 1, 0]]


async def test_the_csv_is_one_file_in_utf8_with_a_bom(seeded: SqlUnitOfWork) -> None:
    done, data = await export(seeded, await officer_of(seeded), as_csv=True)

    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADERS
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert [row[2] for row in rows[1:]] == ["Thôn Đoài"] * 4 + ["Thôn Đông"] * 2
    an = next(row for row in rows if row[1] == "Nguyễn Văn An")
    assert an[3:] == [
        "4",
        "+84912000001",
        "08/03/2026",
        "90",
        "Được công nhận",
        "20/03/2026",
        "125/QĐ-UBND",
    ]
    assert done.rows == 6


async def test_the_export_is_audited_with_the_area_and_count_only(seeded: SqlUnitOfWork) -> None:
    await export(seeded, await officer_of(seeded), which=ListFilter.NOT_REGISTERED)

    [entry] = await audit(seeded, "export")
    assert (entry["actor_id"], entry["area"], entry["rows"], entry["status"]) == (
        OFFICER_C1,
        "C1",
        2,
        "not_registered",
    )
    assert "Dung" not in str(entry)
    assert "+849" not in str(entry)


async def test_the_hamlet_heads_list_now_carries_the_decision(seeded: SqlUnitOfWork) -> None:
    head = await new_user(seeded, HEAD_H1)
    rows = await hamlet_export_rows(seeded, head, "H1", YEAR, NOW)

    an = next(row for row in rows if row.head_name == "Nguyễn Văn An")
    assert (an.decision_number, an.recognised_on) == ("125/QĐ-UBND", DECISION.day)


# --- who may export ------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["C2", "H3", "P1", "NOPE"])
async def test_an_officer_is_refused_outside_the_commune_and_it_is_audited(
    seeded: SqlUnitOfWork, area: str
) -> None:
    out = io.BytesIO()
    with pytest.raises(NotAllowed):
        await commune_workbook(
            seeded, await officer_of(seeded), area, YEAR, ListFilter.ALL, NOW, ZONE, out
        )

    assert out.getvalue() == b""
    refused = await audit(seeded, "refused")
    assert (refused[-1]["actor_id"], refused[-1]["attempted"]) == (OFFICER_C1, "export")
    assert not await audit(seeded, "export")


async def test_a_hamlet_head_cannot_export_even_the_own_hamlet(seeded: SqlUnitOfWork) -> None:
    head = await new_user(seeded, HEAD_H1)
    with pytest.raises(NotAllowed):
        await export(seeded, head, "H1")
    assert (await audit(seeded, "refused"))[-1]["actor_id"] == HEAD_H1


async def test_the_other_communes_officer_exports_only_that_commune(
    seeded: SqlUnitOfWork,
) -> None:
    done, data = await export(seeded, await officer_of(seeded, OFFICER_C2), None)

    assert (done.area.code, done.rows) == ("C2", 1)
    assert list(sheets(data)) == ["Tổng hợp", "Thôn Tân"]


async def test_a_province_is_too_large_for_one_list(seeded: SqlUnitOfWork) -> None:
    with pytest.raises(ServiceError) as refused:
        await export(seeded, super_admin(), "P1")
    assert refused.value.params == {"example": "C1"}


# --- sheet names and command words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "titles"),
    [
        (["Thôn Đông"], ["Thôn Đông"]),
        (["Tổ dân phố số 12 [cũ]: khu A/B*?"], ["Tổ dân phố số 12 -cũ- khu A-B-"]),
        (["Thôn Đông", "thôn đông"], ["Thôn Đông", "thôn đông (2)"]),
        (["Tổng hợp"], ["Tổng hợp (2)"]),  # the summary's name is taken
        (["'Thôn'", "   "], ["Thôn", "Thôn (2)"]),
        (["A" * 40, "A" * 40], ["A" * 31, "A" * 27 + " (2)"]),
    ],
)
def test_sheet_names_are_ones_excel_accepts(names: list[str], titles: list[str]) -> None:
    taken = {"tổng hợp"}
    assert [sheet_title(name, taken) for name in names] == titles
    assert all(len(title) <= 31 for title in titles)


@pytest.mark.parametrize(
    ("args", "parsed"),
    [
        (None, ExportArgs()),
        ("C1", ExportArgs(area="C1")),
        ("C1 2025 recognised csv", ExportArgs("C1", 2025, ListFilter.RECOGNISED, as_csv=True)),
        ("CSV not_registered", ExportArgs(which=ListFilter.NOT_REGISTERED, as_csv=True)),
        ("2025 H2", ExportArgs(area="H2", year=2025)),
        ("C1 recognized", None),  # a misspelt status is not taken for an area
        ("C1 C2", None),
    ],
)
def test_export_words_come_in_any_order(args: str | None, parsed: ExportArgs | None) -> None:
    assert export_args(args) == parsed


# --- through the dispatcher ----------------------------------------------------------------

ADMIN = TgUser(id=777, is_bot=False, first_name="Admin", language_code="en")


def documents(chat: Family) -> list[SendDocument]:  # noqa: F811
    return [call for call in chat.session.calls if isinstance(call, SendDocument)]


async def test_an_officer_gets_the_communes_workbook_by_command(chat: Family) -> None:  # noqa: F811
    await chat.client.send("/export")

    [sent] = documents(chat)
    document: Any = sent.document
    assert document.filename == f"xa-dong-hoa-{datetime.now(ZONE).year}.xlsx"
    assert (sent.caption or "").startswith("📤 Xã Đông Hòa: 10 households,")
    book = sheets(document.data)
    assert list(book) == ["Tổng hợp", "Thôn Đoài", "Thôn Đông", "Thôn Thượng"]


async def test_a_filtered_csv_is_named_after_its_status(chat: Family) -> None:  # noqa: F811
    await chat.client.send("/export not_registered csv H2")

    [sent] = documents(chat)
    document: Any = sent.document
    assert document.filename == f"thon-doai-{datetime.now(ZONE).year}-not-registered.csv"
    assert "⚪ Not registered" in (sent.caption or "")
    assert document.data.startswith(codecs.BOM_UTF8)


async def test_words_the_command_does_not_know_get_the_usage(chat: Family) -> None:  # noqa: F811
    answer = await chat.command("/export C1 recognized")
    assert answer.startswith("Please write it like this: /export [area code]")
    assert "recognised" in answer
    assert not documents(chat)


@pytest.mark.parametrize("who", ["head", "family"])
async def test_everyone_else_is_told_export_is_for_officers(chat: Family, who: str) -> None:  # noqa: F811
    chat.as_user(
        TgUser(id=20 if who == "head" else 30, is_bot=False, first_name="X", language_code="en")
    )
    assert await chat.command("/export") == "This command is for commune officers."
    assert not documents(chat)


async def test_another_communes_code_is_refused_by_command(chat: Family) -> None:  # noqa: F811
    answer = await chat.command("/export C2")
    assert answer == "This area is outside the ones you look after."
    refused = [e for e in await audit_entries(chat.session_factory) if e["action"] == "refused"]
    assert (refused[-1]["actor_id"], refused[-1]["attempted"]) == (OFFICER.id, "export")


async def test_the_stats_window_exports_the_area_on_screen(chat: Family) -> None:  # noqa: F811
    await chat.send("/stats")
    await chat.click("Thôn Đông")
    again = await chat.click("📤 Export (Excel)")

    [sent] = documents(chat)
    assert list(sheets(sent.document.data)) == ["Tổng hợp", "Thôn Đông"]  # type: ignore[union-attr]
    assert "📊 <b>Thôn Đông," in (again.text or "")  # the window comes back below the file


async def test_the_stats_window_explains_a_province_is_too_large(chat: Family) -> None:  # noqa: F811
    chat.as_user(ADMIN)  # a super admin, from ADMIN_IDS
    await chat.send("/stats P")
    await chat.click("📤 Export (Excel)")

    assert not documents(chat)
    assert "one commune or one hamlet" in chat.errors()[-1]


async def test_text_that_looks_like_a_formula_stays_text_in_the_workbook_and_the_csv(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    """A name typed as a formula (a prank, or an attack on whoever opens the file) is shown,
    never run; a phone number's + stays a phone number."""
    await household(areas, '=HYPERLINK("http://x.invalid","Bấm")', "+84912000001")
    await household(areas, "@SUM(A1)", "+84912000002")
    await household(areas, "-Trần Thị Bình", "+84912000003")
    officer = await officer_of(areas)

    _, xlsx = await export(areas, officer)
    _, raw = await export(areas, officer, as_csv=True)

    book = load_workbook(io.BytesIO(xlsx))
    cells = [row[1] for row in book["Thôn Đoài"].iter_rows(min_row=2)]
    assert {c.value for c in cells} == {
        '=HYPERLINK("http://x.invalid","Bấm")',
        "@SUM(A1)",
        "-Trần Thị Bình",
    }
    assert {c.data_type for c in cells} == {"s"}  # text, not formulas
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1:]
    assert sorted(row[1] for row in rows) == [
        "'-Trần Thị Bình",
        '\'=HYPERLINK("http://x.invalid","Bấm")',
        "'@SUM(A1)",
    ]
    assert sorted(row[4] for row in rows) == ["+84912000001", "+84912000002", "+84912000003"]
