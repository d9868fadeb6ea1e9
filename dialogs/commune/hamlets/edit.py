"""Typing a hamlet's name: a new hamlet (its code made up, or typed first) or a new name."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo

from bot.domain.hamlet_admin import code_candidates, parse_hamlet_code, parse_hamlet_name
from bot.services.areas import area_path
from bot.services.hamlet_admin import add_hamlet, hamlet_card, rename_hamlet
from dialogs.commune.common import area_code
from dialogs.commune.hamlets.common import CODE, HAMLET, attempt, hamlet_of
from dialogs.states import HamletsSG
from dialogs.widgets import I18nFormat, Label, acting_user, now, on_input_error, uow_of


async def get_add(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    commune = area_code(dialog_manager)
    path = await area_path(uow_of(dialog_manager), commune)
    code = dialog_manager.dialog_data.get(CODE)
    return {
        "commune": path[-1].name if path else commune,
        "code": code or "",
        "chosen": bool(code),
        "made_up": not code,
        "example": next(code_candidates(commune)),
    }


async def on_name(message: Message, _: Any, manager: DialogManager, name: str) -> None:
    call = add_hamlet(
        uow_of(manager),
        acting_user(manager),
        area_code(manager),
        name,
        now(),
        code=manager.dialog_data.get(CODE),
    )
    hamlet = await attempt(manager, message, call)
    if hamlet is not None:
        manager.dialog_data.pop(CODE, None)
        manager.dialog_data[HAMLET] = hamlet.code
        await manager.switch_to(HamletsSG.card)


async def on_code(message: Message, _: Any, manager: DialogManager, code: str) -> None:
    manager.dialog_data[CODE] = code
    await manager.switch_to(HamletsSG.add)


async def on_made_up(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.pop(CODE, None)


async def get_rename(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    card = await hamlet_card(
        uow_of(dialog_manager), acting_user(dialog_manager), hamlet_of(dialog_manager), now()
    )
    return {"name": card.hamlet.name}


async def on_rename(message: Message, _: Any, manager: DialogManager, name: str) -> None:
    call = rename_hamlet(uow_of(manager), acting_user(manager), hamlet_of(manager), name, now())
    if await attempt(manager, message, call) is not None:
        await manager.switch_to(HamletsSG.card)


def add_window() -> Window:
    return Window(
        I18nFormat(
            "➕ <b>A new hamlet in {commune}</b>\nType its name, for example: Thôn Đông, Xóm 3 "
            "or Tổ dân phố 5."
        ),
        I18nFormat("Its code will be made up for you.", when="made_up"),
        I18nFormat("Its code will be {code}.", when="chosen"),
        TextInput(
            id="name", type_factory=parse_hamlet_name, on_success=on_name, on_error=on_input_error
        ),
        Column(
            SwitchTo(
                Label("🔢 Choose the code myself"),
                id="choose_code",
                state=HamletsSG.code,
                when="made_up",
            ),
            Button(
                Label("🔢 Make up the code for me"),
                id="made_up",
                on_click=on_made_up,
                when="chosen",
            ),
            SwitchTo(Label("⬅️ Back"), id="to_list", state=HamletsSG.list),
        ),
        state=HamletsSG.add,
        getter=get_add,
    )


def code_window() -> Window:
    return Window(
        I18nFormat(
            "🔢 Type the code of the new hamlet, for example: {example}\nOnly letters A-Z, "
            "digits and _ - . (no spaces). A code cannot be changed later."
        ),
        TextInput(
            id="code", type_factory=parse_hamlet_code, on_success=on_code, on_error=on_input_error
        ),
        SwitchTo(Label("⬅️ Back"), id="to_add", state=HamletsSG.add),
        state=HamletsSG.code,
        getter=get_add,
    )


def rename_window() -> Window:
    return Window(
        I18nFormat(
            "✏️ <b>{name}</b>\nType the new name. Its code, its households and their history "
            "stay as they are."
        ),
        TextInput(
            id="rename",
            type_factory=parse_hamlet_name,
            on_success=on_rename,
            on_error=on_input_error,
        ),
        SwitchTo(Label("⬅️ Back"), id="to_card", state=HamletsSG.card),
        state=HamletsSG.rename,
        getter=get_rename,
    )
