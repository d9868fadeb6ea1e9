"""Recognising a group from its card: the decision's number and day (asked as /recognize asks
them), then a last look before the group is told."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo

from bot.services.errors import ServiceError
from bot.services.group_review import recognise_group
from dialogs.commune.common import area_code
from dialogs.commune.decision import decision_of, decision_shown
from dialogs.commune.groups.review import CHOSEN, KIND_ICONS, MSG_DECIDED, NOTE, chosen_line
from dialogs.states import GroupReviewSG
from dialogs.summaries import TITLE_NAMES
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    explain,
    notifier,
    now,
    tell,
    uow_of,
)


async def get_confirm(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    line = await chosen_line(dialog_manager)
    return {
        "icon": KIND_ICONS[line.kind],
        "name": line.name,
        "title": gettext(TITLE_NAMES[line.registration.title]),
        **decision_shown(dialog_manager),
    }


async def on_recognise(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    try:
        line = await recognise_group(
            uow_of(manager),
            notifier(manager),
            acting_user(manager),
            area_code(manager),
            int(manager.dialog_data[CHOSEN]),
            decision_of(manager),
            now(),
        )
    except ServiceError as refused:
        await tell(manager, callback, refused)
        return
    manager.dialog_data[NOTE] = explain(manager, MSG_DECIDED, {"name": line.name}, html=False)
    await manager.switch_to(GroupReviewSG.card)


def confirm_window() -> Window:
    return Window(
        I18nFormat(
            "🏅 Recognise {icon} <b>{name}</b> as a “{title}” by decision <b>{decision}</b> of "
            "{day}? The group will be told."
        ),
        Column(
            Button(Label("✅ Yes, recognise"), id="confirm", on_click=on_recognise),
            SwitchTo(Label("⬅️ Back"), id="back", state=GroupReviewSG.card),
        ),
        UnexpectedText(),
        state=GroupReviewSG.confirm,
        getter=get_confirm,
    )
