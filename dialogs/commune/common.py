"""What the commune screens share: the area and year at hand, and leaving kindly when the
service refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode

from bot.services.errors import ServiceError
from bot.services.stats import home_area
from dialogs.widgets import acting_user, tell, this_year, uow_of

AREA = "area"  # start data and dialog_data: the area's code
YEAR = "year"  # start data and dialog_data: the campaign year


def area_code(manager: DialogManager) -> str:
    return str(manager.dialog_data[AREA])


def year_of(manager: DialogManager) -> int:
    return int(manager.dialog_data[YEAR])


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
