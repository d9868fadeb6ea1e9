"""Use cases on the administrative tree: import from CSV, browse, summarise."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.areas import Area, RowError, by_name, parse_area_csv
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


async def areas_below(
    uow: UnitOfWork, parent_code: str | None, level: str, query: str = ""
) -> list[Area]:
    """Areas of `level` under `parent_code` (looking through districts), filtered by name."""
    found: list[Area] = []
    pending = await uow.areas.children(parent_code)
    while pending:
        area = pending.pop()
        if area.level == level:
            found.append(area)
        elif area.level == "district" and level in ("commune", "hamlet"):
            pending.extend(await uow.areas.children(area.code))
    return sorted((a for a in found if matches(query, a.name)), key=by_name)


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
