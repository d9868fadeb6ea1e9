"""The person invited confirms, and becomes the hamlet's head."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Start

from bot.commands import give_admin_commands
from bot.domain.hamlets import MSG_INVITE_INVALID
from bot.domain.users import Role
from bot.services.errors import ServiceError
from bot.services.hamlets import accept_invite, invite_for
from dialogs.officer.common import area_name
from dialogs.states import InviteSG, MainSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, notifier, now, tell, uow_of

HAMLET = "hamlet"  # dialog_data: the hamlet the person now heads (or the commune)
ROLE = "role"  # dialog_data: the role taken


def _token(manager: DialogManager) -> str:
    return str((manager.start_data or {}).get("token", ""))  # type: ignore[union-attr]


async def get_invitation(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    try:
        invite = await invite_for(uow, _token(dialog_manager), now())
    except ServiceError:
        return {"valid": False, "invalid": True, "hamlet": "", "head": False, "officer": False}
    officer = invite.role == Role.COMMUNE_OFFICER
    return {
        "valid": True,
        "invalid": False,
        "hamlet": await area_name(uow, invite.hamlet_code),
        "head": not officer,
        "officer": officer,
    }


async def get_appointed(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    officer = dialog_manager.dialog_data.get(ROLE) == Role.COMMUNE_OFFICER.value
    return {
        "hamlet": await area_name(uow, dialog_manager.dialog_data[HAMLET]),
        "head": not officer,
        "officer": officer,
    }


async def on_accept(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    try:
        invite = await accept_invite(
            uow_of(manager), notifier(manager), callback.from_user.id, _token(manager), now()
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        await manager.done(show_mode=ShowMode.SEND)
        return
    manager.dialog_data.update({HAMLET: invite.hamlet_code, ROLE: invite.role.value})
    if invite.role == Role.COMMUNE_OFFICER:
        data = manager.middleware_data
        await give_admin_commands(data["bot"], data["i18n"], callback.from_user.id)
    await manager.switch_to(InviteSG.done)


def invite_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "🏘 Become head of <b>{hamlet}</b>?\n\n"
                "Your commune invited you. As hamlet head you see the hamlet's families, help "
                "those without a smartphone to register, and confirm their self-assessments.",
                when="head",
            ),
            I18nFormat(
                "🏛 Become an officer of <b>{hamlet}</b>?\n\n"
                "A colleague invited you. As commune officer you follow the commune's numbers, "
                "set its targets and deadlines, invite hamlet heads and recognise families.",
                when="officer",
            ),
            I18nFormat(MSG_INVITE_INVALID, when="invalid"),
            Column(
                Button(Label("✅ Yes, I accept"), id="accept", on_click=on_accept, when="valid"),
                Cancel(Label("❌ No, thank you"), when="valid"),
                Cancel(Label("🏠 Main menu"), id="menu", when="invalid"),
            ),
            UnexpectedText(),
            state=InviteSG.confirm,
            getter=get_invitation,
        ),
        Window(
            I18nFormat(
                "✅ You are now head of <b>{hamlet}</b>.\n"
                "Open /start → “🏘 My hamlet” to see its families.",
                when="head",
            ),
            I18nFormat(
                "✅ You are now an officer of <b>{hamlet}</b>.\n"
                "Open /start → “🏛 Commune administration”, or type /stats.",
                when="officer",
            ),
            Start(Label("🏠 Main menu"), id="menu", state=MainSG.menu, mode=StartMode.RESET_STACK),
            UnexpectedText(),
            state=InviteSG.done,
            getter=get_appointed,
        ),
    )
