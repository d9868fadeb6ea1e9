"""The commune's list as one CSV file: the hamlet list's columns (Thôn among them), numbered
through, in UTF-8 with a byte order mark so that Excel shows Vietnamese letters rightly."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from bot.domain.export import ExportRow
from bot.reports.household_sheet import HEADERS, looks_like_formula, row_values

CSV_DATE = "%d/%m/%Y"


class CommuneCsv:
    """Write each household as it is read; one file for every hamlet."""

    def __init__(self, out: BinaryIO, zone: ZoneInfo) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text)
        self._writer.writerow(HEADERS)
        self._zone, self._number = zone, 0

    def hamlet(self, name: str) -> None:
        """Hamlets follow one another in the same file: their name is on every row."""

    def add(self, row: ExportRow) -> None:
        self._number += 1
        values = row_values(self._number, row, self._zone)
        self._writer.writerow([_shown(value) for value in values])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()  # the caller's stream stays open


def _shown(value: Any) -> Any:
    if value is None:
        return ""
    if looks_like_formula(value):
        return "'" + value  # Excel shows the text after the quote, and runs nothing
    return value.strftime(CSV_DATE) if isinstance(value, date) else value
