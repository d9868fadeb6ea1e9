"""/export: the households of a commune (a summary, then a sheet per hamlet) or of one hamlet,
as an Excel workbook or one CSV file; for commune officers over their commune and for super
admins. Rows are read in batches and written as they come, so memory stays small however
large the commune; the export is audited with the area and the row count only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo

from bot.domain.areas import Area
from bot.domain.criteria_model import Title
from bot.domain.export import ExportRow, GroupExportRow
from bot.domain.hamlets import ListFilter
from bot.domain.messages import N_
from bot.domain.stats import SELF_ASSESSED_OR_LATER, Numbers, Standing
from bot.domain.status import Status
from bot.domain.text import search_key
from bot.domain.users import User
from bot.services.errors import ServiceError
from bot.services.group_review import GroupLine, group_lines
from bot.services.ports import UnitOfWork
from bot.services.scope import check_area
from bot.services.stats import area_stats, home_area

LIST_LEVELS = ("commune", "hamlet")
OTHER_TITLES = tuple(title.value for title in Title if title != Title.GIA_DINH)
ROWS_BETWEEN_PAUSES = 50  # about 10-20 ms of writing
MSG_COMMUNE_OR_HAMLET = N_(
    "The list is made for one commune or one hamlet: add its code, for example /export {example}"
)


class ListWriter(Protocol):
    """A file the list is written to as rows come, a part for each hamlet in turn."""

    def hamlet(self, name: str) -> None: ...
    def add(self, row: ExportRow) -> None: ...

    def close(self) -> None:
        """Finish the file on the stream it was given."""
        ...


@dataclass(frozen=True)
class ExportPlan:
    """What an export covers: the area, and its hamlets by name with this year's numbers."""

    area: Area
    year: int
    which: ListFilter
    hamlets: tuple[Standing, ...]
    # A commune's: its numbers for the other titles, and its clans, units and hamlets
    # registered this year (a hamlet's export is of its households only).
    titles: tuple[tuple[str, Numbers], ...] = ()
    groups: tuple[GroupExportRow, ...] = ()


@dataclass(frozen=True)
class Exported:
    area: Area
    year: int
    rows: int


async def plan_export(
    uow: UnitOfWork,
    actor: User,
    area_code: str | None,
    year: int,
    which: ListFilter,
    now: datetime,
    zone: ZoneInfo,
) -> ExportPlan:
    """Check the actor may list the area, a commune or a hamlet; its hamlets' numbers are
    those /stats shows."""
    code = area_code or await home_area(uow, actor)
    path = await check_area(uow, actor, code, "export", now)
    if path[-1].level not in LIST_LEVELS:
        communes = [a for a in await uow.areas.children(code) if a.level == "commune"]
        raise ServiceError(MSG_COMMUNE_OR_HAMLET, example=communes[0].code if communes else code)
    stats = await area_stats(uow, actor, code, year, now, zone)
    if stats.area.level == "hamlet":
        hamlets: tuple[Standing, ...] = (Standing(code, stats.area.name, stats.numbers),)
        return ExportPlan(stats.area, year, which, hamlets)
    hamlets = tuple(sorted(stats.below, key=lambda h: (search_key(h.name), h.name, h.code)))
    titles = []
    for title in OTHER_TITLES:
        numbers = (await area_stats(uow, actor, code, year, now, zone, title)).numbers
        titles.append((title, numbers))
    lines = await group_lines(uow, actor, code, year, now)
    groups = tuple(_group_row(line) for line in lines)
    return ExportPlan(stats.area, year, which, hamlets, tuple(titles), groups)


def _group_row(line: GroupLine) -> GroupExportRow:
    registration, decision = line.registration, line.decision
    submitted = registration.status in SELF_ASSESSED_OR_LATER
    return GroupExportRow(
        title=registration.title,
        name=line.name,
        status=registration.status,
        score=registration.total if submitted else None,
        passed=registration.passed if submitted else None,
        recognised_on=decision.day if decision else registration.reached_at(Status.RECOGNISED),
        decision_number=decision.number if decision else None,
    )


async def write_list(
    uow: UnitOfWork, actor: User, plan: ExportPlan, writer: ListWriter, now: datetime
) -> Exported:
    """Each hamlet's households, read and written batch by batch; then the audit entry."""
    count = 0
    for hamlet in plan.hamlets:
        writer.hamlet(hamlet.name)
        async for row in uow.export.rows(hamlet.code, plan.year, plan.which):
            writer.add(row)
            count += 1
            if count % ROWS_BETWEEN_PAUSES == 0:
                await asyncio.sleep(0)  # writing is CPU work: let other updates through
    await asyncio.to_thread(writer.close)  # compressing the file takes a while
    details = {"area": plan.area.code, "year": plan.year, "status": plan.which.value}
    await uow.audit.record("export", None, {**details, "rows": count}, now, actor_id=actor.id)
    await uow.commit()
    return Exported(plan.area, plan.year, count)


async def export_households(
    uow: UnitOfWork,
    actor: User,
    area_code: str | None,
    year: int,
    which: ListFilter,
    now: datetime,
    zone: ZoneInfo,
    out: BinaryIO,
    *,
    as_csv: bool = False,
) -> Exported:
    """The list of a commune or hamlet written to `out`, as .xlsx or (as_csv) .csv."""
    plan = await plan_export(uow, actor, area_code, year, which, now, zone)
    # The file libraries load on the first export, not at start-up: few users ever export.
    from bot.reports.commune_csv import CommuneCsv
    from bot.reports.commune_xlsx import CommuneWorkbook

    writer: ListWriter = (
        CommuneCsv(out, zone)
        if as_csv
        else CommuneWorkbook(
            out, plan.area.name, year, which, plan.hamlets, zone, plan.titles, plan.groups
        )
    )
    return await write_list(uow, actor, plan, writer, now)


async def commune_workbook(
    uow: UnitOfWork,
    actor: User,
    area_code: str,
    year: int,
    status: ListFilter,
    now: datetime,
    zone: ZoneInfo,
    out: BinaryIO,
) -> int:
    """The .xlsx of a commune (or hamlet) into `out`, without Telegram: the rows written.
    For benchmarks, which time this alone."""
    exported = await export_households(uow, actor, area_code, year, status, now, zone, out)
    return exported.rows
