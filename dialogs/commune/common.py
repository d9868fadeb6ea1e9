"""What the commune screens share: the area and year at hand, and leaving kindly when the
service refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button
from aiogram_dialog.widgets.text import Text

from bot.domain.criteria_model import Title
from bot.services.errors import ServiceError
from bot.services.stats import home_area
from dialogs.summaries import TITLE_NAMES
from dialogs.widgets import acting_user, tell, this_year, uow_of

AREA = "area"  # start data and dialog_data: the area's code
YEAR = "year"  # start data and dialog_data: the campaign year
TITLE = "title"  # dialog_data: the title the numbers and targets are of
TITLES = tuple(title.value for title in Title)  # the switch's order: families first


def area_code(manager: DialogManager) -> str:
    return str(manager.dialog_data[AREA])


def year_of(manager: DialogManager) -> int:
    return int(manager.dialog_data[YEAR])


def title_of(manager: DialogManager) -> str:
    """The title at hand: the learning family until the user switches."""
    title = str(manager.dialog_data.get(TITLE, Title.GIA_DINH.value))
    return title if title in TITLES else Title.GIA_DINH.value


async def on_next_title(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    """One button steps through the five titles: no typing, back round to families."""
    at = TITLES.index(title_of(manager))
    manager.dialog_data[TITLE] = TITLES[(at + 1) % len(TITLES)]


class TitleName(Text):
    """The title at hand in the user's language, on the button that switches it."""

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return "🔄 " + gettext(TITLE_NAMES[title_of(manager)])


def title_switch() -> Button:
    return Button(TitleName(), id="title", on_click=on_next_title)


async def start_on_area(
    manager: DialogManager, check: Callable[[str, int], Awaitable[object]]
) -> bool:
    """Settle the area (the start data's, else the officer's own) and year, and let the
    service `check` them; on refusal, tell the user why and close. True when it may go on."""
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    try:
        code = start.get(AREA) or await home_area(uow_of(manager), acting_user(manager))
        year = int(start.get(YEAR) or this_year(manager))
        await check(code, year)
    except ServiceError as refused:
        event = manager.event
        if isinstance(event, Message | CallbackQuery):
            await tell(manager, event, refused)
        await manager.done(show_mode=ShowMode.SEND)
        return False
    manager.dialog_data.update({AREA: code, YEAR: year})
    return True
