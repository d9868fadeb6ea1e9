"""The hamlet's list as an Excel workbook, with the headers the commune's forms use."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.status import Status
from bot.services.hamlet_export import ExportRow

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
SHEET_TITLE = "Gia đình học tập"

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


def hamlet_xlsx(rows: Iterable[ExportRow], zone: ZoneInfo) -> bytes:
    """An .xlsx of `rows` (numbered from 1), days shown where the commune is."""
    workbook = Workbook(write_only=True)
    sheet: Worksheet = workbook.create_sheet(SHEET_TITLE)
    for letter, width in zip("ABCDEFGHIJ", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in HEADERS])
    for number, row in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                row.head_name,
                row.hamlet,
                row.members,
                _cell(sheet, row.phone, text=True),
                _day(sheet, row.registered_on, zone),
                row.score,
                result_text(row),
                _day(sheet, row.recognised_on, zone),
                row.decision_number,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Worksheet, value: Any, *, font: Font | None = None, text: bool = False) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if text:
        cell.number_format = "@"  # a phone number stays text: no lost leading 0 or +
    return cell


def _day(sheet: Worksheet, value: date | None, zone: ZoneInfo) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell
