"""A commune's household roster, read from a spreadsheet: header, rows, duplicates, the plan.

Offices write headers their own way ("Họ tên chủ hộ", "HO TEN CHU HO", "SĐT"), often under
a title row or two. Each cell goes through the same parsers as the chat dialogs; the hamlet
is found by code or by name without diacritics. Likely duplicates (same phone, or same name
in the same hamlet) are held back for the officer to decide. Row numbers are the
spreadsheet's own, so the officer finds the row the report names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from bot.domain.messages import N_
from bot.domain.parsers import InputError, parse_count, parse_person_name, parse_phone
from bot.domain.text import search_key

HAMLET, HEAD_NAME, PHONE, MEMBERS = "hamlet", "head_name", "phone", "members"
FIELDS: tuple[str, ...] = (HAMLET, HEAD_NAME, PHONE, MEMBERS)
IGNORED = "ignored"
# A header may sit under title rows ("UBND XÃ ...", "DANH SÁCH HỘ GIA ĐÌNH").
MAX_TITLE_ROWS = 10


def _aliases(field_name: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, field_name)


# Header names as search_key folds them: no case, no diacritics, "_" and "." as spaces.
HEADERS: Mapping[str, str] = MappingProxyType(
    {
        **_aliases(HAMLET, "thon", "ma thon", "ten thon", "thon/to", "thon/to dan pho"),
        **_aliases(HAMLET, "to dan pho", "thon/xom", "xom", "ap", "ban"),
        **_aliases(HAMLET, "hamlet", "hamlet code", "hamlet name"),
        **_aliases(HEAD_NAME, "ho ten chu ho", "ho va ten chu ho", "ten chu ho", "chu ho"),
        **_aliases(HEAD_NAME, "ho ten", "ho va ten", "head", "head name", "head of household"),
        **_aliases(PHONE, "dien thoai", "so dien thoai", "sdt", "so dt", "dt", "phone"),
        **_aliases(PHONE, "phone number", "mobile"),
        **_aliases(MEMBERS, "so thanh vien", "thanh vien", "so nhan khau", "nhan khau"),
        **_aliases(MEMBERS, "so nguoi", "so khau", "members", "members count"),
        # Row numbers and notes: every office roster has them, and they hold no data.
        **_aliases(IGNORED, "stt", "tt", "so tt", "so thu tu", "ghi chu", "no", "note", "notes"),
    }
)
_HEADER_NOTE = re.compile(r"\([^)]*\)")
# What a hamlet's name may start with; "Đông" finds "Thôn Đông" when nothing else matches.
_HAMLET_WORDS = ("thon ", "to dan pho ", "to ", "xom ", "ap ", "ban ", "khu pho ", "khu ")

MSG_NO_HEADER = N_(
    "No header row found: a row at the top must name the columns "
    "hamlet, head of household, phone and members"
)
MSG_MISSING_COLUMN: Mapping[str, str] = MappingProxyType(
    {
        HAMLET: N_("The file has no hamlet column (for example: Thôn or Mã thôn)"),
        HEAD_NAME: N_("The file has no column for the head of household (for example: Chủ hộ)"),
        PHONE: N_("The file has no phone column (for example: Điện thoại or SĐT)"),
        MEMBERS: N_("The file has no column for the number of members (for example: Số người)"),
    }
)
MSG_UNKNOWN_COLUMN = N_(
    'The column "{column}" is not one the bot knows: rename it to hamlet, head of household, '
    "phone or members, or delete it"
)
MSG_REPEATED_COLUMN = N_('The columns "{first}" and "{column}" hold the same thing: keep one')
MSG_NO_ROWS = N_("The file has a header row but no households below it")
MSG_EMPTY_CELL = N_("{column} is empty")
MSG_UNKNOWN_HAMLET = N_('No hamlet of this commune is called "{value}"')
MSG_AMBIGUOUS_HAMLET = N_('"{value}" could be {hamlets}: please write the hamlet code')
MSG_SAME_PHONE_ROW = N_("Likely the same household as row {row}: same phone number")
MSG_SAME_NAME_ROW = N_(
    "Likely the same household as row {row}: same head of household in the same hamlet"
)
MSG_SAME_PHONE_HOUSEHOLD = N_(
    "Likely already registered as household #{household}: same phone number"
)
MSG_SAME_NAME_HOUSEHOLD = N_(
    "Likely already registered as household #{household}: "
    "same head of household in the same hamlet"
)

Params = dict[str, str | int]
# A stored household of the commune, as the duplicate check needs it: (id, hamlet_code,
# name_key, phone); name_key is search_key(head_name); name and phone are None once forgotten.
ExistingHousehold = tuple[int, str, str | None, str | None]


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A valid row: what a household needs to be created, and where it came from."""

    row: int
    hamlet_code: str
    head_name: str
    phone: str  # E.164, as parse_phone returns it
    members: int


