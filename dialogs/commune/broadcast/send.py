"""The broadcast's preview and its sending: the officer's progress message is sent first,
so that the broadcast can name it; the background reporter edits it from then on."""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from bot.delivery.progress import cancel_markup
from bot.domain.broadcasts import Broadcast, ReportMessage
from bot.domain.messages import N_
from bot.i18n import number
from bot.services.broadcasts import MSG_BROADCAST, audience, progress, start_broadcast
from bot.services.errors import NotAllowed, ServiceError
from dialogs.commune.broadcast.choose import TEXT, area_name, audience_label, spec_of
from dialogs.states import BroadcastSG
from dialogs.widgets import acting_user, explain, now, uow_of

MSG_PREPARING = N_("📤 Preparing the broadcast…")


async def get_confirm(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    data = dialog_manager.middleware_data
    locale = data["i18n"].current_locale
    name = await area_name(dialog_manager)
    found = await audience(
        uow_of(dialog_manager),
        acting_user(dialog_manager),
        spec_of(dialog_manager),
        now(),
        data["settings"].default_locale,
    )
    text = str(dialog_manager.dialog_data.get(TEXT, ""))
    return {
        # the composer escapes the officer's text: shown as is, as recipients will see it
        "preview": data["composer"].compose(locale, MSG_BROADCAST, {"area": name, "text": text}),
        "audience": audience_label(dialog_manager),
        "area": name,
        "count": number(len(found), locale),
        "some": bool(found),
        "none": not found,
    }


async def on_send(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    """On a refusal the progress message says why; with nobody left to reach, the preview
    shows it again."""
    data = manager.middleware_data
    bot, i18n = data["bot"], data["i18n"]
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    shown = await bot.send_message(chat_id, explain(manager, MSG_PREPARING))
    report = ReportMessage(chat_id, shown.message_id, i18n.current_locale)
    try:
        broadcast = await start_broadcast(
            uow_of(manager),
            data["composer"],
            acting_user(manager),
            spec_of(manager),
            str(manager.dialog_data.get(TEXT, "")),
            now(),
            data["settings"].default_locale,
            report,
        )
    except ServiceError as refused:
        why = explain(manager, refused.msgid, refused.params)
        await bot.edit_message_text(why, chat_id=chat_id, message_id=report.message_id)
        if isinstance(refused, NotAllowed):
            await manager.done(show_mode=ShowMode.SEND)
        else:
            await manager.switch_to(BroadcastSG.confirm, show_mode=ShowMode.SEND)
        return
    await _offer_cancel(manager, broadcast, report)
    await manager.done(show_mode=ShowMode.SEND)


async def _offer_cancel(
    manager: DialogManager, broadcast: Broadcast, report: ReportMessage
) -> None:
    """The cancel button at once; taken off again if the sending is already over (the
    reporter's final edit may have come first)."""
    bot, i18n = manager.middleware_data["bot"], manager.middleware_data["i18n"]
    where = {"chat_id": report.chat_id, "message_id": report.message_id}
    markup = cancel_markup(i18n, broadcast.id, report.locale)
    with contextlib.suppress(TelegramBadRequest):
        await bot.edit_message_reply_markup(**where, reply_markup=markup)
        if not (await progress(uow_of(manager), broadcast)).waiting:
            await bot.edit_message_reply_markup(**where, reply_markup=None)
