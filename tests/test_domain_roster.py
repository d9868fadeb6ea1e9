"""Tests for bot.domain.roster: a commune's household roster, checked and planned, pure.

`python -m tests.test_domain_roster` measures the throughput on 100,000 generated rows.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence

import pytest

from bot.domain import parsers as p
from bot.domain import roster as r
from bot.domain.roster import (
    Duplicate,
    DuplicateBy,
    ExistingHousehold,
    ImportPlan,
    RosterCounts,
    RosterRow,
    header_field,
    plan_import,
)

HEADER = ["Thôn", "Họ tên chủ hộ", "Số điện thoại", "Số thành viên"]
HAMLETS = {
    "TH01": "Thôn Đông",
    "TH02": "Thôn Đoài",
    "TH03": "Thôn 3",
    "TO03": "Tổ 3",
    "XBAC": "Xóm Bắc",
}
OK = ["Thôn Đông", "Nguyễn Văn An", "0912345678", "4"]


def plan(*rows: Sequence[str], existing: Sequence[ExistingHousehold] = ()) -> ImportPlan:
    """Plan a file whose row 1 is HEADER and whose rows follow from row 2."""
    return plan_import([HEADER, *rows], HAMLETS, existing)


def error_keys(result: ImportPlan) -> list[tuple[int, str, str]]:
    """What the officer is shown of each error: row, column as written, message."""
    return [(error.row, error.column, error.message_id) for error in result.errors]


# --- the header ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        *[(cell, r.HAMLET) for cell in ("Thôn", "Mã thôn", "Tên thôn", "THÔN", "thon")],
        *[(cell, r.HAMLET) for cell in ("Thôn/Tổ dân phố", "Tổ dân phố", "Xóm", "Ấp", "Bản")],
        *[(cell, r.HAMLET) for cell in ("hamlet", "Hamlet code", "hamlet_code", "Hamlet name")],
        *[(cell, r.HEAD_NAME) for cell in ("Họ tên chủ hộ", "Chủ hộ", "HỌ VÀ TÊN CHỦ HỘ")],
        *[(cell, r.HEAD_NAME) for cell in ("ho ten chu ho", "Tên chủ hộ", "Họ tên", "Họ và tên")],
        *[(cell, r.HEAD_NAME) for cell in ("head", "head_name", "Head name", "head of household")],
        *[(cell, r.PHONE) for cell in ("Điện thoại", "SĐT", "sđt", "SDT", "Số điện thoại")],
        *[(cell, r.PHONE) for cell in ("Số ĐT", "Số Đ.T", "ĐT", "phone", "Phone number")],
        *[
            (cell, r.MEMBERS)
            for cell in ("Số thành viên", "Số nhân khẩu", "Số người", "Nhân khẩu")
        ],
        *[(cell, r.MEMBERS) for cell in ("Số khẩu", "members", "Members count", "Thành viên")],
        *[(cell, r.IGNORED) for cell in ("STT", "TT", "Số TT", "Số thứ tự", "Ghi chú", "No.")],
        pytest.param("  Số   điện   thoại  ", r.PHONE, id="extra-spaces"),
        pytest.param("Số điện thoại:", r.PHONE, id="trailing-colon"),
        pytest.param("Họ tên chủ hộ (*)", r.HEAD_NAME, id="required-mark"),
        pytest.param("Số nhân khẩu (người)", r.MEMBERS, id="unit-in-brackets"),
        pytest.param("Tho\u0302n", r.HAMLET, id="nfd"),
        pytest.param("Địa chỉ", None, id="unknown-address"),
        pytest.param("Năm sinh", None, id="unknown-year"),
        pytest.param("Thôn Đông", None, id="a-hamlet-name-is-no-header"),
    ],
)
def test_header_cells_name_their_field(cell: str, expected: str | None) -> None:
    assert header_field(cell) == expected


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [["Họ tên chủ hộ", "SĐT", "Số người"], OK[1:]],
            [(1, "", r.MSG_MISSING_COLUMN[r.HAMLET])],
            id="no-hamlet",
        ),
        pytest.param(
            [["Thôn", "SĐT", "Số người"], ["Thôn Đông", "0912345678", "4"]],
            [(1, "", r.MSG_MISSING_COLUMN[r.HEAD_NAME])],
            id="no-head",
        ),
        pytest.param(
            [["Thôn", "Chủ hộ"], ["Thôn Đông", "Nguyễn Văn An"]],
            [(1, "", r.MSG_MISSING_COLUMN[r.PHONE]), (1, "", r.MSG_MISSING_COLUMN[r.MEMBERS])],
            id="two-missing",
        ),
        pytest.param(
            [[*HEADER, "Địa chỉ"], [*OK, "Số 5"]],
            [(1, "Địa chỉ", r.MSG_UNKNOWN_COLUMN)],
            id="unknown-column",
        ),
        pytest.param(
            [[*HEADER, "SĐT"], [*OK, "0912345678"]],
            [(1, "SĐT", r.MSG_REPEATED_COLUMN)],
            id="repeated-column",
        ),
        pytest.param(
            [["Danh sách hộ"], ["Nguyễn Văn An", "0912345678"]],
            [(1, "", r.MSG_NO_HEADER)],
            id="no-header",
        ),
        pytest.param([], [(1, "", r.MSG_NO_HEADER)], id="empty-file"),
        pytest.param(
            [["UBND XÃ AN BÌNH"], [], ["Danh sách hộ gia đình"], HEADER],
            [(4, "", r.MSG_NO_ROWS)],
            id="header-only-under-titles",
        ),
        pytest.param([HEADER, ["", " ", ""]], [(1, "", r.MSG_NO_ROWS)], id="only-blank-rows"),
    ],
)
def test_header_problems_stop_the_import(
    rows: list[list[str]], expected: list[tuple[int, str, str]]
) -> None:
    result = plan_import(rows, HAMLETS)
    assert error_keys(result) == expected
    assert result.to_add == result.held_back == ()


def test_an_unknown_column_is_named_in_the_message() -> None:
    (error,) = plan_import([[*HEADER, "Địa chỉ"]], HAMLETS).errors
    assert "Địa chỉ" in error.describe()


def test_the_header_may_sit_under_title_rows_and_columns_in_any_order() -> None:
    rows = [
        ["UBND XÃ AN BÌNH", "", ""],
        ["DANH SÁCH HỘ GIA ĐÌNH NĂM 2026"],
        [],
        ["STT", "SĐT", "Số người", "Chủ hộ", "Mã thôn", "Ghi chú", ""],
        ["1", "0912345678", "4", "nguyễn văn an", "TH01", "mới chuyển đến", "x"],
    ]
    result = plan_import(rows, HAMLETS)
    assert result.to_add == (RosterRow(5, "TH01", "Nguyễn Văn An", "+84912345678", 4),)


def test_a_header_below_the_title_rows_limit_is_not_searched_for() -> None:
    rows = [["title"]] * r.MAX_TITLE_ROWS + [HEADER, OK]
    assert error_keys(plan_import(rows, HAMLETS)) == [(1, "", r.MSG_NO_HEADER)]


# --- the rows ------------------------------------------------------------------------------

NAME, PHONE, MEMBERS = HEADER[1], HEADER[2], HEADER[3]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(["", *OK[1:]], [(2, "Thôn", r.MSG_EMPTY_CELL)], id="empty-hamlet"),
        pytest.param([OK[0], " ", *OK[2:]], [(2, NAME, r.MSG_EMPTY_CELL)], id="empty-name"),
        pytest.param([*OK[:2], "", OK[3]], [(2, PHONE, r.MSG_EMPTY_CELL)], id="empty-phone"),
        pytest.param(OK[:3], [(2, MEMBERS, r.MSG_EMPTY_CELL)], id="short-row"),
        pytest.param(
            ["Thôn Nam", *OK[1:]], [(2, "Thôn", r.MSG_UNKNOWN_HAMLET)], id="unknown-hamlet"
        ),
        pytest.param(["3", *OK[1:]], [(2, "Thôn", r.MSG_AMBIGUOUS_HAMLET)], id="ambiguous"),
        pytest.param(
            [OK[0], "Nguyễn Văn 2", *OK[2:]], [(2, NAME, p.MSG_NAME_CHARACTERS)], id="bad-name"
        ),
        pytest.param([OK[0], "A", *OK[2:]], [(2, NAME, p.MSG_NAME_LENGTH)], id="short-name"),
        pytest.param([*OK[:2], "12345", OK[3]], [(2, PHONE, p.MSG_PHONE)], id="bad-phone"),
        pytest.param([*OK[:2], "0112345678", OK[3]], [(2, PHONE, p.MSG_PHONE)], id="bad-prefix"),
        pytest.param([*OK[:3], "0"], [(2, MEMBERS, p.MSG_COUNT_RANGE)], id="no-members"),
        pytest.param([*OK[:3], "31"], [(2, MEMBERS, p.MSG_COUNT_RANGE)], id="too-many"),
        pytest.param([*OK[:3], "bốn người"], [(2, MEMBERS, p.MSG_COUNT_NOT_NUMBER)], id="words"),
        pytest.param(
            ["Thôn Nam", "", "12345", "0"],
            [
                (2, "Thôn", r.MSG_UNKNOWN_HAMLET),
                (2, NAME, r.MSG_EMPTY_CELL),
                (2, PHONE, p.MSG_PHONE),
                (2, MEMBERS, p.MSG_COUNT_RANGE),
            ],
            id="every-error-of-a-row",
        ),
    ],
)
def test_each_bad_cell_is_reported_with_its_row_and_column(
    cells: list[str], expected: list[tuple[int, str, str]]
) -> None:
    result = plan(cells)
    assert error_keys(result) == expected
    assert result.counts == RosterCounts(rows=1, valid=0, invalid=1, duplicates=0, to_add=0)


def test_an_error_keeps_the_cell_and_the_params_of_its_message() -> None:
    (error,) = plan([*OK[:3], "31"]).errors
    assert (error.value, error.params) == ("31", {"minimum": 1, "maximum": 30})
    (empty,) = plan([*OK[:2], "", OK[3]]).errors
    assert empty.describe() == "Số điện thoại is empty"


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers() -> None:
    result = plan(OK, [], ["", "  ", "\t", ""], ["Thôn Đoài", "Lê Thị Hoa", "0987654321", "2"])
    assert [row.row for row in result.to_add] == [2, 5]
    late_error = plan(OK, [], ["Thôn Nam", *OK[1:]])
    assert error_keys(late_error) == [(4, "Thôn", r.MSG_UNKNOWN_HAMLET)]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        pytest.param("TH02", "TH02", id="code"),
        pytest.param(" th02 ", "TH02", id="code-any-case"),
        pytest.param("Thôn Đoài", "TH02", id="name"),
        pytest.param("THON DOAI", "TH02", id="name-without-diacritics"),
        pytest.param("thôn   đoài", "TH02", id="name-spaces"),
        pytest.param("Đoài", "TH02", id="name-without-thon"),
        pytest.param("Bắc", "XBAC", id="name-without-xom"),
        pytest.param("Thôn Bắc", "XBAC", id="other-word-before-the-name"),
        pytest.param("Tổ 3", "TO03", id="same-number-by-full-name"),
        pytest.param("thon 3", "TH03", id="same-number-by-full-name-folded"),
    ],
)
def test_the_hamlet_is_found_by_code_or_by_name(typed: str, code: str) -> None:
    (row,) = plan([typed, *OK[1:]]).to_add
    assert row.hamlet_code == code


def test_an_ambiguous_hamlet_lists_the_candidates() -> None:
    (error,) = plan(["3", *OK[1:]]).errors
    assert error.params == {"value": "3", "hamlets": "Thôn 3 (TH03), Tổ 3 (TO03)"}


def test_two_hamlets_folding_to_the_same_name_are_ambiguous() -> None:
    hamlets = {"A": "Thôn Đông", "B": "Thôn Dong"}
    result = plan_import([HEADER, OK, ["A", *OK[1:]]], hamlets)
    assert error_keys(result) == [(2, "Thôn", r.MSG_AMBIGUOUS_HAMLET)]
    assert [row.hamlet_code for row in result.to_add] == ["A"]


@pytest.mark.parametrize(
    ("typed", "phone"),
    [
        pytest.param("0912 345 678", "+84912345678", id="spaced"),
        pytest.param("912345678", "+84912345678", id="excel-dropped-the-zero"),
        pytest.param("2438123456", "+842438123456", id="landline-without-zero"),
        pytest.param("84912345678", "+84912345678", id="country-code"),
        pytest.param("+84 912 345 678", "+84912345678", id="plus-country-code"),
    ],
)
def test_phones_are_stored_in_one_form(typed: str, phone: str) -> None:
    (row,) = plan([*OK[:2], typed, OK[3]]).to_add
    assert row.phone == phone


def test_a_valid_row_is_cleaned_as_the_dialogs_clean_it() -> None:
    result = plan(["thôn đông", "  NGUYỄN   thị   mai ", "091.234.5678", " 03 "])
    assert result.to_add == (RosterRow(2, "TH01", "Nguyễn Thị Mai", "+84912345678", 3),)


# --- duplicates ----------------------------------------------------------------------------

ROW_A = ["Thôn Đông", "Nguyễn Văn An", "0912345678", "4"]
SAME_PHONE = ["Thôn Đoài", "Trần Thị Bình", "0912 345 678", "3"]
SAME_NAME = ["Đông", "NGUYEN VAN AN", "0987654321", "2"]
NAME_ELSEWHERE = ["Thôn Đoài", "Nguyễn Văn An", "0987654321", "2"]
OTHER = ["Xóm Bắc", "Lê Thị Hoa", "0977000111", "5"]


@pytest.mark.parametrize(
    ("rows", "warnings"),
    [
        pytest.param([ROW_A, OTHER], [], id="none"),
        pytest.param([ROW_A, SAME_PHONE], [Duplicate(3, DuplicateBy.PHONE, of_row=2)], id="phone"),
        pytest.param([ROW_A, SAME_NAME], [Duplicate(3, DuplicateBy.NAME, of_row=2)], id="name"),
        pytest.param([ROW_A, NAME_ELSEWHERE], [], id="same-name-other-hamlet"),
        pytest.param(
            [ROW_A, OTHER, SAME_PHONE, SAME_NAME],
            [Duplicate(4, DuplicateBy.PHONE, of_row=2), Duplicate(5, DuplicateBy.NAME, of_row=2)],
            id="both-point-at-the-first",
        ),
    ],
)
def test_duplicates_within_the_file_keep_the_first_occurrence(
    rows: list[list[str]], warnings: list[Duplicate]
) -> None:
    result = plan(*rows)
    assert list(result.warnings) == warnings
    held = {warning.row for warning in warnings}
    assert [row.row for row in result.held_back] == sorted(held)
    assert [row.row for row in result.to_add] == [
        n for n in range(2, len(rows) + 2) if n not in held
    ]


STORED: list[ExistingHousehold] = [
    (11, "TH01", "nguyen van an", "+84912345678"),
    (12, "TH02", "tran thi binh", "+84900000001"),
    (13, "TH01", None, None),  # forgotten: nothing left to match
]


@pytest.mark.parametrize(
    ("row", "warning"),
    [
        pytest.param(ROW_A, Duplicate(2, DuplicateBy.PHONE, of_household=11), id="phone-and-name"),
        pytest.param(
            ["Xóm Bắc", "Lê Văn Tư", "0912345678", "2"],
            Duplicate(2, DuplicateBy.PHONE, of_household=11),
            id="phone-other-hamlet",
        ),
        pytest.param(
            ["TH02", "Trần Thị Bình", "0977000222", "2"],
            Duplicate(2, DuplicateBy.NAME, of_household=12),
            id="name-same-hamlet",
        ),
        pytest.param(["TH01", "Trần Thị Bình", "0977000222", "2"], None, id="name-other-hamlet"),
        pytest.param(OTHER, None, id="new-household"),
    ],
)
def test_duplicates_of_stored_households_are_held_back(
    row: list[str], warning: Duplicate | None
) -> None:
    result = plan(row, existing=STORED)
    assert list(result.warnings) == ([warning] if warning else [])
    assert len(result.held_back) == (1 if warning else 0)


def test_a_row_may_repeat_both_a_stored_household_and_an_earlier_row() -> None:
    result = plan(ROW_A, SAME_PHONE, existing=STORED)
    assert result.warnings == (
        Duplicate(2, DuplicateBy.PHONE, of_household=11),
        Duplicate(3, DuplicateBy.PHONE, of_household=11),
        Duplicate(3, DuplicateBy.PHONE, of_row=2),
    )
    assert result.counts == RosterCounts(rows=2, valid=2, invalid=0, duplicates=2, to_add=0)


def test_rows_with_errors_are_not_duplicate_candidates() -> None:
    result = plan([*ROW_A[:3], "0"], SAME_PHONE)
    assert result.warnings == ()
    assert [row.row for row in result.to_add] == [3]


@pytest.mark.parametrize(
    ("duplicate", "message", "params"),
    [
        (Duplicate(3, DuplicateBy.PHONE, of_row=2), r.MSG_SAME_PHONE_ROW, {"row": 2}),
        (Duplicate(3, DuplicateBy.NAME, of_row=2), r.MSG_SAME_NAME_ROW, {"row": 2}),
        (
            Duplicate(3, DuplicateBy.PHONE, of_household=7),
            r.MSG_SAME_PHONE_HOUSEHOLD,
            {"household": 7},
        ),
        (
            Duplicate(3, DuplicateBy.NAME, of_household=7),
            r.MSG_SAME_NAME_HOUSEHOLD,
            {"household": 7},
        ),
    ],
)
def test_each_duplicate_has_its_message(
    duplicate: Duplicate, message: str, params: dict[str, int]
) -> None:
    assert (duplicate.message_id, duplicate.params) == (message, params)


def test_the_officer_can_include_held_back_rows() -> None:
    result = plan(ROW_A, OTHER, SAME_NAME, existing=STORED)
    assert [row.row for row in result.held_back] == [2, 4]
    chosen = result.including({4, 99})
    assert [row.row for row in chosen.to_add] == [3, 4]
    assert [row.row for row in chosen.held_back] == [2]
    assert chosen.warnings == result.warnings
    assert chosen.counts == RosterCounts(rows=3, valid=3, invalid=0, duplicates=2, to_add=2)


def test_counts_add_up() -> None:
    result = plan(ROW_A, ["Thôn Nam", *OTHER[1:]], [], SAME_PHONE, OTHER)
    assert result.counts == RosterCounts(rows=4, valid=3, invalid=1, duplicates=1, to_add=2)


# --- scale ---------------------------------------------------------------------------------

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Kim")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Long")
GIVEN2 = ("Mai", "Nam", "Nga", "Phương", "Quang", "Sơn", "Tâm", "Thảo", "Thủy", "Tuấn", "Yến")


def generated_rows(count: int, seed: int = 1) -> Iterator[list[str]]:
    """A header and `count` rows like an office's roster, phones all different."""
    rng = random.Random(seed)
    yield ["STT", "Thôn", "Họ và tên chủ hộ", "SĐT", "Số nhân khẩu"]
    hamlets = list(HAMLETS.values())
    for number in range(count):
        name = " ".join((*rng.sample(FAMILY, 1), *rng.sample(MIDDLE, 2), rng.choice(GIVEN2)))
        phone = f"09{number:08d}"
        yield [str(number + 1), rng.choice(hamlets), name, phone, str(rng.randint(1, 9))]


def test_a_generated_roster_is_all_valid() -> None:
    result = plan_import(generated_rows(2_000), HAMLETS)
    counts = result.counts
    assert (counts.rows, counts.valid, len(result.errors)) == (2_000, 2_000, 0)
    assert counts.to_add + len(result.held_back) == 2_000


def measure(count: int = 100_000) -> float:
    """Rows per second for planning `count` generated rows, the rows built beforehand."""
    rows = list(generated_rows(count))
    started = time.perf_counter()
    result = plan_import(rows, HAMLETS)
    elapsed = time.perf_counter() - started
    assert result.counts.valid == count
    return count / elapsed


if __name__ == "__main__":
    print(f"plan_import: {measure():,.0f} rows/s")