@dataclass(frozen=True, slots=True)
class RosterError:
    """Why a row (or the header) cannot be used: an English msgid and its params."""

    row: int
    message_id: str
    params: Params = field(default_factory=dict, hash=False)
    column: str = ""  # the header as written in the file; "" for the whole row or file
    value: str = ""  # the cell as written

    def describe(self) -> str:
        return self.message_id.format(**self.params)


class DuplicateBy(StrEnum):
    PHONE = "phone"
    NAME = "name"  # the same name without diacritics, in the same hamlet


_DUPLICATE_MESSAGES = {
    (DuplicateBy.PHONE, False): MSG_SAME_PHONE_ROW,
    (DuplicateBy.NAME, False): MSG_SAME_NAME_ROW,
    (DuplicateBy.PHONE, True): MSG_SAME_PHONE_HOUSEHOLD,
    (DuplicateBy.NAME, True): MSG_SAME_NAME_HOUSEHOLD,
}


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A warning: row `row` is likely an earlier row of the file, or a stored household."""

    row: int
    by: DuplicateBy
    of_row: int | None = None
    of_household: int | None = None

    @property
    def message_id(self) -> str:
        return _DUPLICATE_MESSAGES[self.by, self.of_household is not None]

    @property
    def params(self) -> Params:
        if self.of_household is not None:
            return {"household": self.of_household}
        return {"row": self.of_row or 0}


@dataclass(frozen=True)
class RosterCounts:
    rows: int  # non-blank rows under the header
    valid: int
    invalid: int
    duplicates: int  # valid rows with a duplicate warning
    to_add: int


@dataclass(frozen=True)
class ImportPlan:
    """What importing the file would do; rows held back are likely duplicates."""

    rows: int
    to_add: tuple[RosterRow, ...] = ()
    held_back: tuple[RosterRow, ...] = ()
    errors: tuple[RosterError, ...] = ()
    warnings: tuple[Duplicate, ...] = ()

    @property
    def counts(self) -> RosterCounts:
        valid = len(self.to_add) + len(self.held_back)
        duplicates = len({warning.row for warning in self.warnings})
        return RosterCounts(self.rows, valid, self.rows - valid, duplicates, len(self.to_add))

    def including(self, rows: Collection[int]) -> ImportPlan:
        """The plan with the held-back rows numbered in `rows` added after all."""
        chosen = [row for row in self.held_back if row.row in rows]
        kept = tuple(row for row in self.held_back if row.row not in rows)
        to_add = tuple(sorted((*self.to_add, *chosen), key=lambda row: row.row))
        return replace(self, to_add=to_add, held_back=kept)


def header_field(cell: str) -> str | None:
    """The field a header cell names (one of FIELDS, or IGNORED), None if unknown.

    Case, diacritics, spacing, "_", ".", a trailing ":" or "*" and a "(...)" note such as
    a unit do not matter: "Số nhân khẩu (người)", "so_nhan_khau" and "Số Đ.T" all count.
    """
    plain = _HEADER_NOTE.sub(" ", cell).replace("_", " ").replace(".", "")
    return HEADERS.get(search_key(plain).strip(" :*"))


def plan_import(
    rows: Iterable[Sequence[str]],
    hamlets: Mapping[str, str],
    existing: Iterable[ExistingHousehold] = (),
) -> ImportPlan:
    """Check every row of a roster and plan the import; nothing is stored.

    `rows` are the file's rows of text, the first being spreadsheet row 1; `hamlets` maps
    the commune's hamlet codes to their names; `existing` are its stored households.
    Blank rows are skipped. Rows that likely duplicate a stored household or an earlier row
    are held back: `ImportPlan.including` adds the ones the officer confirms.
    """
    numbered = enumerate(rows, start=1)
    columns = _read_header(numbered)
    if isinstance(columns, tuple):
        return ImportPlan(0, errors=columns)
    checker = _RowChecker(columns, _HamletFinder(hamlets))
    checked = (checker(number, cells) for number, cells in numbered if _has_data(cells))
    plan = _plan(checked, _Seen.of(existing))
    if not plan.rows:
        return replace(plan, errors=(RosterError(columns.row, MSG_NO_ROWS),))
    return plan


def _has_data(cells: Sequence[str]) -> bool:
    return not "".join(cells).isspace() and any(cells)


@dataclass(frozen=True)
class _Columns:
    """Where each field is in the rows, and its header as written."""

    row: int
    positions: Mapping[str, tuple[int, str]]


def _read_header(
    numbered: Iterator[tuple[int, Sequence[str]]],
) -> _Columns | tuple[RosterError, ...]:
    """Find the header, the first row naming a known column, past any title rows."""
    for number, cells in numbered:
        fields = [header_field(cell) if cell.strip() else IGNORED for cell in cells]
        if any(name in FIELDS for name in fields):
            return _columns(number, cells, fields)
        if number >= MAX_TITLE_ROWS:
            break
    return (RosterError(1, MSG_NO_HEADER),)


def _columns(
    number: int, cells: Sequence[str], fields: Sequence[str | None]
) -> _Columns | tuple[RosterError, ...]:
    positions: dict[str, tuple[int, str]] = {}
    errors: list[RosterError] = []
    for index, (cell, name) in enumerate(zip(cells, fields, strict=True)):
        if name is None:
            errors.append(RosterError(number, MSG_UNKNOWN_COLUMN, {"column": cell}, cell))
        elif name in positions:
            params: Params = {"first": positions[name][1], "column": cell}
            errors.append(RosterError(number, MSG_REPEATED_COLUMN, params, cell))
        elif name != IGNORED:
            positions[name] = (index, cell)
    missing = [RosterError(number, MSG_MISSING_COLUMN[n]) for n in FIELDS if n not in positions]
    return tuple(errors + missing) if errors or missing else _Columns(number, positions)


class _HamletFinder:
    """Resolves a hamlet cell by code, by name, then by name without "Thôn", "Tổ"...;
    answers are remembered, since a roster repeats a few hamlets many times."""

    def __init__(self, hamlets: Mapping[str, str]) -> None:
        self._names = hamlets
        self._codes = {code.casefold(): code for code in hamlets}
        self._full: dict[str, list[str]] = {}
        self._bare: dict[str, list[str]] = {}
        for code, name in hamlets.items():
            self._full.setdefault(search_key(name), []).append(code)
            self._bare.setdefault(_bare_name(search_key(name)), []).append(code)
        self._known: dict[str, str | tuple[str, Params]] = {}

    def __call__(self, text: str) -> str:
        found = self._known.get(text)
        if found is None:
            found = self._known[text] = self._resolve(text.strip())
        if isinstance(found, tuple):
            raise InputError(*found)
        return found

    def _resolve(self, text: str) -> str | tuple[str, Params]:
        key = search_key(text)
        code = self._codes.get(text.casefold())
        codes = [code] if code else self._full.get(key) or self._bare.get(_bare_name(key), [])
        if len(codes) == 1:
            return codes[0]
        if not codes:
            return MSG_UNKNOWN_HAMLET, {"value": text}
        choices = ", ".join(sorted(f"{self._names[c]} ({c})" for c in codes))
        return MSG_AMBIGUOUS_HAMLET, {"value": text, "hamlets": choices}


def _bare_name(key: str) -> str:
    return next((key[len(w) :] for w in _HAMLET_WORDS if key.startswith(w)), key)


def _parse_phone_cell(text: str) -> str:
    """A phone as parse_phone reads it; Excel drops the leading 0 of a number it stores as
    a number ("912345678"), so digits alone get it back when that makes a valid phone."""
    try:
        return parse_phone(text)
    except InputError:
        digits = text.strip()
        if not (digits.isascii() and digits.isdigit()) or digits.startswith("0"):
            raise
        return parse_phone("0" + digits)


def _parse_members(text: str) -> int:
    return parse_count(text, minimum=1)  # as the registration dialog asks it


_Checked = RosterRow | list[RosterError]
_T = TypeVar("_T")


@dataclass(frozen=True)
class _RowChecker:
    """Turns one row's cells into a RosterRow, or into every error they hold."""

    columns: _Columns
    hamlet: _HamletFinder

    def __call__(self, number: int, cells: Sequence[str]) -> _Checked:
        errors: list[RosterError] = []
        hamlet_code = self._cell(number, cells, HAMLET, self.hamlet, errors)
        head_name = self._cell(number, cells, HEAD_NAME, parse_person_name, errors)
        phone = self._cell(number, cells, PHONE, _parse_phone_cell, errors)
        members = self._cell(number, cells, MEMBERS, _parse_members, errors)
        if hamlet_code is None or head_name is None or phone is None or members is None:
            return errors
        return RosterRow(number, hamlet_code, head_name, phone, members)

    def _cell(
        self,
        number: int,
        cells: Sequence[str],
        name: str,
        parse: Callable[[str], _T],
        errors: list[RosterError],
    ) -> _T | None:
        index, label = self.columns.positions[name]
        text = cells[index] if index < len(cells) else ""
        try:
            if not text or text.isspace():
                raise InputError(MSG_EMPTY_CELL, {"column": label})
            return parse(text)
        except InputError as error:
            errors.append(RosterError(number, error.msgid, error.params, label, text))
            return None


