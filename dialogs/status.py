"""My status, and /forget's confirmation: windows over the shared texts and services."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Start
from aiogram_dialog.widgets.text import Format

from bot.services.households import overview
from bot.services.privacy import forget_me
from dialogs.states import ForgetSG, MainSG, StatusSG
from dialogs.summaries import status_text, writer_for
from dialogs.widgets import I18nFormat, Label, UnexpectedText, current_user_id, now, this_year


async def get_status(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    found = await overview(uow, current_user_id(dialog_manager))
    # Already translated and escaped line by line: shown with Format, not I18nFormat.
    return {"text": status_text(writer_for(dialog_manager), found, this_year(dialog_manager))}


async def on_forget(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await forget_me(manager.middleware_data["uow"], callback.from_user.id, now())
    await manager.switch_to(ForgetSG.done)


def status_dialog() -> Dialog:
    return Dialog(
        Window(
            Format("{text}"),
            Cancel(Label("◀️ Back")),
            UnexpectedText(),
            state=StatusSG.show,
            getter=get_status,
        )
    )


def forget_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "⚠️ <b>Erase your data?</b>\n"
                "The names, the phone number and the years of birth of your household are "
                "erased, and every Telegram account linked to it is unlinked. Only anonymous "
                "counts stay, for your hamlet's totals. This cannot be undone."
            ),
            Column(
                Button(Label("🗑 Yes, erase everything"), id="forget", on_click=on_forget),
                Cancel(Label("◀️ No, keep my data")),
            ),
            UnexpectedText(),
            state=ForgetSG.confirm,
        ),
        Window(
            I18nFormat(
                "✅ Erased. Thank you for taking part. You can register again at "
                "any time with /start."
            ),
            Column(
                Start(
                    Label("🏠 Main menu"), id="menu", state=MainSG.menu, mode=StartMode.RESET_STACK
                )
            ),
            UnexpectedText(),
            state=ForgetSG.done,
        ),
    )
