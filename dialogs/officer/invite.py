"""The officer invites a hamlet head: the hamlet, then a link and its QR code to pass on."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Column, SwitchTo

from bot.domain.hamlets import invite_link
from bot.i18n import N_
from bot.qr import qr_png
from bot.services.errors import ServiceError
from bot.services.hamlets import NewInvite, create_invite, create_officer_invite
from dialogs.offered import Choices
from dialogs.officer.common import (
    COMMUNE,
    PAGE,
    Pages,
    ToMenu,
    area_name,
    commune_name,
    hamlet_names,
    paged,
)
from dialogs.states import OfficerSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    bot_username,
    explain,
    now,
    tell,
    uow_of,
)

INVITED = "invited"  # dialog_data: the hamlet of the invitation just sent
MSG_INVITE_LINK = N_(
    "✉️ Invitation to become head of <b>{hamlet}</b>:\n{link}\n\n"
    "Send this link, or the QR code below, to that person only. "
    "It works once, until {expires}."
)
MSG_OFFICER_INVITE_LINK = N_(
    "✉️ Invitation to become an officer of <b>{hamlet}</b>:\n{link}\n\n"
    "Send this link, or the QR code below, to that colleague only. "
    "It works once, until {expires}."
)
MSG_INVITE_QR = N_("QR code of the invitation for {hamlet}: open the phone's camera and scan it.")


async def get_hamlets(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    names = await hamlet_names(uow, dialog_manager.dialog_data[COMMUNE])
    return {
        "commune": await commune_name(uow, dialog_manager),
        **paged(dialog_manager, [*names.items()]),
    }


async def get_invited(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    return {"hamlet": await area_name(uow, dialog_manager.dialog_data[INVITED])}


async def on_invite(callback: CallbackQuery, _: Any, manager: DialogManager, hamlet: str) -> None:
    uow = uow_of(manager)
    try:
        created = await create_invite(uow, acting_user(manager), hamlet, now())
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    await _send_invitation(callback, manager, created, MSG_INVITE_LINK)
    manager.dialog_data.update({INVITED: hamlet, PAGE: 0})
    await manager.switch_to(OfficerSG.invite_done)


async def on_invite_officer(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    """An invitation for a colleague to become one of the commune's officers."""
    commune = manager.dialog_data[COMMUNE]
    try:
        created = await create_officer_invite(
            uow_of(manager), acting_user(manager), commune, now()
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    await _send_invitation(callback, manager, created, MSG_OFFICER_INVITE_LINK)


async def _send_invitation(
    callback: CallbackQuery, manager: DialogManager, created: NewInvite, msgid: str
) -> None:
    """The link, then its QR code to print; the dialog shows again below them."""
    bot: Bot = manager.middleware_data["bot"]
    code = created.invite.hamlet_code
    name = await area_name(uow_of(manager), code) or code
    link = invite_link(await bot_username(bot), created.token)
    params = {"hamlet": name, "link": link, "expires": created.invite.expires_at}
    chat = callback.message.chat.id if callback.message else callback.from_user.id
    await bot.send_message(chat, explain(manager, msgid, params))
    photo = BufferedInputFile(qr_png(link), filename="invitation.png")
    await bot.send_photo(chat, photo, caption=explain(manager, MSG_INVITE_QR, {"hamlet": name}))
    manager.show_mode = ShowMode.SEND  # below the link and the QR code


def hamlet_window() -> Window:
    return Window(
        I18nFormat("✉️ Which hamlet of {commune} will the new head lead?"),
        I18nFormat("This commune has no hamlets in the list yet.", when="empty"),
        Choices(on_invite),
        Pages(),
        Column(ToMenu()),
        UnexpectedText(),
        state=OfficerSG.invite_hamlet,
        getter=get_hamlets,
    )


def done_window() -> Window:
    return Window(
        I18nFormat(
            "✅ The invitation for <b>{hamlet}</b> is above: a link and its QR code. "
            "When the person opens it and confirms, they become the hamlet's head and you "
            "get a message."
        ),
        Column(
            SwitchTo(
                Label("✉️ Invite another hamlet head"),
                id="again",
                state=OfficerSG.invite_hamlet,
            ),
            SwitchTo(Label("📨 Open invitations"), id="invites", state=OfficerSG.invites),
            ToMenu(),
        ),
        UnexpectedText(),
        state=OfficerSG.invite_done,
        getter=get_invited,
    )
