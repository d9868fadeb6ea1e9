"""Tests for bot.domain.areas (CSV import, tree helpers) and bot.domain.paging."""

from __future__ import annotations

import unicodedata

import pytest

from bot.domain import areas as a
from bot.domain.areas import Area, RowError, children, filter_areas, parse_area_csv
from bot.domain.paging import Page, paginate

HEADER = "code,name,level,parent_code"
EXISTING = {
    "P0": Area("P0", "Tỉnh Cũ", "province", None),
    "D0": Area("D0", "Huyện Cũ", "district", "P0"),
    "C0": Area("C0", "Xã Cũ", "commune", "D0"),
}


def csv_text(*lines: str) -> str:
    """Join lines into a file body ending with a newline, as spreadsheets save it."""
    return "\n".join(lines) + "\n"


def error_keys(errors: list[RowError]) -> list[tuple[int, str | None, str]]:
    """Reduce errors to what a clerk is shown: line, column and message."""
    return [(error.line, error.column, error.message_id) for error in errors]


# One row per rule. Data rows start on line 2, right after the header.
@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([",Xã A,commune,P0"], [(2, "code", a.MSG_EMPTY_FIELD)], id="empty-code"),
        pytest.param(["C1,,commune,P0"], [(2, "name", a.MSG_EMPTY_FIELD)], id="empty-name"),
        pytest.param(["C1,Xã A,,P0"], [(2, "level", a.MSG_EMPTY_FIELD)], id="empty-level"),
        pytest.param(
            ["C1,Xã A,village,P0"], [(2, "level", a.MSG_UNKNOWN_LEVEL)], id="unknown-level"
        ),
        pytest.param(
            ["P1,Tỉnh A,province,", "C1,Xã A,commune,P1", "P1,Tỉnh B,province,"],
            [(4, "code", a.MSG_DUPLICATE_CODE)],
            id="duplicate-code",
        ),
        pytest.param(
            ["C1,Xã A,commune,"], [(2, "parent_code", a.MSG_PARENT_REQUIRED)], id="no-parent"
        ),
        pytest.param(
            ["H1,Thôn A,hamlet,"],
            [(2, "parent_code", a.MSG_PARENT_REQUIRED)],
            id="no-parent-hamlet",
        ),
        pytest.param(
            ["P1,Tỉnh A,province,P0"],
            [(2, "parent_code", a.MSG_PROVINCE_PARENT)],
            id="province-with-parent",
        ),
        pytest.param(
            ["C1,Xã A,commune,NOPE"],
            [(2, "parent_code", a.MSG_PARENT_NOT_FOUND)],
            id="parent-not-found",
        ),
        pytest.param(
            ["C1,Xã A,village,NOPE"],
            [(2, "level", a.MSG_UNKNOWN_LEVEL), (2, "parent_code", a.MSG_PARENT_NOT_FOUND)],
            id="parent-not-found-despite-unknown-level",
        ),
        pytest.param(
            ["H1,Thôn A,hamlet,P0"],
            [(2, "parent_code", a.MSG_PARENT_WRONG_LEVEL)],
            id="hamlet-under-province",
        ),
        pytest.param(
            ["H1,Thôn A,hamlet,D0"],
            [(2, "parent_code", a.MSG_PARENT_WRONG_LEVEL)],
            id="hamlet-under-district",
        ),
        pytest.param(
            ["D1,Huyện A,district,D0"],
            [(2, "parent_code", a.MSG_PARENT_WRONG_LEVEL)],
            id="district-under-district",
        ),
        pytest.param(
            ["C1,Xã A,commune,C0"],
            [(2, "parent_code", a.MSG_PARENT_WRONG_LEVEL)],
            id="commune-under-commune",
        ),
        pytest.param(
            ["H1,Thôn A,hamlet,D1", "D1,Huyện A,district,P0"],
            [(2, "parent_code", a.MSG_PARENT_WRONG_LEVEL)],
            id="wrong-level-parent-later-in-file",
        ),
        pytest.param(
            ["C1,Xã A,commune,H1", "H1,Thôn A,hamle,C1"],
            [(3, "level", a.MSG_UNKNOWN_LEVEL)],
            id="parent-with-unknown-level-reported-once",
        ),
        pytest.param(
            ["D0,Huyện Cũ,commune,P0"],
            [(2, "level", a.MSG_LEVEL_CHANGED)],
            id="level-changed",
        ),
        pytest.param(
            ["C" * 33 + ",Xã A,commune,P0"],
            [(2, "code", a.MSG_CODE_TOO_LONG)],
            id="code-too-long",
        ),
        pytest.param(
            ["C 1,Xã A,commune,P0"], [(2, "code", a.MSG_CODE_CHARACTERS)], id="code-with-space"
        ),
        pytest.param(
            ["xã1,Xã A,commune,P0"], [(2, "code", a.MSG_CODE_CHARACTERS)], id="code-not-ascii"
        ),
        pytest.param(
            ["C/1,Xã A,commune,P0"], [(2, "code", a.MSG_CODE_CHARACTERS)], id="code-with-slash"
        ),
        pytest.param(
            ["C1," + "x" * 201 + ",commune,P0"],
            [(2, "name", a.MSG_NAME_TOO_LONG)],
            id="name-too-long",
        ),
        pytest.param(
            ["C" * 32 + "," + "x" * 200 + ",commune,P0", "VN-01_a.b,Xã B,commune,P0"],
            [],
            id="limits-and-allowed-characters-accepted",
        ),
        pytest.param(
            [",,hamlet,P0"],
            [
                (2, "code", a.MSG_EMPTY_FIELD),
                (2, "name", a.MSG_EMPTY_FIELD),
                (2, "parent_code", a.MSG_PARENT_WRONG_LEVEL),
            ],
            id="several-problems-in-one-row",
        ),
        pytest.param(
            ["C1,Xã A,comune,P0", "C2,Xã B,commune,P0", "C3,,commune,NOPE"],
            [
                (2, "level", a.MSG_UNKNOWN_LEVEL),
                (4, "name", a.MSG_EMPTY_FIELD),
                (4, "parent_code", a.MSG_PARENT_NOT_FOUND),
            ],
            id="problems-on-several-lines",
        ),
        pytest.param(
            ["", "C1,Xã A,commune,NOPE", ",,,", "C2,Xã B,comune,P0"],
            [(3, "parent_code", a.MSG_PARENT_NOT_FOUND), (5, "level", a.MSG_UNKNOWN_LEVEL)],
            id="blank-rows-keep-line-numbers",
        ),
        pytest.param(
            ['C1,"Xã A\nxóm B",commune,P0', "C2,Xã B,comune,P0"],
            [(4, "level", a.MSG_UNKNOWN_LEVEL)],
            id="quoted-newline-keeps-line-numbers",
        ),
    ],
)
def test_row_rules(rows: list[str], expected: list[tuple[int, str | None, str]]) -> None:
    _, errors = parse_area_csv(csv_text(HEADER, *rows), EXISTING)
    assert error_keys(errors) == expected
    assert all("{" not in error.describe() for error in errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", (1, a.MSG_EMPTY_FILE), id="empty"),
        pytest.param("\ufeff\n \n,,,\n", (1, a.MSG_EMPTY_FILE), id="bom-and-blank-lines"),
        pytest.param(csv_text(HEADER), (1, a.MSG_NO_ROWS), id="header-only"),
        pytest.param(
            csv_text("code,name,level", "P1,Tỉnh A,province"),
            (1, a.MSG_MISSING_COLUMNS),
            id="missing-column",
        ),
        pytest.param(
            csv_text("", "id,ten", "P1,Tỉnh A"),
            (2, a.MSG_MISSING_COLUMNS),
            id="header-after-blank-line",
        ),
        pytest.param(
            csv_text(HEADER, "P1,Tỉnh A,province,", 'C1,"Xã A,commune,P1', "C2,Xã B,commune,P1"),
            (3, a.MSG_BROKEN_CSV),
            id="unclosed-quote",
        ),
    ],
)
def test_file_level_errors(text: str, expected: tuple[int, str]) -> None:
    parsed, errors = parse_area_csv(text, EXISTING)
    assert parsed == []
    assert [(error.line, error.message_id) for error in errors] == [expected]
    assert errors[0].column is None
    assert "{" not in errors[0].describe()


