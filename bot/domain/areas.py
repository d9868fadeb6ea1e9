"""The administrative tree: province, district (optional), commune, hamlet.

The 2025 reform removed districts, so a commune now sits directly under its province, but
lists exported before the reform still carry districts: a commune may hang under either.
Areas are loaded from a CSV file that a commune IT clerk prepares in a spreadsheet, so
validation reports every problem at once, with the file's own line numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.domain.paging import Page, paginate
from bot.domain.text import matches, normalize_text, search_key

__all__ = [
    "ALLOWED_PARENTS",
    "LEVELS",
    "Area",
    "Page",
    "RowError",
    "children",
    "filter_areas",
    "paginate",
    "parse_area_csv",
]

PROVINCE = "province"
DISTRICT = "district"
COMMUNE = "commune"
HAMLET = "hamlet"
# Top-down order: a parent always has a lower rank than its child.
LEVELS: tuple[str, ...] = (PROVINCE, DISTRICT, COMMUNE, HAMLET)
ALLOWED_PARENTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        PROVINCE: frozenset(),
        DISTRICT: frozenset({PROVINCE}),
        COMMUNE: frozenset({PROVINCE, DISTRICT}),
        HAMLET: frozenset({COMMUNE}),
    }
)

COLUMNS: tuple[str, ...] = ("code", "name", "level", "parent_code")
# Codes travel in Telegram callback data (64 bytes at most), hence short and ASCII-only.
MAX_CODE_LENGTH = 32
MAX_NAME_LENGTH = 200
_CODE_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
_DELIMITERS = (",", ";", "\t")

# Values for the named placeholders of a message.
Params = dict[str, str | int]

# English msgids with named placeholders; the caller translates them.
MSG_EMPTY_FILE = "The file is empty: the first line must be code,name,level,parent_code"
MSG_NO_ROWS = "The file has a header line but no areas below it"
MSG_BROKEN_CSV = 'This line cannot be read: check for a missing closing quote (")'
MSG_MISSING_COLUMNS = (
    "The header line is missing {columns}: it must contain code,name,level,parent_code"
)
MSG_EMPTY_FIELD = "The {column} is empty"
MSG_UNKNOWN_LEVEL = "Unknown level {level}: use province, district, commune or hamlet"
MSG_CODE_TOO_LONG = "The code is too long: {length} characters, at most {limit}"
MSG_CODE_CHARACTERS = "Code {code} may only contain letters A-Z, digits, _ - and ."
MSG_NAME_TOO_LONG = "The name is too long: {length} characters, at most {limit}"
MSG_DUPLICATE_CODE = "Code {code} is already used on line {first_line}"
MSG_LEVEL_CHANGED = "Code {code} already exists as a {old_level}: it cannot become a {level}"
MSG_PARENT_REQUIRED = "A {level} needs a parent_code"
MSG_PROVINCE_PARENT = "A province has no parent: leave parent_code empty"
MSG_PARENT_NOT_FOUND = "Parent {parent_code} is neither in this file nor among existing areas"
MSG_PARENT_WRONG_LEVEL = (
    "A {level} cannot be under {parent_code}, which is a {parent_level}: "
    "its parent must be a {allowed}"
)


@dataclass(frozen=True)
class Area:
    """One node of the administrative tree; `parent_code` is None only for a province.

    A retired hamlet is no longer offered to choose but keeps its history; `merged_into` is
    the hamlet its households moved to, when it was retired by a merge.
    """

    code: str
    name: str
    level: str
    parent_code: str | None
    retired: bool = False
    merged_into: str | None = None


def is_valid_code(code: str) -> bool:
    """Tell whether `code` may name an area: short, ASCII letters, digits, _ - and . only."""
    return len(code) <= MAX_CODE_LENGTH and _CODE_PATTERN.fullmatch(code) is not None


@dataclass(frozen=True)
class RowError:
    """A problem in an uploaded file: where it is, and an English msgid to translate."""

    line: int
    column: str | None
    message_id: str
    params: Params = field(default_factory=dict, hash=False)

    def describe(self) -> str:
        """Return the English message with its placeholders filled in."""
        return self.message_id.format(**self.params)


@dataclass(frozen=True)
class _Row:
    """A data row of the file, kept with its line number for error reports."""

    line: int
    area: Area


@dataclass(frozen=True)
class _Context:
    """What every row is checked against: the file's rows by code, and the stored areas."""

    first_rows: Mapping[str, _Row]
    existing: Mapping[str, Area]


