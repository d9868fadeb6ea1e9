"""The shape of a criteria set file: which keys each table has, of which type.

This layer only looks at one table at a time (keys, types, ids, enums); arithmetic between
tables (sums, thresholds, bands) is in `criteria_check`, which trusts nothing checked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from bot.domain import criteria_problems as p
from bot.domain.criteria_model import Kind, Title
from bot.domain.criteria_problems import Problem, item, join

Raw = Mapping[str, Any]

TEXT, INTEGER, NUMBER, BOOL, TABLE, TABLES = "text", "integer", "number", "bool", "table", "tables"
OPTIONAL = "?"
# Ids travel in Telegram callback data (64 bytes at most) next to other ids.
MAX_ID_LENGTH = 16
_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
_MIN_ENTRIES = {"criteria": 1, "indicators": 1, "options": 2, "bands": 1}

TOP_KEYS = {"set": TABLE, "criteria": TABLES}
SET_KEYS = {
    "title": TEXT,
    "version": TEXT,
    "source": TEXT,
    "default": BOOL,
    "note_vi": TEXT + OPTIONAL,
    "note_en": TEXT + OPTIONAL,
    "max_points": INTEGER,
    "pass_threshold": INTEGER,
    "excellent_threshold": INTEGER + OPTIONAL,
    "min_indicator_points": INTEGER + OPTIONAL,
}
_LABELS = {"id": TEXT, "label_vi": TEXT, "label_en": TEXT}
CRITERION_KEYS = {
    **_LABELS,
    "max_points": INTEGER,
    "min_points": INTEGER + OPTIONAL,
    "indicators": TABLES,
}
INDICATOR_KEYS = {
    **_LABELS,
    "help_vi": TEXT + OPTIONAL,
    "help_en": TEXT + OPTIONAL,
    "kind": TEXT,
    "required": BOOL + OPTIONAL,
    "min_points": INTEGER + OPTIONAL,
}
# Keys only a ratio indicator may have: its counts come from the bot's records (`fact`), or
# its answers feed a group's fact (`measure`).
RATIO_SOURCE_KEYS = {"fact": TEXT + OPTIONAL, "measure": TEXT + OPTIONAL}
KIND_KEYS: Mapping[str, Mapping[str, str]] = {
    Kind.YES_NO: {"points": INTEGER},
    Kind.LEVEL: {"options": TABLES},
    Kind.RATIO: {
        "count_label_vi": TEXT,
        "count_label_en": TEXT,
        "part_label_vi": TEXT,
        "part_label_en": TEXT,
        "bands": TABLES,
        "when_none": INTEGER + OPTIONAL,
        **RATIO_SOURCE_KEYS,
    },
}
_ALL_KIND_KEYS = frozenset(key for keys in KIND_KEYS.values() for key in keys)
OPTION_KEYS = {**_LABELS, "points": INTEGER}
BAND_KEYS = {"at_least": NUMBER, "points": INTEGER}

_TYPE_MESSAGES = {
    TEXT: p.MSG_NOT_TEXT,
    INTEGER: p.MSG_NOT_INTEGER,
    NUMBER: p.MSG_NOT_NUMBER,
    BOOL: p.MSG_NOT_BOOL,
    TABLE: p.MSG_NOT_TABLE,
    TABLES: p.MSG_NOT_TABLE_LIST,
}


def shape_problems(document: Raw) -> Iterator[Problem]:
    """Yield every problem of keys, types, ids and enums in a parsed TOML document."""
    yield from _keys(document, "", TOP_KEYS)
    set_table = document.get("set")
    if isinstance(set_table, Mapping):
        yield from _set_problems(set_table)
    for index, criterion in tables(document, "criteria"):
        yield from _criterion_problems(criterion, item("criteria", index))


def tables(raw: Raw, key: str) -> list[tuple[int, Raw]]:
    """Return the well-formed tables of the list `key` with their indices; skip the rest."""
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [(index, table) for index, table in enumerate(value) if isinstance(table, Mapping)]


def integer(raw: Raw, key: str) -> int | None:
    """Return `raw[key]` if it is a whole number (not a bool), else None."""
    value = raw.get(key)
    return value if is_type(INTEGER, value) else None


def number(raw: Raw, key: str) -> Decimal | None:
    """Return `raw[key]` as a Decimal if it is a number (TOML floats parse as Decimal)."""
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def is_type(kind: str, value: object) -> bool:
    """Tell whether `value` as TOML parsed it (floats as Decimal) is of `kind`."""
    if isinstance(value, bool):
        return kind == BOOL
    if kind == TABLES:
        return isinstance(value, list) and all(isinstance(entry, Mapping) for entry in value)
    checks: dict[str, type | tuple[type, ...]] = {
        TEXT: str,
        INTEGER: int,
        NUMBER: (int, Decimal),
        TABLE: Mapping,
    }
    expected = checks.get(kind)
    return expected is not None and isinstance(value, expected)


def _keys(
    raw: Raw, path: str, keys: Mapping[str, str], foreign: Mapping[str, str | None] | None = None
) -> Iterator[Problem]:
    """Check presence and type of `keys`, then report keys not among them.

    `foreign` maps keys that belong to another kind to that kind's name, or to None when the
    key is to be let through unjudged.
    """
    for key, spec in keys.items():
        yield from _key_problems(raw, join(path, key), key, spec)
    others = foreign or {}
    for key in raw:
        kind = others.get(key)
        if key in keys or (key in others and kind is None):
            continue
        if kind is not None:
            yield Problem(join(path, key), p.MSG_KEY_NOT_FOR_KIND, {"key": key, "kind": kind})
        else:
            yield Problem(join(path, key), p.MSG_UNKNOWN_KEY, {"key": key})


def _key_problems(raw: Raw, path: str, key: str, spec: str) -> Iterator[Problem]:
    """Check one key against its spec, e.g. "integer" or "text?" (optional)."""
    kind = spec.removesuffix(OPTIONAL)
    if key not in raw:
        if not spec.endswith(OPTIONAL):
            text = key.endswith(("_vi", "_en"))
            msgid = p.MSG_MISSING_LANGUAGE if text else p.MSG_MISSING_KEY
            yield Problem(path, msgid, {"key": key})
        return
    value = raw[key]
    if not is_type(kind, value):
        yield Problem(path, _TYPE_MESSAGES[kind], {"key": key})
    elif kind == TEXT and not value.strip():
        yield Problem(path, p.MSG_EMPTY_TEXT)
    elif kind == TABLES and len(value) < _MIN_ENTRIES.get(key, 0):
        yield Problem(path, p.MSG_EMPTY_LIST, {"minimum": _MIN_ENTRIES[key]})


def _pair(raw: Raw, path: str, stem: str) -> Iterator[Problem]:
    """An optional text given in one language must be given in the other too."""
    for have, lack in ((f"{stem}_vi", f"{stem}_en"), (f"{stem}_en", f"{stem}_vi")):
        if have in raw and lack not in raw:
            yield Problem(join(path, lack), p.MSG_MISSING_LANGUAGE, {"key": lack})


def _set_problems(raw: Raw) -> Iterator[Problem]:
    """Check the [set] table."""
    yield from _keys(raw, "set", SET_KEYS)
    yield from _enum(raw, "set", "title", Title, p.MSG_UNKNOWN_TITLE)
    yield from _id(raw, "set", "version", limit=32)
    # A default is a stand-in: users must be told what will replace it.
    note_keys = ("note_vi", "note_en") if raw.get("default") is True else ()
    for key in note_keys:
        if key not in raw:
            yield Problem(join("set", key), p.MSG_MISSING_LANGUAGE, {"key": key})
    if not note_keys:
        yield from _pair(raw, "set", "note")


def _criterion_problems(raw: Raw, path: str) -> Iterator[Problem]:
    """Check one [[criteria]] table and its indicators."""
    yield from _keys(raw, path, CRITERION_KEYS)
    yield from _id(raw, path, "id")
    for index, indicator in tables(raw, "indicators"):
        yield from _indicator_problems(indicator, item(join(path, "indicators"), index))


def _indicator_problems(raw: Raw, path: str) -> Iterator[Problem]:
    """Check one indicator: its common keys, then the keys of its kind."""
    kind = raw.get("kind")
    kind_keys = KIND_KEYS.get(kind) if isinstance(kind, str) else None
    if kind is None or kind_keys is None:
        # The keys of a kind cannot be judged without knowing the kind.
        yield from _keys(raw, path, INDICATOR_KEYS, dict.fromkeys(_ALL_KIND_KEYS))
        yield from _enum(raw, path, "kind", Kind, p.MSG_UNKNOWN_KIND)
    else:
        own = {**INDICATOR_KEYS, **kind_keys}
        yield from _keys(raw, path, own, {key: kind for key in _ALL_KIND_KEYS if key not in own})
    yield from _id(raw, path, "id")
    yield from _pair(raw, path, "help")
    for index, option in tables(raw, "options"):
        at = item(join(path, "options"), index)
        yield from _keys(option, at, OPTION_KEYS)
        yield from _id(option, at, "id")
    for index, band in tables(raw, "bands"):
        yield from _keys(band, item(join(path, "bands"), index), BAND_KEYS)


def _id(raw: Raw, path: str, key: str, limit: int = MAX_ID_LENGTH) -> Iterator[Problem]:
    """Check that an id is short and made of characters safe in callback data."""
    value = raw.get(key)
    # A missing, empty or non-text id is reported by _keys already.
    if not isinstance(value, str) or not value.strip():
        return
    if len(value) > limit or not _ID_PATTERN.fullmatch(value):
        yield Problem(join(path, key), p.MSG_BAD_ID, {"value": value, "limit": limit})


def _enum(raw: Raw, path: str, key: str, enum: type[Enum], msgid: str) -> Iterator[Problem]:
    """Check that a text value is one of `enum`'s values."""
    value = raw.get(key)
    allowed = [member.value for member in enum]
    if isinstance(value, str) and value.strip() and value not in allowed:
        yield Problem(join(path, key), msgid, {"value": value, "allowed": ", ".join(allowed)})
