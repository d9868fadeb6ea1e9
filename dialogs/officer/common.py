"""What the officer's screens share: the commune at hand, lists a page at a time, and Back to
the menu."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo

from bot.domain.paging import paginate
from bot.i18n import N_
from bot.services.areas import area_path, areas_below
from dialogs.states import OfficerSG
from dialogs.widgets import Label

PER_PAGE = 8
COMMUNE = "commune"  # dialog_data: the code of the commune being worked on
PAGE = "_page"
PICK = "_pick"  # dialog_data: the id of the line picked, waiting for Yes or No
MSG_OFFICERS_ONLY = N_("Sorry, this menu is for commune officers.")


async def hamlet_names(uow: Any, commune: str) -> dict[str, str]:
    return {area.code: area.name for area in await areas_below(uow, commune, "hamlet")}


async def area_name(uow: Any, code: str) -> str:
    path = await area_path(uow, code)
    return path[-1].name if path else ""


async def commune_name(uow: Any, manager: DialogManager) -> str:
    return await area_name(uow, manager.dialog_data[COMMUNE])


def paged(manager: DialogManager, items: list[tuple[str, str]]) -> dict[str, Any]:
    page = paginate(items, manager.dialog_data.get(PAGE, 0), PER_PAGE)
    return {
        "items": list(page.items),
        "empty": not items,
        "page": page.page + 1,
        "pages": page.pages,
        "has_prev": page.has_prev,
        "has_next": page.has_next,
    }


async def on_page(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = 1 if button.widget_id == "next" else -1
    manager.dialog_data[PAGE] = manager.dialog_data.get(PAGE, 0) + step


async def on_leave_list(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.update({PAGE: 0, PICK: None})


def Pages() -> Row:  # noqa: N802 - reads as a widget
    return Row(
        Button(Label("◀️ Previous page"), id="prev", on_click=on_page, when="has_prev"),
        Button(Label("Next page ▶️"), id="next", on_click=on_page, when="has_next"),
    )


def ToMenu() -> SwitchTo:  # noqa: N802 - reads as a widget
    return SwitchTo(Label("◀️ Back"), id="to_menu", state=OfficerSG.menu, on_click=on_leave_list)
