"""Choosing one's province, commune and hamlet: paginated buttons, typing filters the list."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import ManagedTextInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, Select
from aiogram_dialog.widgets.text import Format

from bot.domain.areas import MAX_NAME_LENGTH, place_label
from bot.domain.paging import paginate
from bot.domain.text import normalize_text
from bot.i18n import N_
from bot.services.areas import area_path, areas_below
from bot.services.drafts import discard_draft, load_draft
from bot.services.users import set_home_area
from dialogs.drafts import dialog_name, stash_current_dialog
from dialogs.states import AreaSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, current_user_id

PER_PAGE = 6
# state -> (level listed, dialog_data key of its parent, next state)
STEPS: dict[State, tuple[str, str | None, State]] = {
    AreaSG.province: ("province", None, AreaSG.commune),
    AreaSG.commune: ("commune", "province", AreaSG.hamlet),
    AreaSG.hamlet: ("hamlet", "commune", AreaSG.confirm),
}
PREVIOUS = {
    AreaSG.commune: AreaSG.province,
    AreaSG.hamlet: AreaSG.commune,
    AreaSG.confirm: AreaSG.hamlet,
}


def _step(manager: DialogManager) -> tuple[str, str | None, State]:
    return STEPS[manager.current_context().state]


async def _choices(manager: DialogManager, uow: Any, state: State) -> list[Any]:
    level, parent_key, _ = STEPS[state]
    parent = manager.dialog_data.get(parent_key) if parent_key else None
    return await areas_below(uow, parent, level, manager.dialog_data.get("_query", ""))


async def get_choices(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    state = dialog_manager.current_context().state
    areas = await _choices(dialog_manager, uow, state)
    page = paginate(areas, dialog_manager.dialog_data.get("_page", 0), PER_PAGE)
    query = dialog_manager.dialog_data.get("_query", "")
    return {
        "items": [(area.code, area.name) for area in page.items],
        "page": page.page + 1,
        "pages": page.pages,
        "has_prev": page.page > 0,
        "has_next": page.page + 1 < page.pages,
        "query": query,
        "filtered": bool(query),
        "empty": not page.items,
        "many_pages": page.pages > 1,
    }


async def get_resume(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    codes = [dialog_manager.dialog_data.get(key) for key in ("hamlet", "commune", "province")]
    code = next((c for c in codes if c), None)
    path = await area_path(uow, code) if code else []
    return {"place": place_label(path)}


async def get_confirm(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    path = await area_path(uow, data.get("hamlet") or data["commune"])
    return {"place": place_label(path)}


async def on_start(_: Any, manager: DialogManager) -> None:
    uow = manager.middleware_data["uow"]
    draft = await load_draft(uow, current_user_id(manager), "AreaSG")
    if draft:
        manager.dialog_data.update(draft)
        await manager.switch_to(AreaSG.resume)
        return
    await _skip_single_choice(manager, AreaSG.province)


async def _skip_single_choice(manager: DialogManager, state: State) -> None:
    """Go to `state`, choosing for the user when there is only one option (one province)."""
    uow = manager.middleware_data["uow"]
    while state in STEPS:
        level, _, next_state = STEPS[state]
        options = await _choices(manager, uow, state)
        if len(options) != 1 or level == "hamlet":
            break
        manager.dialog_data[level] = options[0].code
        manager.dialog_data["_auto"] = [*manager.dialog_data.get("_auto", []), level]
        state = next_state
    await manager.switch_to(state)


async def on_close(result: Any, manager: DialogManager) -> None:
    if result is None:  # left unfinished (Main menu button): keep what was chosen
        await stash_current_dialog(
            manager, manager.middleware_data["uow"], current_user_id(manager)
        )


async def on_chosen(_: CallbackQuery, __: Any, manager: DialogManager, code: str) -> None:
    level, _parent, next_state = _step(manager)
    auto = [chosen for chosen in manager.dialog_data.get("_auto", []) if chosen != level]
    manager.dialog_data.update({level: code, "_query": "", "_page": 0, "_auto": auto})
    if next_state == AreaSG.hamlet:
        options = await _choices(manager, manager.middleware_data["uow"], AreaSG.hamlet)
        if not options:  # a commune without hamlets is itself the place
            next_state = AreaSG.confirm
    await manager.switch_to(next_state)


async def on_filter(
    message: Message, _: ManagedTextInput[str], manager: DialogManager, query: str
) -> None:
    # No name is longer: a longer filter matches nothing, and shown whole it could make the
    # window longer than Telegram's 4,096 characters.
    manager.dialog_data.update({"_query": query[:MAX_NAME_LENGTH], "_page": 0})


async def on_page(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = 1 if button.widget_id == "next" else -1
    manager.dialog_data["_page"] = manager.dialog_data.get("_page", 0) + step


async def on_clear(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.update({"_query": "", "_page": 0})


async def on_back(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    state = manager.current_context().state
    manager.dialog_data.update({"_query": "", "_page": 0})
    await manager.switch_to(PREVIOUS.get(state, AreaSG.province))


async def on_save(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    uow = manager.middleware_data["uow"]
    data = manager.dialog_data
    await set_home_area(uow, callback.from_user.id, data.get("hamlet") or data["commune"])
    await discard_draft(uow, callback.from_user.id, dialog_name(manager) or "AreaSG")
    await manager.done(result="saved")


async def on_continue(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    state = (
        AreaSG.confirm
        if data.get("hamlet")
        else (
            AreaSG.hamlet
            if data.get("commune")
            else AreaSG.commune
            if data.get("province")
            else AreaSG.province
        )
    )
    await manager.switch_to(state)


async def on_restart(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await discard_draft(manager.middleware_data["uow"], current_user_id(manager), "AreaSG")
    manager.dialog_data.clear()
    await _skip_single_choice(manager, AreaSG.province)


def _list_window(title: str, state: State) -> Window:
    return Window(
        I18nFormat(title),
        I18nFormat("Type part of the name to filter (accents optional).", when="many_pages"),
        I18nFormat("🔎 Filter: “{query}”", when="filtered"),
        I18nFormat("Nothing matches. Try fewer letters.", when="empty"),
        I18nFormat("Page {page}/{pages}", when="many_pages"),
        Column(
            Select(
                Format("{item[1]}"),
                id="choice",
                item_id_getter=lambda i: i[0],
                items="items",
                on_click=on_chosen,
            )
        ),
        Row(
            Button(Label("◀️ Previous page"), id="prev", on_click=on_page, when="has_prev"),
            Button(Label("Next page ▶️"), id="next", on_click=on_page, when="has_next"),
        ),
        Column(
            Button(Label("✖️ Clear filter"), id="clear", on_click=on_clear, when="filtered"),
            Button(
                Label("◀️ Back"),
                id="back",
                on_click=on_back,
                when=lambda _d, _w, m: m.current_context().state != AreaSG.province,
            ),
            Cancel(Label("🏠 Main menu")),
        ),
        TextInput(id="filter", type_factory=normalize_text, on_success=on_filter),
        state=state,
        getter=get_choices,
    )


def area_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "📝 You started choosing your place earlier: <b>{place}</b>.\n"
                "Continue where you left off?"
            ),
            Column(
                Button(Label("▶️ Continue"), id="continue", on_click=on_continue),
                Button(Label("🔄 Start over"), id="restart", on_click=on_restart),
                Cancel(Label("🏠 Main menu")),
            ),
            UnexpectedText(),
            state=AreaSG.resume,
            getter=get_resume,
        ),
        _list_window(N_("📍 Which <b>province or city</b> do you live in?"), AreaSG.province),
        _list_window(N_("📍 Which <b>commune or ward</b> do you live in?"), AreaSG.commune),
        _list_window(
            N_("📍 Which <b>hamlet or residential group</b> do you live in?"), AreaSG.hamlet
        ),
        Window(
            I18nFormat("📍 You live in: <b>{place}</b>.\nIs that right?"),
            Column(
                Button(Label("✅ Yes, save"), id="save", on_click=on_save),
                Button(Label("◀️ Back"), id="back", on_click=on_back),
                Cancel(Label("🏠 Main menu")),
            ),
            UnexpectedText(),
            state=AreaSG.confirm,
            getter=get_confirm,
        ),
        on_start=on_start,
        on_close=on_close,
    )