def test_missing_columns_are_named() -> None:
    _, errors = parse_area_csv(csv_text("id,name,ten", "P1,Tỉnh A,x"), {})
    assert errors[0].params == {"columns": "code, level, parent_code"}
    assert errors[0].describe().startswith("The header line is missing code, level, parent_code")


def test_describe_fills_placeholders() -> None:
    _, errors = parse_area_csv(csv_text(HEADER, "C1,Xã A,village,P0"), EXISTING)
    assert errors[0].describe() == (
        "Unknown level village: use province, district, commune or hamlet"
    )


def test_describe_wrong_level_names_allowed_parents() -> None:
    _, errors = parse_area_csv(csv_text(HEADER, "C1,Xã A,commune,C0"), EXISTING)
    assert errors[0].describe() == (
        "A commune cannot be under C0, which is a commune: "
        "its parent must be a province or district"
    )


def test_duplicate_names_first_line() -> None:
    text = csv_text(HEADER, "P1,Tỉnh A,province,", "P1,Tỉnh B,province,")
    _, errors = parse_area_csv(text, {})
    assert errors[0].params == {"code": "P1", "first_line": 2}


def test_valid_file_with_and_without_districts() -> None:
    text = csv_text(
        HEADER,
        "P1,Tỉnh Một,province,",
        "C1,Xã Một,commune,P1",
        "H1,Thôn Một,hamlet,C1",
        "P2,Tỉnh Hai,province,",
        "D2,Huyện Hai,district,P2",
        "C2,Xã Hai,commune,D2",
    )
    parsed, errors = parse_area_csv(text, {})
    assert errors == []
    assert parsed == [
        Area("P1", "Tỉnh Một", "province", None),
        Area("P2", "Tỉnh Hai", "province", None),
        Area("D2", "Huyện Hai", "district", "P2"),
        Area("C1", "Xã Một", "commune", "P1"),
        Area("C2", "Xã Hai", "commune", "D2"),
        Area("H1", "Thôn Một", "hamlet", "C1"),
    ]