@dataclass(frozen=True)
class _Seen:
    """Phones and (hamlet, name key) pairs already met, each with the first row or id."""

    phones: dict[str, int] = field(default_factory=dict)
    names: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, households: Iterable[ExistingHousehold]) -> _Seen:
        seen = cls()
        for household_id, hamlet_code, name_key, phone in households:
            seen.add(household_id, hamlet_code, name_key, phone)
        return seen

    def add(self, ident: int, hamlet_code: str, name_key: str | None, phone: str | None) -> None:
        if phone:
            self.phones.setdefault(phone, ident)
        if name_key:
            self.names.setdefault((hamlet_code, name_key), ident)

    def match(self, row: RosterRow, name_key: str) -> tuple[DuplicateBy, int] | None:
        if row.phone in self.phones:
            return DuplicateBy.PHONE, self.phones[row.phone]
        ident = self.names.get((row.hamlet_code, name_key))
        return None if ident is None else (DuplicateBy.NAME, ident)


def _plan(checked: Iterable[_Checked], stored: _Seen) -> ImportPlan:
    to_add: list[RosterRow] = []
    held_back: list[RosterRow] = []
    errors: list[RosterError] = []
    warnings: list[Duplicate] = []
    in_file = _Seen()
    rows = 0
    for item in checked:
        rows += 1
        if isinstance(item, list):
            errors.extend(item)
            continue
        found = _duplicates(item, search_key(item.head_name), stored, in_file)
        warnings.extend(found)
        (held_back if found else to_add).append(item)
    return ImportPlan(rows, tuple(to_add), tuple(held_back), tuple(errors), tuple(warnings))


def _duplicates(row: RosterRow, name_key: str, stored: _Seen, in_file: _Seen) -> list[Duplicate]:
    """The stored household and the earlier row that `row` likely repeats, then remembers
    `row` so that later rows are checked against it."""
    found = []
    if match := stored.match(row, name_key):
        found.append(Duplicate(row.row, match[0], of_household=match[1]))
    if match := in_file.match(row, name_key):
        found.append(Duplicate(row.row, match[0], of_row=match[1]))
    in_file.add(row.row, row.hamlet_code, name_key, row.phone)
    return found
