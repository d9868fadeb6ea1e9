"""The commune's list as one Excel workbook: a summary sheet (each hamlet's numbers and the
totals, then the other titles'), the clans, units and hamlets registered this year, then a
sheet per hamlet with the hamlet list's columns. Write-only: rows go to disk
as they come, so a commune of any size is written in little memory."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.criteria_model import Title
from bot.domain.export import ExportRow, GroupExportRow
from bot.domain.hamlets import ListFilter
from bot.domain.stats import Numbers, Standing
from bot.reports.household_sheet import (
    BOLD,
    DATE_FORMAT,
    DECIDED,
    NOT_ASSESSED,
    NOT_PASSED,
    PASSED,
    append_household,
    append_row,
    cell,
    list_sheet,
    local_day,
    set_widths,
)

SUMMARY_TITLE = "Tổng hợp"
SUMMARY_HEADERS = (
    "Thôn",
    "Số hộ",
    "Đã đăng ký",
    "Đã tự đánh giá",
    "Đã xác nhận",
    "Được công nhận",
)
SUMMARY_STEPS = ("households", "registered", "self_assessed", "verified", "recognised")
SUMMARY_WIDTHS = (28, 10, 14, 16, 14, 16)
TOTAL = "Tổng cộng"
# Which households the hamlet sheets keep, as the heading says when they are not all.
FILTER_NAMES = {
    ListFilter.NOT_REGISTERED: "hộ chưa đăng ký",
    ListFilter.REGISTERED: "hộ đã đăng ký, chưa tự đánh giá",
    ListFilter.SELF_ASSESSED: "hộ đã tự đánh giá, chờ thôn xác nhận",
    ListFilter.VERIFIED: "hộ đã được thôn xác nhận, chờ xã công nhận",
    ListFilter.RETURNED: "hộ được thôn trả lại để tự đánh giá lại",
    ListFilter.RECOGNISED: "hộ xã đã quyết định (công nhận hoặc không)",
    ListFilter.UNREACHABLE: "hộ không liên lạc được qua Telegram",
}
# The other titles: their numbers under the hamlets' in the summary, and a sheet of the
# clans, units and hamlets registered this year.
TITLE_NAMES = {
    Title.GIA_DINH.value: "Gia đình học tập",
    Title.CONG_DAN.value: "Công dân học tập",
    Title.DONG_HO.value: "Dòng họ học tập",
    Title.CONG_DONG.value: "Cộng đồng học tập (thôn)",
    Title.DON_VI.value: "Đơn vị học tập",
}
TITLES_HEADERS = ("Danh hiệu", "Số có thể đạt", *SUMMARY_HEADERS[2:])
GROUPS_TITLE = "Dòng họ, đơn vị, thôn"
GROUPS_HEADERS = (
    "STT",
    "Danh hiệu",
    "Tên",
    "Điểm tự đánh giá",
    "Kết quả",
    "Ngày công nhận",
    "Số quyết định",
)
GROUPS_WIDTHS = (6, 24, 34, 16, 22, 16, 18)
MAX_TITLE = 31  # Excel's limit on a sheet's name
NOT_IN_TITLES = re.compile(r"[\[\]:*?/\\]+")


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts for `name`: at most 31 characters, none of []:*?/\\, no
    apostrophe at either end, and not one already `taken` (Excel ignores case); noted in
    `taken`."""
    base = NOT_IN_TITLES.sub("-", name).strip().strip("'").strip() or "Thôn"
    title, copy = base[:MAX_TITLE], 1
    while title.casefold() in taken:
        copy += 1
        suffix = f" ({copy})"
        title = base[: MAX_TITLE - len(suffix)].rstrip() + suffix
    taken.add(title.casefold())
    return title


class CommuneWorkbook:
    """Write the summary now, then each hamlet's households as they are read."""

    def __init__(
        self,
        out: BinaryIO,
        place: str,
        year: int,
        which: ListFilter,
        hamlets: Sequence[Standing],
        zone: ZoneInfo,
        titles: Sequence[tuple[str, Numbers]] = (),
        groups: Sequence[GroupExportRow] = (),
    ) -> None:
        self._out, self._zone = out, zone
        self._book = Workbook(write_only=True)
        self._taken = {SUMMARY_TITLE.casefold(), GROUPS_TITLE.casefold()}
        self._sheet: Worksheet | None = None
        self._number = 0
        summary = self._book.create_sheet(SUMMARY_TITLE)
        _summary(summary, heading(place, year, which), hamlets)
        if titles:
            _titles(summary, titles)
        if groups:
            _groups(self._book.create_sheet(GROUPS_TITLE), groups, zone)

    def hamlet(self, name: str) -> None:
        self._sheet = list_sheet(self._book, sheet_title(name, self._taken))
        self._number = 0

    def add(self, row: ExportRow) -> None:
        assert self._sheet is not None, "hamlet() first"
        self._number += 1
        append_household(self._sheet, self._number, row, self._zone)

    def close(self) -> None:
        self._book.save(self._out)


def heading(place: str, year: int, which: ListFilter) -> str:
    """The summary's first line: the title, the place and year, and the filter if any."""
    parts = ["Gia đình học tập", place, f"năm {year}"]
    if which in FILTER_NAMES:
        parts.append(f"chỉ gồm {FILTER_NAMES[which]}")
    return " – ".join(parts)


def _summary(sheet: Worksheet, heading: str, hamlets: Sequence[Standing]) -> None:
    set_widths(sheet, SUMMARY_WIDTHS)
    sheet.freeze_panes = "A3"
    sheet.append([cell(sheet, heading, font=BOLD)])
    sheet.append([cell(sheet, header, font=BOLD) for header in SUMMARY_HEADERS])
    for hamlet in hamlets:
        append_row(sheet, [hamlet.name, *_counts(hamlet.numbers)])
    total = sum((hamlet.numbers for hamlet in hamlets), Numbers())
    sheet.append([cell(sheet, value, font=BOLD) for value in (TOTAL, *_counts(total))])


def _counts(numbers: Numbers) -> list[Any]:
    return [getattr(numbers, step) for step in SUMMARY_STEPS]


def _titles(sheet: Worksheet, titles: Sequence[tuple[str, Numbers]]) -> None:
    """The other titles' numbers for the whole area, below the hamlets' table."""
    sheet.append([])
    sheet.append([cell(sheet, header, font=BOLD) for header in TITLES_HEADERS])
    for title, numbers in titles:
        sheet.append([TITLE_NAMES[title], *_counts(numbers)])


def _groups(sheet: Worksheet, groups: Sequence[GroupExportRow], zone: ZoneInfo) -> None:
    set_widths(sheet, GROUPS_WIDTHS)
    sheet.freeze_panes = "A2"
    sheet.append([cell(sheet, header, font=BOLD) for header in GROUPS_HEADERS])
    for number, group in enumerate(groups, start=1):
        day = local_day(group.recognised_on, zone)
        append_row(
            sheet,
            [
                number,
                TITLE_NAMES[group.title],
                group.name,
                group.score,
                _group_result(group),
                cell(sheet, day, number_format=DATE_FORMAT) if day else None,
                group.decision_number,
            ],
        )


def _group_result(group: GroupExportRow) -> str:
    if group.status in DECIDED:
        return DECIDED[group.status]
    if group.passed is None:
        return NOT_ASSESSED
    return PASSED if group.passed else NOT_PASSED
