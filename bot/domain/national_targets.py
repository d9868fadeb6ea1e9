"""The national targets shipped as data (`bot/data/targets.toml`): per title, the share of
subjects to be recognised by a year. The fallback under every area's own target.

Pure: the caller reads the file."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.criteria_model import Title

PERCENT_MIN, PERCENT_MAX = 1, 100
TITLES = frozenset(title.value for title in Title)


class NationalTargetsError(ValueError):
    """The targets file is broken; the message says where."""


@dataclass(frozen=True)
class NationalTarget:
    """The programme `source`'s targets by `year`: title -> percent."""

    year: int
    source: str
    percents: Mapping[str, int]


def parse_national_targets(text: str) -> tuple[NationalTarget, ...]:
    """The entries, by year; NationalTargetsError naming the entry and field if wrong."""
    try:
        tables = tomllib.loads(text).get("targets", [])
    except tomllib.TOMLDecodeError as broken:
        raise NationalTargetsError(str(broken)) from broken
    entries = [_entry(index, table) for index, table in enumerate(tables)]
    years = [entry.year for entry in entries]
    if len(set(years)) != len(years):
        raise NationalTargetsError("targets: a year is listed twice")
    return tuple(sorted(entries, key=lambda entry: entry.year))


def _entry(index: int, table: Mapping[str, object]) -> NationalTarget:
    where = f"targets[{index}]"
    year, source = table.get("year"), table.get("source")
    if not isinstance(year, int) or isinstance(year, bool):
        raise NationalTargetsError(f"{where}.year: a year is required")
    if not isinstance(source, str) or not source.strip():
        raise NationalTargetsError(f"{where}.source: say which document sets these targets")
    percents: dict[str, int] = {}
    for key, value in table.items():
        if key in ("year", "source"):
            continue
        if key not in TITLES:
            raise NationalTargetsError(f"{where}.{key}: not a title")
        if not isinstance(value, int) or not PERCENT_MIN <= value <= PERCENT_MAX:
            raise NationalTargetsError(f"{where}.{key}: a percent from 1 to 100")
        percents[key] = value
    return NationalTarget(year, source.strip(), percents)


def national_target(entries: Sequence[NationalTarget], title: str, year: int) -> int | None:
    """The target for `title` in campaign `year`: the first entry by that year or later,
    else the last one, still in force; None when the programme sets none for the title."""
    if not entries:
        return None
    applying = next((entry for entry in entries if entry.year >= year), entries[-1])
    return applying.percents.get(title)
