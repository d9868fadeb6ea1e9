"""/stats: an area's numbers for the year against its target, with a projection, and the
areas just below it from the furthest behind; pressing one shows its own numbers."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, ScrollingGroup
from aiogram_dialog.widgets.text import Format

from bot.domain.criteria_model import Title
from bot.domain.messages import N_
from bot.domain.stats import registrations_to_target
from bot.i18n import fill
from bot.services.errors import ServiceError
from bot.services.stats import AreaStats, area_stats
from dialogs.commune.common import (
    AREA,
    area_code,
    start_on_area,
    title_of,
    title_switch,
    year_of,
)
from dialogs.commune.reports import MSG_TITLE, on_chart, on_export
from dialogs.numbers import WORDING, add_numbers, add_target, shown_share
from dialogs.offered import OfferedSelect
from dialogs.states import StatsSG
from dialogs.summaries import Writer, writer_for
from dialogs.widgets import Label, UnexpectedText, acting_user, now, tell, uow_of

TRAIL = "_trail"  # dialog_data: the areas pressed on the way down, to go back up
RANKED_LINES = 10  # a phone screen: the rest is in the buttons below
MSG_TO_REGISTER = N_("{missing} to register")


async def load(manager: DialogManager, code: str, year: int) -> AreaStats:
    zone = manager.middleware_data["settings"].zone
    title = title_of(manager)
    return await area_stats(uow_of(manager), acting_user(manager), code, year, now(), zone, title)


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, year: int) -> None:
        await load(manager, code, year)

    await start_on_area(manager, check)


async def get_stats(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    stats = await load(dialog_manager, area_code(dialog_manager), year_of(dialog_manager))
    items = [(a.code, a.name) for a in stats.below]
    trail = _trail(dialog_manager)
    return {
        "text": stats_text(writer_for(dialog_manager), stats),
        "items": items,
        "below": bool(items),
        "up": bool(trail),
        "top": not trail,
    }


def stats_text(lines: Writer, stats: AreaStats) -> str:
    """The whole /stats reply: numbers, target and gap, projection, the ranking."""
    lines.add(N_("📊 <b>{place}, {year}</b>"), place=stats.area.name, year=str(stats.year))
    lines.add(MSG_TITLE, title=Title(stats.title))
    add_numbers(lines, stats.numbers, stats.title)
    lines.lines.append("")
    add_target(lines, stats.target, stats.to_recognise, stats.title)
    if stats.to_register:
        lines.add(WORDING[stats.title].to_register, missing=stats.to_register)
    _add_projection(lines, stats)
    _add_ranking(lines, stats)
    return lines.text()


def _add_projection(lines: Writer, stats: AreaStats) -> None:
    if not stats.projection:  # no pace yet, or nobody registered so far
        return
    lines.add(
        N_("📈 At this pace: about {count} registered by {day} ({share})."),
        count=stats.projection,
        day=stats.until,
        share=shown_share(stats.projection, stats.numbers.households, lines.locale),
    )


def _add_ranking(lines: Writer, stats: AreaStats) -> None:
    if not stats.below:
        return
    lines.lines.append("")
    lines.add(N_("<b>From the furthest behind:</b>"))
    for rank, area in enumerate(stats.below[:RANKED_LINES], start=1):
        counts = area.numbers
        registered = shown_share(counts.registered, counts.households, lines.locale)
        recognised = shown_share(counts.recognised, counts.households, lines.locale)
        line = f"{rank}. {escape(area.name)}: 📝 {registered} · 🏅 {recognised}"  # no words
        missing = registrations_to_target(counts, stats.below_targets.get(area.code))
        if missing:
            params = {"missing": missing}
            to_go = fill(lines.i18n, MSG_TO_REGISTER, params, lines.locale, lines.tz)
            line = f"{line} · {to_go}"
        lines.lines.append(line)


def _trail(manager: DialogManager) -> list[str]:
    return list(manager.dialog_data.get(TRAIL, []))


async def on_area(callback: CallbackQuery, _: Any, manager: DialogManager, code: str) -> None:
    try:
        await load(manager, code, year_of(manager))  # a forged code is refused here
    except ServiceError as refused:
        await tell(manager, callback, refused)
        return
    manager.dialog_data[TRAIL] = [*_trail(manager), area_code(manager)]
    manager.dialog_data[AREA] = code


async def on_up(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    trail = _trail(manager)
    if trail:
        manager.dialog_data[AREA] = trail.pop()
        manager.dialog_data[TRAIL] = trail


def stats_window() -> Window:
    return Window(
        Format("{text}"),
        ScrollingGroup(
            OfferedSelect(
                Format("{item[1]}"),
                id="area",
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_area,
            ),
            id="below_pages",
            width=1,
            height=6,
            hide_on_single_page=True,
            when="below",
        ),
        title_switch(),
        Row(
            Button(Label("📈 Chart"), id="chart", on_click=on_chart),
            Button(Label("📤 Export (Excel)"), id="export", on_click=on_export),
        ),
        Column(
            Button(Label("⬅️ Back"), id="up", on_click=on_up, when="up"),
            Cancel(Label("⬅️ Back"), when="top"),
        ),
        UnexpectedText(),
        state=StatsSG.show,
        getter=get_stats,
    )


def stats_dialog() -> Dialog:
    return Dialog(stats_window(), on_start=on_start)