def test_child_before_parent_is_returned_parents_first() -> None:
    text = csv_text(HEADER, "H1,Thôn A,hamlet,C1", "C1,Xã A,commune,P1", "P1,Tỉnh A,province,")
    parsed, errors = parse_area_csv(text, {})
    assert errors == []
    assert [area.code for area in parsed] == ["P1", "C1", "H1"]


def test_bom_crlf_header_order_case_and_extra_columns() -> None:
    text = "\ufeff Level ,Ghi chú,Parent Code,NAME,code\r\nprovince,x,,Tỉnh A,P1\r\n"
    parsed, errors = parse_area_csv(text, {})
    assert errors == []
    assert parsed == [Area("P1", "Tỉnh A", "province", None)]


def test_semicolon_delimiter_from_vietnamese_excel() -> None:
    text = csv_text("code;name;level;parent_code", "P1;Tỉnh A, B;province;")
    parsed, errors = parse_area_csv(text, {})
    assert errors == []
    assert parsed == [Area("P1", "Tỉnh A, B", "province", None)]


def test_short_row_leaves_missing_cells_empty() -> None:
    parsed, errors = parse_area_csv(csv_text(HEADER, "P1,Tỉnh A,province"), {})
    assert errors == []
    assert parsed == [Area("P1", "Tỉnh A", "province", None)]


def test_fields_are_normalized() -> None:
    name = unicodedata.normalize("NFD", "Xã  Nguyễn\u200b Huệ")
    text = csv_text(HEADER, f" C1\u200b ,{name} , commune ,\u202aP0\u202c")
    parsed, errors = parse_area_csv(text, EXISTING)
    assert errors == []
    assert parsed == [Area("C1", "Xã Nguyễn Huệ", "commune", "P0")]


def test_existing_parents_and_same_level_update() -> None:
    text = csv_text(
        HEADER,
        "C1,Xã Mới,commune,D0",
        "H1,Thôn Mới,hamlet,C0",
        "C0,Xã Cũ Đổi Tên,commune,P0",
    )
    parsed, errors = parse_area_csv(text, EXISTING)
    assert errors == []
    assert [area.code for area in parsed] == ["C1", "C0", "H1"]


