"""The hamlet's households: a list by pages with their status, a filter or a search."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Column, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.hamlets import ListFilter
from bot.i18n import N_
from bot.services.errors import ServiceError
from bot.services.hamlets import household_page
from dialogs.hamlet.card import load_card
from dialogs.hamlet.common import (
    BackTo,
    hamlet_code,
    household_items,
    shown_number,
)
from dialogs.offered import OfferedSelect
from dialogs.states import HamletSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    now,
    tell,
    this_year,
)

FILTER_LABELS = {
    ListFilter.ALL: N_("🏠 All households"),
    ListFilter.NOT_REGISTERED: N_("⚪ Not registered"),
    ListFilter.REGISTERED: N_("📝 Registered"),
    ListFilter.SELF_ASSESSED: N_("📋 Self-assessed"),
    ListFilter.VERIFIED: N_("✅ Confirmed"),
    ListFilter.RETURNED: N_("↩️ Returned"),
    ListFilter.RECOGNISED: N_("🏅 Recognised"),
    ListFilter.UNREACHABLE: N_("📵 Not on Telegram"),
}
MAX_QUERY = 80


def _which(manager: DialogManager) -> ListFilter:
    return ListFilter(manager.dialog_data.get("filter", ListFilter.ALL.value))


async def get_households(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data, which = dialog_manager.dialog_data, _which(dialog_manager)
    query = str(data.get("query", ""))
    page = await household_page(
        uow,
        acting_user(dialog_manager),
        hamlet_code(dialog_manager),
        this_year(dialog_manager),
        now(),
        which=which,
        query=query,
        number=int(data.get("page", 0)),
    )
    data["page"] = page.number
    return {
        "items": household_items(page.lines),
        "total": shown_number(dialog_manager, page.total),
        "page": page.number + 1,
        "pages": page.pages,
        "has_prev": page.number > 0,
        "has_next": page.number + 1 < page.pages,
        "paged": page.pages > 1,
        "shown": gettext(FILTER_LABELS[which]),
        "query": query,
        "searching": bool(query),
        "filtering": not query,
        "narrowed": bool(query) or which != ListFilter.ALL,
        "empty": not page.lines,
    }


def reset_list(manager: DialogManager) -> None:
    for key in ("filter", "query", "page"):
        manager.dialog_data.pop(key, None)


async def on_all(_: CallbackQuery, __: Any, manager: DialogManager) -> None:
    """The whole list from its first page: from the menu, or "Show all"."""
    reset_list(manager)


async def on_page(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = 1 if button.widget_id == "next" else -1
    manager.dialog_data["page"] = max(0, int(manager.dialog_data.get("page", 0)) + step)


async def get_filters(**_: Any) -> dict[str, Any]:
    return {"filters": [(which.value, gettext(label)) for which, label in FILTER_LABELS.items()]}


async def on_filter(_: CallbackQuery, __: Any, manager: DialogManager, item: str) -> None:
    try:
        which = ListFilter(item)
    except ValueError:
        return
    reset_list(manager)
    manager.dialog_data["filter"] = which.value
    await manager.switch_to(HamletSG.households)


async def on_query(message: Message, _: Any, manager: DialogManager, text: str) -> None:
    reset_list(manager)
    manager.dialog_data["query"] = text.strip()[:MAX_QUERY]
    await manager.switch_to(HamletSG.households)


async def on_household(
    callback: CallbackQuery, _: Any, manager: DialogManager, household_id: int
) -> None:
    try:
        await load_card(manager, household_id)
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    manager.dialog_data["household"] = household_id
    await manager.switch_to(HamletSG.card)


def households_window() -> Window:
    return Window(
        I18nFormat("🏠 <b>Households</b> · {total}"),
        I18nFormat("Showing: {shown}", when="filtering"),
        I18nFormat("Search: <b>{query}</b>", when="searching"),
        I18nFormat("Page {page}/{pages}", when="paged"),
        I18nFormat("No household matches.", when="empty"),
        I18nFormat(
            "\n⚪ not registered · 📝 registered · 📋 self-assessed · ✅ confirmed · "
            "↩️ returned · 🏅 recognised · ❌ not recognised · 📵 not on Telegram"
        ),
        Column(
            OfferedSelect(
                Format("{item[1]}"),
                id="household",
                item_id_getter=lambda item: item[0],
                items="items",
                type_factory=int,
                on_click=on_household,
            )
        ),
        Row(
            Button(Label("◀️ Previous"), id="prev", on_click=on_page, when="has_prev"),
            Button(Label("Next ▶️"), id="next", on_click=on_page, when="has_next"),
        ),
        Column(
            Button(Label("✖️ Show all"), id="clear", on_click=on_all, when="narrowed"),
            SwitchTo(Label("🔎 Filter or search"), id="find", state=HamletSG.search),
            BackTo(HamletSG.menu),
        ),
        UnexpectedText(),
        state=HamletSG.households,
        getter=get_households,
    )


def search_window() -> Window:
    return Window(
        I18nFormat(
            "🔎 <b>Find households</b>\nChoose which households to show, or type a name "
            "or a phone number (accents are not needed)."
        ),
        Column(
            Select(
                Format("{item[1]}"),
                id="filter",
                item_id_getter=lambda item: item[0],
                items="filters",
                on_click=on_filter,
            ),
            BackTo(HamletSG.households),
        ),
        TextInput(id="query", on_success=on_query),
        UnexpectedText(),
        state=HamletSG.search,
        getter=get_filters,
    )
