"""The roster file a commune officer sends, read into rows of text for bot.domain.roster.

The content decides the format, not the file's name: XLSX (a zip), or text that Excel and
LibreOffice save as "CSV" on Vietnamese Windows: UTF-8 with or without a BOM, Windows-1258
(which writes tone marks as separate combining characters, hence NFC on every cell), or
UTF-16 "Unicode text" with tabs. Rows are yielded one by one, so a 100,000-row file is
never copied into a list; the first row yielded is spreadsheet row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import IO
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from bot.domain.messages import N_
from bot.domain.parsers import InputError

MSG_UNREADABLE = N_(
    "This file cannot be read: please send the roster as an Excel file (.xlsx) or as CSV"
)
MSG_OLD_EXCEL = N_(
    "This is an old Excel file (.xls): please save it as .xlsx or CSV and send it again"
)
MSG_BROKEN_EXCEL = N_("This Excel file is damaged: please open it, save it again and resend it")
MSG_BROKEN_CSV = N_('Row {row} of the file cannot be read: check for a missing closing quote (")')

_ZIP = b"PK\x03\x04"
_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: .xls
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GUESSES = ("utf-8", "cp1258")
_CHUNK = 1 << 20
_SAMPLE = 1 << 16
_DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 20
# Text has no control characters but tab and line breaks; binary has plenty.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "912345678.0": a number some program wrote out as a float.
_WHOLE_FLOAT = re.compile(r"[0-9]+\.0+")
_BROKEN_WORKBOOK = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, ParseError)


class RosterFileError(InputError):
    """The file is not a roster the bot can read: `msgid` and `params` say why."""


def read_roster(data: bytes) -> Iterator[list[str]]:
    """Return the rows of the first sheet (XLSX) or of the CSV file, as NFC text.

    Raises RosterFileError at once for a file of no known kind, and while iterating for a
    file that breaks further on (an unclosed quote, a damaged sheet).
    """
    if data.startswith(_ZIP):
        return _xlsx_rows(data)
    if data.startswith(_OLD_EXCEL):
        raise RosterFileError(MSG_OLD_EXCEL)
    encoding = _encoding(data)
    sample = data[:_SAMPLE].decode(encoding, errors="ignore")
    if _BINARY.search(sample):
        raise RosterFileError(MSG_UNREADABLE)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    return _csv_rows(stream, _delimiter(sample))


def cell_text(value: object) -> str:
    """A cell as the office typed it: 912345678 and 912345678.0 as "912345678"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    if text.endswith("0") and _WHOLE_FLOAT.fullmatch(text):
        return text.split(".")[0]
    return text


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN_WORKBOOK as error:
        raise RosterFileError(MSG_BROKEN_EXCEL) from error
    return _sheet_rows(workbook)


def _sheet_rows(workbook: Workbook) -> Iterator[list[str]]:
    sheet = workbook.worksheets[0]
    # Some programs write a wrong size into the file; read whatever rows are there.
    sheet.reset_dimensions()
    try:
        for values in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
            yield [cell_text(value) for value in values]
    except _BROKEN_WORKBOOK as error:
        raise RosterFileError(MSG_BROKEN_EXCEL) from error
    finally:
        workbook.close()


def _encoding(data: bytes) -> str:
    """The BOM's encoding, else UTF-8 if all of the file decodes, else Windows-1258."""
    marked = next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)
    for encoding in (marked,) if marked else _GUESSES:
        if _decodes(data, encoding):
            return encoding
    raise RosterFileError(MSG_UNREADABLE)


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether all of `data` decodes, checked a chunk at a time, keeping none of the text."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(sample: str) -> str:
    """The delimiter a line of the first few uses most of: the header's, even under title
    rows. Excel on Vietnamese Windows saves "CSV" with ";", since "," is the decimal
    separator there; "Unicode text" uses tabs."""
    lines = sample.splitlines()[:_SNIFF_LINES]
    return max(_DELIMITERS, key=lambda mark: max((line.count(mark) for line in lines), default=0))


def _csv_rows(stream: IO[str], delimiter: str) -> Iterator[list[str]]:
    # strict: an unclosed quote is reported, not allowed to swallow the rest of the file.
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    row = 0
    try:
        for cells in reader:
            row += 1
            yield [cell_text(cell) for cell in cells]
    except csv.Error as error:
        raise RosterFileError(MSG_BROKEN_CSV, {"row": row + 1}) from error
