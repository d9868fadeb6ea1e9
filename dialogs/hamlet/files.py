"""What the hamlet head gets as a file: the hamlet's spreadsheet, and the families' link as a
QR code to print."""

from __future__ import annotations

from typing import Any

from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Column

from bot.domain.areas import Area, place_label
from bot.domain.hamlets import family_link
from bot.i18n import N_
from bot.qr import qr_png
from bot.services.areas import area_path
from bot.services.errors import ServiceError
from bot.services.hamlet_export import hamlet_export_rows
from dialogs.files import file_name
from dialogs.hamlet.common import BackTo, hamlet_code
from dialogs.states import HamletSG
from dialogs.widgets import (
    I18nFormat,
    UnexpectedText,
    acting_user,
    bot_username,
    explain,
    now,
    tell,
    this_year,
)


async def _path(manager: DialogManager) -> list[Area]:
    """The hamlet and the areas above it."""
    return await area_path(manager.middleware_data["uow"], hamlet_code(manager))


async def on_export(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    year = this_year(manager)
    try:
        rows = await hamlet_export_rows(
            manager.middleware_data["uow"], acting_user(manager), hamlet_code(manager), year, now()
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    await callback.answer()
    if callback.message is None:
        return
    # openpyxl is imported on the first export, not at start-up: few users ever export.
    from bot.reports.hamlet_xlsx import hamlet_xlsx

    path = await _path(manager)
    hamlet = path[-1].name if path else hamlet_code(manager)
    document = BufferedInputFile(
        hamlet_xlsx(rows, manager.middleware_data["settings"].zone), file_name(hamlet, year)
    )
    caption = explain(
        manager,
        N_("📤 {place}: {count} households, {year}"),
        {"place": place_label(path), "count": len(rows), "year": str(year)},
    )
    await manager.middleware_data["bot"].send_document(
        callback.message.chat.id, document, caption=caption
    )
    manager.show_mode = ShowMode.SEND  # the menu comes back below the file


async def _link(manager: DialogManager) -> str:
    return family_link(await bot_username(manager.middleware_data["bot"]), hamlet_code(manager))


async def on_link(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    await callback.answer()
    if callback.message is None:
        return
    place = place_label(await _path(manager))
    photo = BufferedInputFile(qr_png(await _link(manager)), "qr.png")
    caption = explain(
        manager,
        N_(
            "🔗 The QR code for the families of {place}: print it and put it up where people meet."
        ),
        {"place": place},
    )
    await manager.middleware_data["bot"].send_photo(
        callback.message.chat.id, photo, caption=caption
    )
    manager.show_mode = ShowMode.SEND
    await manager.switch_to(HamletSG.family_link)


async def get_link(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    place = place_label(await _path(dialog_manager))
    return {"place": place, "link": await _link(dialog_manager)}


def link_window() -> Window:
    return Window(
        I18nFormat(
            "🔗 <b>The link for the families of {place}</b>\n{link}\n\n"
            "A family that opens it registers straight into your hamlet. Send it to them, "
            "or print the QR code above."
        ),
        Column(BackTo(HamletSG.menu)),
        UnexpectedText(),
        state=HamletSG.family_link,
        getter=get_link,
    )
