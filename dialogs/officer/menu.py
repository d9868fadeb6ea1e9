"""The officer's menu, after the choice of a commune when they manage several."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, SwitchTo

from bot.domain.areas import Area, by_name, filter_areas
from bot.domain.text import normalize_text
from bot.domain.users import Role, User, areas_with_role
from bot.services.areas import area_path, areas_below
from bot.services.errors import NotAllowed
from bot.services.scope import refuse
from dialogs.commune.common import AREA
from dialogs.offered import Choices
from dialogs.officer.common import COMMUNE, MSG_OFFICERS_ONLY, PAGE, Pages, commune_name, paged
from dialogs.officer.invite import on_invite_officer
from dialogs.states import (
    BroadcastSG,
    DeadlinesSG,
    GroupReviewSG,
    HamletsSG,
    ImportSG,
    OfficerSG,
    RecognizeSG,
    RemindersSG,
    StatsSG,
    TargetsSG,
)
from dialogs.widgets import (
    I18nFormat,
    Label,
    acting_user,
    now,
    on_unexpected_message,
    tell,
    uow_of,
)

SEVERAL = "_several"  # dialog_data: the officer may choose another commune
QUERY = "_query"  # dialog_data: what the officer typed to filter the communes


async def _communes(uow: Any, user: User) -> list[Area]:
    """The communes the user may manage: under their officer grants, or all for a super
    admin."""
    if user.has_role(Role.SUPER_ADMIN):
        roots = [area.code for area in await areas_below(uow, None, "province")]
    else:
        roots = areas_with_role(user, Role.COMMUNE_OFFICER)
    found: dict[str, Area] = {}
    for code in roots:
        path = await area_path(uow, code)
        if path and path[-1].level == "commune":
            found[code] = path[-1]
        elif path:
            found.update((area.code, area) for area in await areas_below(uow, code, "commune"))
    return sorted(found.values(), key=by_name)


async def get_menu(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    if data.get(COMMUNE):
        name = await commune_name(uow, dialog_manager)
        listed = {**paged(dialog_manager, []), "empty": False}
        return {"chosen": True, "choosing": False, "commune": name, **listed}
    query = data.get(QUERY, "")
    found = await _communes(uow, acting_user(dialog_manager))
    items = [(area.code, area.name) for area in filter_areas(found, query)]
    return {"chosen": False, "choosing": True, "commune": "", **paged(dialog_manager, items)}


async def on_start(_: Any, manager: DialogManager) -> None:
    user = acting_user(manager)
    found = await _communes(uow_of(manager), user)
    if not found:
        await refuse(uow_of(manager), user.id, "officer_menu", now())
        event = manager.event
        if isinstance(event, Message | CallbackQuery):
            await tell(manager, event, NotAllowed(MSG_OFFICERS_ONLY))
        await manager.done(show_mode=ShowMode.SEND)
        return
    if len(found) == 1:
        manager.dialog_data[COMMUNE] = found[0].code
    manager.dialog_data[SEVERAL] = len(found) > 1


async def on_commune(callback: CallbackQuery, _: Any, manager: DialogManager, code: str) -> None:
    user = acting_user(manager)
    if code not in {area.code for area in await _communes(uow_of(manager), user)}:
        await refuse(uow_of(manager), user.id, "officer_commune", now())
        await tell(manager, callback, NotAllowed(MSG_OFFICERS_ONLY))
        return
    manager.dialog_data.update({COMMUNE: code, PAGE: 0, QUERY: ""})


async def on_filter(message: Message, widget: Any, manager: DialogManager, query: str) -> None:
    if manager.dialog_data.get(COMMUNE):
        await on_unexpected_message(message, widget, manager)
        return
    manager.dialog_data.update({QUERY: query, PAGE: 0})


# The commune's other tools, each a dialog of its own started on the commune at hand.
TOOLS = {
    "stats": StatsSG.show,
    "recognize": RecognizeSG.list,
    "targets": TargetsSG.list,
    "deadlines": DeadlinesSG.list,
    "hamlets": HamletsSG.list,
    "import": ImportSG.wait_file,
    "broadcast": BroadcastSG.group,
    "reminders": RemindersSG.list,
    "groups": GroupReviewSG.list,
}


async def on_open(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.start(TOOLS[str(button.widget_id)], data={AREA: manager.dialog_data[COMMUNE]})


async def on_other_commune(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.update({COMMUNE: None, PAGE: 0, QUERY: ""})


def menu_window() -> Window:
    return Window(
        I18nFormat("🏛 <b>{commune}</b>\nWhat would you like to do?", when="chosen"),
        I18nFormat("🏛 Which commune? Press it, or type part of its name.", when="choosing"),
        I18nFormat("Nothing matches. Try fewer letters.", when="empty"),
        Choices(on_commune, when="choosing"),
        Pages(),
        Column(
            Button(
                Label("📊 The commune in numbers"), id="stats", on_click=on_open, when="chosen"
            ),
            Button(
                Label("👥 Clans, units and hamlets"), id="groups", on_click=on_open, when="chosen"
            ),
            Button(
                Label("🏅 Recognise households"), id="recognize", on_click=on_open, when="chosen"
            ),
            Row(
                Button(Label("🎯 Targets"), id="targets", on_click=on_open),
                Button(Label("📅 Deadlines"), id="deadlines", on_click=on_open),
                when="chosen",
            ),
            Row(
                Button(Label("🏘 Hamlets"), id="hamlets", on_click=on_open),
                Button(Label("📥 Import a roster"), id="import", on_click=on_open),
                when="chosen",
            ),
            Button(Label("📢 Broadcast"), id="broadcast", on_click=on_open, when="chosen"),
            Button(Label("⏰ Reminders"), id="reminders", on_click=on_open, when="chosen"),
            SwitchTo(
                Label("✉️ Invite a hamlet head"),
                id="invite",
                state=OfficerSG.invite_hamlet,
                when="chosen",
            ),
            Button(
                Label("✉️ Invite a commune officer"),
                id="invite_officer",
                on_click=on_invite_officer,
                when="chosen",
            ),
            SwitchTo(
                Label("📨 Open invitations"), id="invites", state=OfficerSG.invites, when="chosen"
            ),
            SwitchTo(
                Label("👥 Current hamlet heads"), id="heads", state=OfficerSG.heads, when="chosen"
            ),
            Button(
                Label("🔄 Another commune"),
                id="other",
                on_click=on_other_commune,
                when=lambda d, _w, m: d["chosen"] and m.dialog_data.get(SEVERAL),
            ),
            Cancel(Label("⬅️ Back")),
        ),
        TextInput(id="filter", type_factory=normalize_text, on_success=on_filter),
        state=OfficerSG.menu,
        getter=get_menu,
    )
