"""The household list as the commune's forms have it: the headers, what each column says,
and a write-only sheet of it. Shared by the hamlet's workbook, the commune's and its CSV."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.export import ExportRow
from bot.domain.status import Status

HEADERS = (
    "STT",
    "Họ tên chủ hộ",
    "Thôn",
    "Số thành viên",
    "Điện thoại",
    "Ngày đăng ký",
    "Điểm tự đánh giá",
    "Kết quả",
    "Ngày công nhận",
    "Số quyết định",
)
WIDTHS = (6, 28, 18, 14, 16, 14, 16, 22, 16, 16)
DATE_FORMAT = "DD/MM/YYYY"
PHONE, REGISTERED_ON, RECOGNISED_ON = 4, 5, 8  # columns whose cells need a format
BOLD = Font(bold=True)

# What the "Kết quả" column says: the commune's decision, else the self-assessment's verdict,
# else how far the household got.
DECIDED = {
    Status.RECOGNISED: "Được công nhận",
    Status.NOT_RECOGNISED: "Không được công nhận",
}
NOT_REGISTERED = "Chưa đăng ký"
NOT_ASSESSED = "Chưa tự đánh giá"
PASSED, NOT_PASSED = "Đạt", "Chưa đạt"


def result_text(row: ExportRow) -> str:
    if row.status in DECIDED:
        return DECIDED[row.status]
    if row.status is None or row.status == Status.DRAFT:
        return NOT_REGISTERED
    if row.passed is None:
        return NOT_ASSESSED
    return PASSED if row.passed else NOT_PASSED


def local_day(value: date | None, zone: ZoneInfo) -> date | None:
    """A moment as the day it was where the commune is; a day as it is."""
    if isinstance(value, datetime):
        return value.astimezone(zone).date()
    return value


def row_values(number: int, row: ExportRow, zone: ZoneInfo) -> list[Any]:
    """The row's cells under HEADERS, as plain values."""
    return [
        number,
        row.head_name,
        row.hamlet,
        row.members,
        row.phone,
        local_day(row.registered_on, zone),
        row.score,
        result_text(row),
        local_day(row.recognised_on, zone),
        row.decision_number,
    ]


def list_sheet(workbook: Workbook, title: str) -> Worksheet:
    """A new sheet of the write-only `workbook` with the list's columns and bold headers."""
    sheet: Worksheet = workbook.create_sheet(title)
    set_widths(sheet, WIDTHS)
    sheet.freeze_panes = "A2"
    sheet.append([cell(sheet, header, font=BOLD) for header in HEADERS])
    return sheet


def append_household(sheet: Worksheet, number: int, row: ExportRow, zone: ZoneInfo) -> None:
    values: list[Any] = row_values(number, row, zone)
    values[PHONE] = cell(sheet, values[PHONE], text=True)
    for column in (REGISTERED_ON, RECOGNISED_ON):
        if values[column] is not None:
            values[column] = cell(sheet, values[column], number_format=DATE_FORMAT)
    append_row(sheet, values)


def looks_like_formula(value: Any) -> bool:
    """Text a spreadsheet would run (=, @, or + and - before anything but a number): a
    name or decision number typed by someone must never become a formula."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in "=@":
        return True
    return value[0] in "+-" and not value[1:].replace(" ", "").isdigit()


def append_row(sheet: Worksheet, values: list[Any]) -> None:
    """Append the row, with any text that looks like a formula kept as text."""
    sheet.append(
        [_as_text(sheet, value) if looks_like_formula(value) else value for value in values]
    )


def _as_text(sheet: Worksheet, value: str) -> Any:
    made = WriteOnlyCell(sheet, value=value)
    made.data_type = "s"  # openpyxl took it for a formula
    return made


def set_widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for letter, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", widths, strict=False):
        sheet.column_dimensions[letter].width = width


def cell(
    sheet: Worksheet,
    value: Any,
    *,
    font: Font | None = None,
    text: bool = False,
    number_format: str | None = None,
) -> Any:
    """A write-only cell with a style: a font, text kept as text, a number format."""
    made = WriteOnlyCell(sheet, value=value)
    if font is not None:
        made.font = font
    if text:
        made.number_format = "@"  # a phone number stays text: no lost leading 0 or +
    if number_format is not None:
        made.number_format = number_format
    return made