def parse_area_csv(text: str, existing: Mapping[str, Area]) -> tuple[list[Area], list[RowError]]:
    """Parse and validate an area CSV file against the areas already stored.

    The header line needs the columns code, name, level and parent_code, in any order; other
    columns are ignored. Rows may come in any order. Returns the areas parents-first, so
    they can be inserted in that order, and every problem found; the areas are only
    meaningful when the error list is empty.
    """
    try:
        records = _read_records(text)
    except _BrokenCsvError as broken:
        return [], [RowError(broken.line, None, MSG_BROKEN_CSV)]
    if not records:
        return [], [RowError(1, None, MSG_EMPTY_FILE)]
    header_line, header = records[0]
    positions = _column_positions(header)
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        return [], [RowError(header_line, None, MSG_MISSING_COLUMNS, _columns_param(missing))]
    rows = [_to_row(line, cells, positions) for line, cells in records[1:]]
    if not rows:
        return [], [RowError(header_line, None, MSG_NO_ROWS)]
    errors = _validate(rows, existing)
    return _parents_first(row.area for row in rows), errors


def children(areas: Iterable[Area], parent_code: str | None) -> list[Area]:
    """Return the areas directly under `parent_code` (None: the provinces), sorted by name.

    Sorting on the search key puts "Ân Thi" next to "An Lão" and "Đông Hòa" among the D names;
    code-point order would push both after "Xuân".
    """
    found = [area for area in areas if area.parent_code == parent_code]
    return sorted(found, key=by_name)


def by_name(area: Area) -> tuple[str, str, str]:
    """Sort key for lists shown to users: by name, accents folded, then exactly."""
    return (search_key(area.name), area.name, area.code)


def place_label(path: Sequence[Area]) -> str:
    """How a place is written, smallest first: "Thôn Đông, Xã Đông Hòa, Tỉnh Thử"."""
    return ", ".join(area.name for area in reversed(path))


def filter_areas(areas: Iterable[Area], query: str) -> list[Area]:
    """Return the areas whose name contains `query`, ignoring case and diacritics."""
    return [area for area in areas if matches(query, area.name)]


class _BrokenCsvError(Exception):
    """The CSV reader gave up; `line` is where the unreadable record starts."""

    def __init__(self, line: int) -> None:
        super().__init__(f"unreadable CSV from line {line}")
        self.line = line


def _read_records(text: str) -> list[tuple[int, list[str]]]:
    """Return the non-blank records of `text`, normalized, each with its first line number."""
    body = text.removeprefix("\ufeff")
    # strict: an unclosed quote must be reported, not allowed to swallow the rest of the file.
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=_delimiter(body), strict=True)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            clean = [normalize_text(cell) for cell in cells]
            # Spreadsheets export trailing ",,," rows; they are not meant as areas.
            if any(clean):
                records.append((line, clean))
            line = reader.line_num + 1
    except csv.Error as error:
        raise _BrokenCsvError(line) from error
    return records


def _delimiter(body: str) -> str:
    """Guess the delimiter from the first line.

    Excel with Vietnamese regional settings saves "CSV" with semicolons, because the comma
    is the decimal separator there.
    """
    first_line = body.lstrip("\r\n").split("\n", 1)[0]
    return max(_DELIMITERS, key=first_line.count)


def _header_key(cell: str) -> str:
    """Fold a header name so that "Parent Code", "parent_code" and "PARENTCODE" agree."""
    return "".join(cell.casefold().replace("_", " ").split())


def _column_positions(header: Sequence[str]) -> dict[str, int]:
    """Map each known column to its index in `header`; the first of duplicates wins."""
    indexes: dict[str, int] = {}
    for index, cell in enumerate(header):
        indexes.setdefault(_header_key(cell), index)
    return {col: indexes[_header_key(col)] for col in COLUMNS if _header_key(col) in indexes}


def _columns_param(missing: Sequence[str]) -> Params:
    """Build the params of MSG_MISSING_COLUMNS."""
    return {"columns": ", ".join(missing)}


def _to_row(line: int, cells: Sequence[str], positions: Mapping[str, int]) -> _Row:
    """Build a row from its cells; a short row leaves its trailing columns empty."""

    def cell(column: str) -> str:
        index = positions[column]
        return cells[index] if index < len(cells) else ""

    area = Area(cell("code"), cell("name"), cell("level"), cell("parent_code") or None)
    return _Row(line, area)


def _parents_first(areas: Iterable[Area]) -> list[Area]:
    """Sort areas by level, top-down, keeping the file order within a level."""
    return sorted(areas, key=lambda area: _rank(area.level))


