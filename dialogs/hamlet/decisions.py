"""The hamlet head's decision on a self-assessment: confirm it, or return it with a comment;
the family is told either way."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Column

from bot.domain.parsers import InputError
from bot.domain.status import Status
from bot.domain.text import normalize_text
from bot.i18n import N_
from bot.services.assessments import decide
from bot.services.errors import ServiceError
from dialogs.hamlet.card import load_card
from dialogs.hamlet.common import BackTo, set_note
from dialogs.states import HamletSG
from dialogs.widgets import (
    I18nFormat,
    UnexpectedText,
    acting_user,
    notifier,
    now,
    on_input_error,
    tell,
)

MAX_COMMENT = 500
MSG_COMMENT_EMPTY = N_("Please write a few words for the family: what should they check?")
MSG_COMMENT_LONG = N_("Please keep the comment under {maximum} characters.")


def parse_comment(text: str) -> str:
    comment = normalize_text(text)
    if not comment:
        raise InputError(MSG_COMMENT_EMPTY)
    if len(comment) > MAX_COMMENT:
        raise InputError(MSG_COMMENT_LONG, {"maximum": MAX_COMMENT})
    return comment


async def _decide(
    event: CallbackQuery | Message,
    manager: DialogManager,
    target: Status,
    comment: str | None = None,
) -> bool:
    try:
        await decide(
            manager.middleware_data["uow"],
            notifier(manager),
            acting_user(manager),
            int(manager.dialog_data["registration"]),
            target,
            now(),
            comment=comment,
        )
    except ServiceError as error:
        await tell(manager, event, error)
        return False
    return True


async def _household_name(manager: DialogManager) -> str:
    card = await load_card(manager, int(manager.dialog_data["household"]))
    return card.household.head_name or ""


async def _leave(manager: DialogManager) -> None:
    back = HamletSG.card if manager.dialog_data.get("verify_back") == "card" else HamletSG.verify
    await manager.switch_to(back)


async def on_confirm(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    if await _decide(callback, manager, Status.VERIFIED):
        name = await _household_name(manager)
        set_note(manager, N_("✅ Confirmed: {name}. The family has been told."), name=name)
        await _leave(manager)


async def on_back(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await _leave(manager)


async def get_return(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"name": await _household_name(dialog_manager)}


async def on_comment(message: Message, _: Any, manager: DialogManager, comment: str) -> None:
    if await _decide(message, manager, Status.RETURNED, comment):
        name = await _household_name(manager)
        set_note(
            manager,
            N_("↩️ Returned to {name} with your comment. The family has been told."),
            name=name,
        )
        await _leave(manager)


def comment_window() -> Window:
    return Window(
        I18nFormat(
            "↩️ <b>Return to {name}</b>\nWrite what the family should check or change. "
            "They will get your comment with the message."
        ),
        Column(BackTo(HamletSG.verify_card)),
        TextInput(
            id="comment",
            type_factory=parse_comment,
            on_success=on_comment,
            on_error=on_input_error,
        ),
        UnexpectedText(),
        state=HamletSG.return_comment,
        getter=get_return,
    )
