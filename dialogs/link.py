"""Linking another phone to a household with the code the household sees in its menu."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Column, Start

from bot.domain.households import parse_household_code
from bot.services.errors import ServiceError
from bot.services.households import link_account
from dialogs.states import LinkSG, MainSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, now, on_input_error, tell


async def on_code(message: Message, _: Any, manager: DialogManager, code: str) -> None:
    uow = manager.middleware_data["uow"]
    try:
        household = await link_account(uow, message.from_user.id, code, now())  # type: ignore[union-attr]
    except ServiceError as error:
        await tell(manager, message, error)
        return
    manager.dialog_data["name"] = household.head_name or ""
    await manager.switch_to(LinkSG.done)


async def get_done(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"name": dialog_manager.dialog_data.get("name", "")}


def _menu() -> Start:
    return Start(Label("🏠 Main menu"), id="menu", state=MainSG.menu, mode=StartMode.RESET_STACK)


def link_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "🔗 Type the <b>household code</b> (6 letters and digits). Your family sees it "
                "in the bot under “My household”."
            ),
            TextInput(
                id="code",
                type_factory=parse_household_code,
                on_success=on_code,
                on_error=on_input_error,
            ),
            Column(_menu()),
            state=LinkSG.code,
        ),
        Window(
            I18nFormat("✅ Done: this phone now follows the household of <b>{name}</b>."),
            Column(_menu()),
            UnexpectedText(),
            state=LinkSG.done,
            getter=get_done,
        ),
    )
