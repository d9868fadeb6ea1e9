"""Use cases on the administrative tree: import from CSV, browse, summarise."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.areas import COLUMNS, COMMUNE, PROVINCE, Area, RowError, by_name, parse_area_csv
from bot.domain.text import matches
from bot.domain.users import User, is_admin
from bot.services.errors import NotAllowed
from bot.services.ports import UnitOfWork


@dataclass(frozen=True)
class AreaImportReport:
    """What an import did, or every problem that stopped it (then nothing was written)."""

    created: int
    updated: int
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


async def import_areas(uow: UnitOfWork, csv_text: str) -> AreaImportReport:
    """Validate every row first; write all rows in one transaction, or none."""
    existing = await uow.areas.all_by_code()
    areas, errors = parse_area_csv(csv_text, existing)
    if errors:
        return AreaImportReport(0, 0, tuple(errors))
    await uow.areas.upsert_many(areas)
    await uow.commit()
    updated = sum(1 for area in areas if area.code in existing)
    return AreaImportReport(len(areas) - updated, updated, ())


@dataclass(frozen=True)
class LevelCounts:
    """Areas of one level in an import: new, changed (name or parent), already as given."""

    added: int
    updated: int
    unchanged: int


_NONE = LevelCounts(0, 0, 0)


@dataclass(frozen=True)
class OfficialImportReport:
    """What loading the official map did per level, or every problem (then nothing written).

    Each problem comes with the code of the area it is about.
    """

    provinces: LevelCounts
    communes: LevelCounts
    errors: tuple[tuple[str, RowError], ...]

    @property
    def ok(self) -> bool:
        return not self.errors


async def import_official_areas(uow: UnitOfWork, areas: Sequence[Area]) -> OfficialImportReport:
    """Check the areas by the CSV import's rules; write the new and changed ones, or none.

    Nothing is deleted, so hamlets that officers added under a commune stay attached to it.
    """
    existing = await uow.areas.all_by_code()
    checked, errors = parse_area_csv(_area_csv(areas), existing)
    if errors:
        located = tuple((_code_on_line(areas, error.line), error) for error in errors)
        return OfficialImportReport(_NONE, _NONE, located)
    await uow.areas.upsert_many(a for a in checked if existing.get(a.code) != a)
    await uow.commit()
    provinces = _level_counts(checked, existing, PROVINCE)
    return OfficialImportReport(provinces, _level_counts(checked, existing, COMMUNE), ())


def _area_csv(areas: Sequence[Area]) -> str:
    """The areas as the CSV file an operator would import: a header, then one line each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows((a.code, a.name, a.level, a.parent_code or "") for a in areas)
    return buffer.getvalue()


def _code_on_line(areas: Sequence[Area], line: int) -> str:
    """The code of the area written on `line` of `_area_csv` (line 1 is the header)."""
    index = line - 2
    return areas[index].code if 0 <= index < len(areas) else "-"


def _level_counts(areas: Sequence[Area], existing: Mapping[str, Area], level: str) -> LevelCounts:
    of_level = [area for area in areas if area.level == level]
    added = sum(1 for area in of_level if area.code not in existing)
    unchanged = sum(1 for area in of_level if existing.get(area.code) == area)
    return LevelCounts(added, len(of_level) - added - unchanged, unchanged)


async def areas_below(
    uow: UnitOfWork, parent_code: str | None, level: str, query: str = ""
) -> list[Area]:
    """Areas of `level` under `parent_code` (looking through districts), filtered by name.
    Retired hamlets are left out: they are no longer offered to choose."""
    found: list[Area] = []
    pending = await uow.areas.children(parent_code)
    while pending:
        area = pending.pop()
        if area.level == level:
            found.append(area)
        elif area.level == "district" and level in ("commune", "hamlet"):
            pending.extend(await uow.areas.children(area.code))
    return sorted((a for a in found if not a.retired and matches(query, a.name)), key=by_name)


async def area_path(uow: UnitOfWork, code: str) -> list[Area]:
    """The area and its ancestors, from the top of the tree down."""
    return await uow.areas.path(code)


async def area_summary(
    uow: UnitOfWork, actor_id: int, admin_ids: frozenset[int]
) -> dict[str, int]:
    """Counts per level, for admins only."""
    actor: User | None = await uow.users.get(actor_id)
    if not is_admin(actor_id, admin_ids, actor):
        raise NotAllowed("This command is for commune officers.")
    return await uow.areas.count_by_level()


async def home_area_path(uow: UnitOfWork, user_id: int) -> list[Area]:
    """Where the user said they live, top-down; empty when they have not said yet."""
    user = await uow.users.get(user_id)
    return await area_path(uow, user.area_code) if user and user.area_code else []
