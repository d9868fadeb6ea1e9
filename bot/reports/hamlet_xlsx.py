"""The hamlet's list as an Excel workbook, with the headers the commune's forms use."""

from __future__ import annotations

import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.domain.export import ExportRow
from bot.reports.household_sheet import HEADERS, append_household, list_sheet, result_text

__all__ = ["HEADERS", "SHEET_TITLE", "hamlet_xlsx", "result_text"]

SHEET_TITLE = "Gia đình học tập"


def hamlet_xlsx(rows: Iterable[ExportRow], zone: ZoneInfo) -> bytes:
    """An .xlsx of `rows` (numbered from 1), days shown where the commune is."""
    workbook = Workbook(write_only=True)
    sheet = list_sheet(workbook, SHEET_TITLE)
    for number, row in enumerate(rows, start=1):
        append_household(sheet, number, row, zone)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
