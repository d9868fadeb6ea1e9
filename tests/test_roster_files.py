"""Tests for bot.roster_files: the officer's XLSX or CSV file, read into rows of NFC text.

Every file is built here, in memory, the way Excel and LibreOffice save it.
`python -m tests.test_roster_files` measures reading and planning 100,000-row files.
"""

from __future__ import annotations

import io
import random
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from types import GeneratorType

import pytest
from openpyxl import Workbook

from bot import roster_files as f
from bot.domain.roster import RosterRow, plan_import
from bot.roster_files import RosterFileError, cell_text, read_roster
from tests.test_domain_roster import HAMLETS, generated_rows

TITLE = "Danh sách hộ gia đình"
HEADER = ["Thôn", "Họ tên chủ hộ", "Số điện thoại", "Số nhân khẩu"]
ROW = ["Thôn Đông", "Nguyễn Thị Ánh", "0912345678", "4"]
TONES = "\u0300\u0301\u0303\u0309\u0323"


def xlsx(rows: Iterable[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    workbook.create_sheet("Other").append(["not read"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def a_zip(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def csv_text(rows: Iterable[Sequence[str]], delimiter: str = ",") -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in rows)


def windows_1258(text: str) -> str:
    """`text` as Excel writes it in Windows-1258: hats, breves and horns stay on the letter
    ("ô", "ư"), tone marks follow it as combining characters ("ô" + U+0301 for "ố")."""
    return "".join(map(_windows_1258_char, unicodedata.normalize("NFC", text)))


def _windows_1258_char(char: str) -> str:
    base, *marks = unicodedata.normalize("NFD", char)
    shape = "".join(mark for mark in marks if mark not in TONES)
    tones = "".join(mark for mark in marks if mark in TONES)
    return unicodedata.normalize("NFC", base + shape) + tones


def nfc(rows: Iterable[Sequence[str]]) -> list[list[str]]:
    return [[unicodedata.normalize("NFC", cell) for cell in row] for row in rows]


# --- XLSX ----------------------------------------------------------------------------------


def test_an_xlsx_is_read_from_its_first_sheet_with_numbers_as_typed() -> None:
    data = xlsx(
        [
            [TITLE],
            [],
            HEADER,
            ["Thôn Đông", "Nguyễn Thị Ánh", 912345678, 4],
            ["TH02", "Lê Văn Tư", 912345679.0, 3.0],
            [None, None, None, None],
            ["Tổ 3", unicodedata.normalize("NFD", "Đỗ Thị Huệ"), "0987 654 321", "2"],
        ]
    )
    assert list(read_roster(data)) == [
        [TITLE],
        [],
        HEADER,
        ["Thôn Đông", "Nguyễn Thị Ánh", "912345678", "4"],
        ["TH02", "Lê Văn Tư", "912345679", "3"],
        [],
        ["Tổ 3", "Đỗ Thị Huệ", "0987 654 321", "2"],
    ]


def test_a_phone_excel_stored_as_a_number_gets_its_zero_back_in_the_plan() -> None:
    data = xlsx([HEADER, ["Thôn Đông", "Nguyễn Thị Ánh", 912345678, 4]])
    result = plan_import(read_roster(data), HAMLETS)
    assert result.to_add == (RosterRow(2, "TH01", "Nguyễn Thị Ánh", "+84912345678", 4),)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(None, "", id="empty"),
        pytest.param(912345678, "912345678", id="int"),
        pytest.param(912345678.0, "912345678", id="whole-float"),
        pytest.param(84912345678.0, "84912345678", id="big-whole-float"),
        pytest.param(4.0, "4", id="count-float"),
        pytest.param(2.5, "2.5", id="fraction"),
        pytest.param("912345678.0", "912345678", id="float-written-as-text"),
        pytest.param("0912345678.00", "0912345678", id="float-text-with-zero"),
        pytest.param("Thôn 1.0", "Thôn 1.0", id="text-ending-like-a-float"),
        pytest.param("0912345678", "0912345678", id="text-phone"),
        pytest.param(unicodedata.normalize("NFD", "Hồ Thị Ẩn"), "Hồ Thị Ẩn", id="nfd"),
        pytest.param(date(2026, 3, 1), "2026-03-01", id="date"),
    ],
)
def test_cells_become_the_text_the_office_typed(value: object, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"PK\x03\x04" + bytes(200), id="zip-signature-only"),
        pytest.param(xlsx([HEADER, ROW])[:700], id="truncated"),
        pytest.param(a_zip("word/document.xml", "<w:document/>"), id="a-word-file"),
    ],
)
def test_a_damaged_xlsx_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(RosterFileError) as raised:
        list(read_roster(data))
    assert raised.value.msgid == f.MSG_BROKEN_EXCEL


