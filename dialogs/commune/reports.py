"""The chart and the household list an officer gets from /chart and /export, or from the
buttons of the /stats window: the same picture and file either way."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from bot.domain.criteria_model import Title
from bot.domain.hamlets import ListFilter
from bot.domain.messages import N_
from bot.domain.users import User
from bot.i18n import fill, percent
from bot.services.charts import AreaChart, area_chart
from bot.services.commune_export import export_households
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork
from dialogs.commune.common import area_code, title_of, year_of
from dialogs.files import file_name
from dialogs.hamlet.households import FILTER_LABELS
from dialogs.numbers import WORDING
from dialogs.widgets import now, tell

MSG_CHART = N_("📈 {place}, {year}: the share registered and recognised in each area.")
MSG_TITLE = N_("🏷 Title: {title}")
GIA_DINH = Title.GIA_DINH.value
MSG_CUT = N_("Only the {shown} furthest behind of {total} are shown.")
MSG_EXPORTED = N_("📤 {place}: {count} households, {year}")


@dataclass(frozen=True)
class Reply:
    """Who asked, in which chat and language: what a command and a button both know."""

    bot: Bot
    chat_id: int
    uow: UnitOfWork
    actor: User
    i18n: I18n
    zone: ZoneInfo

    @classmethod
    def of(cls, data: Mapping[str, Any], chat_id: int) -> Reply:
        """From the update's middleware data."""
        zone = data["settings"].zone
        return cls(data["bot"], chat_id, data["uow"], data["user"], data["i18n"], zone)

    @property
    def locale(self) -> str:
        return self.i18n.current_locale

    def text(
        self, msgid: str, params: Mapping[str, Any] | None = None, *, html: bool = True
    ) -> str:
        return fill(self.i18n, msgid, dict(params or {}), self.locale, self.zone, html=html)


async def send_chart(reply: Reply, code: str | None, year: int, title: str = GIA_DINH) -> None:
    """The chart of `code` (the officer's own area when None) as a photo with a caption."""
    chart = await area_chart(reply.uow, reply.actor, code, year, now(), reply.zone, title)
    png = await asyncio.to_thread(_drawing(reply, chart))  # the bot answers others meanwhile
    lines = [
        reply.text(MSG_CHART, {"place": chart.place, "year": str(year)}),
        reply.text(MSG_TITLE, {"title": Title(title)}),
    ]
    if chart.areas > len(chart.bars):
        lines.append(reply.text(MSG_CUT, {"shown": len(chart.bars), "total": chart.areas}))
    photo = BufferedInputFile(png, file_name(chart.place, year, extension="png"))
    await reply.bot.send_photo(reply.chat_id, photo, caption="\n".join(lines))


def _drawing(reply: Reply, chart: AreaChart) -> Callable[[], bytes]:
    """The chart's words in the user's language, to be drawn away from the event loop."""
    locale, target = reply.locale, chart.target
    shown_target = percent(target / 100, locale) if target is not None else ""
    series = [
        (reply.text(N_("Registered"), html=False), [bar.registered for bar in chart.bars]),
        (reply.text(N_("Recognised"), html=False), [bar.recognised for bar in chart.bars]),
    ]
    target_label = reply.text(N_("Target: {target}"), {"target": shown_target}, html=False)
    axis_label = reply.text(WORDING[chart.title].axis, html=False)

    def draw() -> bytes:
        # matplotlib is imported on the first chart, not at start-up: it takes a second.
        from bot.reports.chart import chart_png

        return chart_png(
            f"{chart.place}, {chart.year}",
            [bar.name for bar in chart.bars],
            series,
            target=target,
            target_label=target_label,
            axis_label=axis_label,
            value_text=lambda value: percent(value / 100, locale),
        )

    return draw


async def send_export(
    reply: Reply, code: str | None, year: int, which: ListFilter, *, as_csv: bool = False
) -> None:
    """The households of a commune or hamlet as an .xlsx (or .csv) document."""
    await reply.bot.send_chat_action(reply.chat_id, "upload_document")
    buffer = io.BytesIO()
    done = await export_households(
        reply.uow, reply.actor, code, year, which, now(), reply.zone, buffer, as_csv=as_csv
    )
    details = [] if which == ListFilter.ALL else [which.value]
    name = file_name(done.area.name, year, *details, extension="csv" if as_csv else "xlsx")
    params = {"place": done.area.name, "count": done.rows, "year": str(year)}
    lines = [reply.text(MSG_EXPORTED, params)]
    if details:
        lines.append(reply.text(FILTER_LABELS[which]))
    document = BufferedInputFile(buffer.getvalue(), name)
    await reply.bot.send_document(reply.chat_id, document, caption="\n".join(lines))


async def on_chart(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    """The chart of the area on screen."""
    title = title_of(manager)
    await _send(callback, manager, lambda reply: send_chart(reply, *_on_screen(manager), title))


async def on_export(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    """The Excel list of the area on screen, every household."""
    code, year = _on_screen(manager)
    await _send(callback, manager, lambda reply: send_export(reply, code, year, ListFilter.ALL))


def _on_screen(manager: DialogManager) -> tuple[str, int]:
    return area_code(manager), year_of(manager)


async def _send(
    callback: CallbackQuery, manager: DialogManager, send: Callable[[Reply], Awaitable[None]]
) -> None:
    if callback.message is None:
        return
    try:
        await send(Reply.of(manager.middleware_data, callback.message.chat.id))
    except ServiceError as refused:
        await tell(manager, callback, refused)
        return
    await callback.answer()
    manager.show_mode = ShowMode.SEND  # the window comes back below the picture or file