def test_parent_level_in_file_wins_over_stored_level() -> None:
    # D0 is stored as a district; the file tries to turn it into a commune. Only the level
    # change is reported: the hamlet below it is judged against the file, not twice.
    text = csv_text(HEADER, "D0,Huyện Cũ,commune,P0", "H1,Thôn A,hamlet,D0")
    _, errors = parse_area_csv(text, EXISTING)
    assert error_keys(errors) == [(2, "level", a.MSG_LEVEL_CHANGED)]


TREE = [
    Area("P1", "Hà Nội", "province", None),
    Area("P2", "Đà Nẵng", "province", None),
    Area("C5", "Đông Hòa", "commune", "P1"),
    Area("C1", "Bình Thạnh", "commune", "P1"),
    Area("C2", "Ân Thi", "commune", "P1"),
    Area("C3", "An Lão", "commune", "P1"),
    Area("C4", "Dĩ An", "commune", "P1"),
    Area("C6", "Hòa Vang", "commune", "P2"),
]


def test_children_sorted_vietnamese_friendly() -> None:
    names = [area.name for area in children(TREE, "P1")]
    assert names == ["An Lão", "Ân Thi", "Bình Thạnh", "Dĩ An", "Đông Hòa"]


def test_children_of_none_are_provinces() -> None:
    assert [area.code for area in children(TREE, None)] == ["P2", "P1"]


def test_children_of_leaf_or_unknown_is_empty() -> None:
    assert children(TREE, "C6") == []
    assert children(TREE, "NOPE") == []


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        pytest.param("", ["P1", "P2", "C5", "C1", "C2", "C3", "C4", "C6"], id="empty"),
        pytest.param("dong", ["C5"], id="d-stroke"),
        pytest.param("AN", ["P2", "C1", "C2", "C3", "C4", "C6"], id="case-and-tones"),
        pytest.param("hòa", ["C5", "C6"], id="toned-query"),
        pytest.param("xyz", [], id="none"),
    ],
)
def test_filter_areas(query: str, codes: list[str]) -> None:
    assert [area.code for area in filter_areas(TREE, query)] == codes


ITEMS = list(range(25))


@pytest.mark.parametrize(
    ("items", "page", "expected"),
    [
        pytest.param(ITEMS, 0, Page(tuple(range(10)), 0, 3, 25), id="first"),
        pytest.param(ITEMS, 1, Page(tuple(range(10, 20)), 1, 3, 25), id="middle"),
        pytest.param(ITEMS, 2, Page(tuple(range(20, 25)), 2, 3, 25), id="last-partial"),
        pytest.param(ITEMS, -1, Page(tuple(range(10)), 0, 3, 25), id="negative-clamped"),
        pytest.param(ITEMS, 99, Page(tuple(range(20, 25)), 2, 3, 25), id="beyond-clamped"),
        pytest.param(ITEMS[:20], 1, Page(tuple(range(10, 20)), 1, 2, 20), id="exact-multiple"),
        pytest.param([], 0, Page((), 0, 1, 0), id="empty"),
        pytest.param([], 5, Page((), 0, 1, 0), id="empty-beyond"),
        pytest.param([], -1, Page((), 0, 1, 0), id="empty-negative"),
    ],
)
def test_paginate(items: list[int], page: int, expected: Page[int]) -> None:
    assert paginate(items, page, 10) == expected


def test_page_navigation_flags() -> None:
    assert (paginate(ITEMS, 0, 10).has_prev, paginate(ITEMS, 0, 10).has_next) == (False, True)
    assert (paginate(ITEMS, 2, 10).has_prev, paginate(ITEMS, 2, 10).has_next) == (True, False)
    assert (paginate([], 0, 10).has_prev, paginate([], 0, 10).has_next) == (False, False)


def test_paginate_rejects_non_positive_page_size() -> None:
    with pytest.raises(ValueError, match="per_page"):
        paginate(ITEMS, 0, 0)