# --- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter", "prepare"),
    [
        pytest.param("utf-8", ",", str, id="utf8-comma"),
        pytest.param("utf-8-sig", ",", str, id="utf8-bom"),
        pytest.param("utf-8-sig", ";", str, id="utf8-bom-semicolon"),
        pytest.param("utf-8", ";", str, id="utf8-semicolon"),
        pytest.param("utf-8", "\t", str, id="utf8-tab"),
        pytest.param("cp1258", ";", windows_1258, id="windows-1258"),
        pytest.param("cp1258", ",", windows_1258, id="windows-1258-comma"),
        pytest.param("utf-16", "\t", str, id="unicode-text"),
        pytest.param("utf-16-be", "\t", lambda text: "\ufeff" + text, id="utf16-big-endian"),
        pytest.param("utf-8", ",", lambda text: unicodedata.normalize("NFD", text), id="utf8-nfd"),
    ],
)
def test_csv_files_are_read_in_the_encodings_offices_save(
    encoding: str, delimiter: str, prepare: Callable[[str], str]
) -> None:
    rows = [[TITLE], HEADER, ROW, ["", "", "", ""], ["Xóm Bắc", "Đặng Ưng", "0977000111", "5"]]
    data = prepare(csv_text(rows, delimiter)).encode(encoding)
    assert list(read_roster(data)) == nfc(rows)


def test_a_windows_1258_name_in_nfd_reads_back_composed() -> None:
    name = "Lò Thị Ánh"  # only tone marks: its NFD is exactly what cp1258 can encode
    data = windows_1258("Chủ hộ\r\n").encode("cp1258")
    data += unicodedata.normalize("NFD", f"{name}\r\n").encode("cp1258")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert list(read_roster(data))[1] == [name]


def test_quoted_cells_may_hold_delimiters_quotes_and_line_breaks() -> None:
    data = 'Thôn;Ghi chú\r\n"Thôn; Đông";"hộ ""mới""\r\nchuyển đến"\r\n'.encode()
    assert list(read_roster(data)) == [
        ["Thôn", "Ghi chú"],
        ["Thôn; Đông", 'hộ "mới"\r\nchuyển đến'],
    ]


def test_a_csv_from_end_to_end_is_planned() -> None:
    text = csv_text([HEADER, ["Thôn Đông", "nguyễn thị ánh", "912345678", "4"]], ";")
    result = plan_import(read_roster(windows_1258(text).encode("cp1258")), HAMLETS)
    assert result.to_add == (RosterRow(2, "TH01", "Nguyễn Thị Ánh", "+84912345678", 4),)


def test_an_unclosed_quote_names_its_row() -> None:
    data = csv_text([HEADER, ROW, ['"Thôn Đông', "An", "0912345678", "4"]]).encode()
    rows = read_roster(data)
    assert next(rows) == HEADER
    with pytest.raises(RosterFileError) as raised:
        list(rows)
    assert (raised.value.msgid, raised.value.params) == (f.MSG_BROKEN_CSV, {"row": 3})


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        pytest.param(random.Random(5).randbytes(4000), f.MSG_UNREADABLE, id="random-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(64), f.MSG_UNREADABLE, id="png"),
        pytest.param(b"Th\xf4n,a\x00\x01\x02\r\n", f.MSG_UNREADABLE, id="control-bytes"),
        pytest.param(b"Th\xf4n\x81,An\r\n", f.MSG_UNREADABLE, id="neither-utf8-nor-cp1258"),
        pytest.param(b"\xff\xfeT\x00\x00\xd8", f.MSG_UNREADABLE, id="broken-utf16"),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), f.MSG_OLD_EXCEL, id="old-xls"
        ),
    ],
)
def test_a_file_that_is_no_roster_is_a_clear_error(data: bytes, msgid: str) -> None:
    with pytest.raises(RosterFileError) as raised:
        read_roster(data)
    assert raised.value.msgid == msgid


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(csv_text([HEADER, ROW]).encode(), id="csv"),
        pytest.param(xlsx([HEADER, ROW]), id="xlsx"),
    ],
)
def test_rows_are_yielded_one_by_one(data: bytes) -> None:
    rows = read_roster(data)
    assert isinstance(rows, GeneratorType)
    assert next(rows) == HEADER


def test_an_empty_file_has_no_rows() -> None:
    assert list(read_roster(b"")) == []


# --- scale ---------------------------------------------------------------------------------


def measure(count: int = 100_000) -> dict[str, float]:
    """Rows per second for reading and planning `count` generated rows, XLSX and CSV."""
    rows = list(generated_rows(count))
    files = {
        "csv (cp1258, ;)": windows_1258(csv_text(rows, ";")).encode("cp1258"),
        "xlsx": xlsx(rows),
    }
    rates: dict[str, float] = {}
    for kind, data in files.items():
        started = time.perf_counter()
        result = plan_import(read_roster(data), HAMLETS)
        rates[kind] = count / (time.perf_counter() - started)
        assert result.counts.valid == count
    return rates


if __name__ == "__main__":
    for kind, rate in measure().items():
        print(f"read + plan {kind}: {rate:,.0f} rows/s")
