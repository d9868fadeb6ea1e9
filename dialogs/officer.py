"""The commune officer's hamlet heads: invitations (link and QR), the list, removal; and the
invitation's confirmation by the person invited. (Being built: see issue 4.)"""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Cancel

from dialogs.states import InviteSG, OfficerSG
from dialogs.widgets import I18nFormat, Label


def officer_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat("🏛 <b>Hamlet heads</b>"),
            Cancel(Label("⬅️ Back")),
            state=OfficerSG.menu,
        )
    )


def invite_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat("🏘 <b>Invitation</b>"),
            Cancel(Label("⬅️ Back")),
            state=InviteSG.confirm,
        )
    )