def _rank(level: str) -> int:
    """Return the depth of `level` in the tree; unknown levels go last."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _validate(rows: Sequence[_Row], existing: Mapping[str, Area]) -> list[RowError]:
    """Check every row and return all problems, in line order."""
    first_rows: dict[str, _Row] = {}
    for row in rows:
        first_rows.setdefault(row.area.code, row)
    context = _Context(first_rows, existing)
    return [error for row in rows for error in _row_errors(row, context)]


def _row_errors(row: _Row, context: _Context) -> Iterator[RowError]:
    """Yield every problem of one row, column by column."""
    yield from _code_errors(row)
    yield from _identity_errors(row, context)
    yield from _name_errors(row)
    yield from _level_errors(row)
    yield from _parent_errors(row, context)


def _code_errors(row: _Row) -> Iterator[RowError]:
    """Check that the code is present, short enough and made of allowed characters."""
    code = row.area.code
    if not code:
        yield RowError(row.line, "code", MSG_EMPTY_FIELD, {"column": "code"})
        return
    if len(code) > MAX_CODE_LENGTH:
        params: Params = {"length": len(code), "limit": MAX_CODE_LENGTH}
        yield RowError(row.line, "code", MSG_CODE_TOO_LONG, params)
    if not _CODE_PATTERN.fullmatch(code):
        yield RowError(row.line, "code", MSG_CODE_CHARACTERS, {"code": code})


def _identity_errors(row: _Row, context: _Context) -> Iterator[RowError]:
    """Check that the code is not repeated in the file and keeps its stored level."""
    area = row.area
    first = context.first_rows.get(area.code)
    if area.code and first is not None and first.line != row.line:
        params: Params = {"code": area.code, "first_line": first.line}
        yield RowError(row.line, "code", MSG_DUPLICATE_CODE, params)
    stored = context.existing.get(area.code)
    # Changing a level would strand the stored children under a parent of the wrong kind.
    if stored is not None and area.level in LEVELS and stored.level != area.level:
        change: Params = {"code": area.code, "old_level": stored.level, "level": area.level}
        yield RowError(row.line, "level", MSG_LEVEL_CHANGED, change)


def _name_errors(row: _Row) -> Iterator[RowError]:
    """Check that the name is present and not too long."""
    name = row.area.name
    if not name:
        yield RowError(row.line, "name", MSG_EMPTY_FIELD, {"column": "name"})
    elif len(name) > MAX_NAME_LENGTH:
        params: Params = {"length": len(name), "limit": MAX_NAME_LENGTH}
        yield RowError(row.line, "name", MSG_NAME_TOO_LONG, params)


def _level_errors(row: _Row) -> Iterator[RowError]:
    """Check that the level is one of LEVELS."""
    level = row.area.level
    if not level:
        yield RowError(row.line, "level", MSG_EMPTY_FIELD, {"column": "level"})
    elif level not in LEVELS:
        yield RowError(row.line, "level", MSG_UNKNOWN_LEVEL, {"level": level})


def _parent_errors(row: _Row, context: _Context) -> Iterator[RowError]:
    """Check the parent: required except for provinces, known, and of an allowed level."""
    area = row.area
    if area.level == PROVINCE and area.parent_code is not None:
        yield RowError(row.line, "parent_code", MSG_PROVINCE_PARENT)
    elif area.level in LEVELS and area.level != PROVINCE and area.parent_code is None:
        yield RowError(row.line, "parent_code", MSG_PARENT_REQUIRED, {"level": area.level})
    elif area.parent_code is not None and area.level != PROVINCE:
        yield from _parent_lookup_errors(row, context)


def _parent_lookup_errors(row: _Row, context: _Context) -> Iterator[RowError]:
    """Check that the parent exists and that its level may hold this row's level."""
    area = row.area
    parent_code = area.parent_code or ""
    parent_level = _parent_level(parent_code, context)
    if parent_level is None:
        missing: Params = {"parent_code": parent_code}
        yield RowError(row.line, "parent_code", MSG_PARENT_NOT_FOUND, missing)
        return
    allowed = ALLOWED_PARENTS.get(area.level)
    # An unknown level on either side is already reported on its own line.
    if allowed is None or parent_level not in LEVELS or parent_level in allowed:
        return
    params: Params = {
        "level": area.level,
        "parent_code": parent_code,
        "parent_level": parent_level,
        "allowed": " or ".join(level for level in LEVELS if level in allowed),
    }
    yield RowError(row.line, "parent_code", MSG_PARENT_WRONG_LEVEL, params)


def _parent_level(code: str, context: _Context) -> str | None:
    """Return the level of the area `code`, as in the file if present, else as stored."""
    in_file = context.first_rows.get(code)
    if in_file is not None:
        return in_file.area.level
    stored = context.existing.get(code)
    return stored.level if stored is not None else None
