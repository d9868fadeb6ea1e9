"""/import: an officer sends the commune's household roster (Excel or CSV), reads what it
holds, and imports it on confirmation, all of it or nothing.

Only the file's Telegram id and name are kept, with a short excerpt of the report: the file
is downloaded again to apply it or to send the full report, so a restart loses nothing.
"""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile, CallbackQuery, ContentType, Document, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.areas import Area
from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.roster import ImportPlan
from bot.i18n import fill, number
from bot.services.errors import ServiceError
from bot.services.roster_import import apply_roster, check_roster, roster_commune
from dialogs.commune.common import area_code, start_on_area
from dialogs.commune.roster_report import counts_of, excerpt, excerpt_lines, full_lines
from dialogs.states import ImportSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    explain,
    now,
    tell,
    uow_of,
)

FILE_ID = "file_id"  # dialog_data: the roster's Telegram file id, to download it again
FILE_NAME = "file_name"
REPORT = "report"  # dialog_data: the excerpt of the check (dialogs.commune.roster_report)
IMPORTED = "imported"  # dialog_data: (households imported, rows skipped)

MAX_DOWNLOAD = 20 * 1024 * 1024  # the largest file a bot may download
SUFFIXES = (".xlsx", ".xls", ".csv", ".txt", ".tsv")  # .xls: the reader explains it

MSG_SEND_A_FILE = N_(
    "Please send the roster as a file: in Telegram, press 📎 and choose the Excel or CSV file."
)
MSG_TOO_BIG = N_(
    "This file is larger than 20 MB, the most a bot can receive. Split the roster, "
    "for example one file per hamlet, and send the files one by one."
)
MSG_WRONG_TYPE = N_(
    "“{name}” is not a roster the bot can read: please send an Excel file (.xlsx) or a CSV file."
)
MSG_NOT_DOWNLOADED = N_("The file could not be downloaded from Telegram. Please send it again.")
MSG_NOT_IMPORTED = N_("❌ Nothing was imported. {reason}")
MSG_FAILED = N_("The database refused the change. Please try again later.")
MSG_FIX_OR_SKIP = N_(
    "Correct the rows with errors and send the file again, or import the valid rows now "
    "and the others later."
)
MSG_NOTHING = N_("No row of this file can be imported.")

log = logging.getLogger(__name__)


async def commune_of(manager: DialogManager) -> Area:
    return await roster_commune(uow_of(manager), acting_user(manager), area_code(manager), now())


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, __: int) -> None:
        await roster_commune(uow_of(manager), acting_user(manager), code, now())

    await start_on_area(manager, check)


async def get_commune(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"commune": (await commune_of(dialog_manager)).name}


async def get_report(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    saved = dialog_manager.dialog_data[REPORT]
    data = dialog_manager.middleware_data
    locale = data["i18n"].current_locale

    def say(msgid: str, params: dict[str, Any]) -> str:
        return fill(data["i18n"], msgid, params, locale, data["settings"].zone)

    commune = await commune_of(dialog_manager)
    name = str(dialog_manager.dialog_data.get(FILE_NAME) or "")
    title = say(N_("📋 <b>{file}</b> for {commune}"), {"file": name, "commune": commune.name})
    lines, cut = excerpt_lines(saved, say)
    counts = counts_of(saved)
    if counts.invalid and counts.to_add:
        lines += ["", say(MSG_FIX_OR_SKIP, {})]
    elif not counts.to_add:
        lines += ["", say(MSG_NOTHING, {})]
    return {
        "text": "\n".join([title, *lines]),
        "count": number(counts.to_add, locale),
        "clean": bool(counts.to_add and not saved["error_total"]),
        "partial": bool(counts.to_add and saved["error_total"]),
        "cut": cut,
    }


async def get_done(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    locale = dialog_manager.middleware_data["i18n"].current_locale
    imported, skipped = dialog_manager.dialog_data[IMPORTED]
    return {
        "commune": (await commune_of(dialog_manager)).name,
        "count": number(imported, locale),
        "skipped": number(skipped, locale),
        "any_skipped": bool(skipped),
    }


def refusal(document: Document | None) -> InputError | None:
    """Why this message cannot be a roster, told before downloading anything."""
    if document is None:
        return InputError(MSG_SEND_A_FILE)
    if document.file_size is not None and document.file_size > MAX_DOWNLOAD:
        return InputError(MSG_TOO_BIG)
    name = document.file_name or ""
    if name and not name.lower().endswith(SUFFIXES):
        return InputError(MSG_WRONG_TYPE, {"name": name})
    return None


async def download(
    manager: DialogManager, event: Message | CallbackQuery, file_id: str | None = None
) -> bytes | None:
    """The roster's bytes (the one checked, unless `file_id`), downloaded from Telegram
    again; None when that failed, and the user told so."""
    try:
        buffer = await manager.middleware_data["bot"].download(
            file_id or manager.dialog_data[FILE_ID]
        )
    except TelegramAPIError:
        log.warning("roster download failed", exc_info=True)
        await tell(manager, event, ServiceError(MSG_NOT_DOWNLOADED))
        return None
    return bytes(buffer.read())


async def on_file(message: Message, _: MessageInput, manager: DialogManager) -> None:
    document = message.document
    refused = refusal(document)
    if refused is not None or document is None:
        await tell(manager, message, refused or InputError(MSG_SEND_A_FILE))
        return
    data = await download(manager, message, document.file_id)
    if data is None:
        return
    try:
        plan = await check_roster(
            uow_of(manager), acting_user(manager), area_code(manager), data, now()
        )
    except (InputError, ServiceError) as error:
        await tell(manager, message, error)
        return
    manager.dialog_data.update(
        {
            FILE_ID: document.file_id,
            FILE_NAME: (document.file_name or "")[:60],
            REPORT: excerpt(plan),
        }
    )
    await manager.switch_to(ImportSG.report)


async def on_import(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    data = await download(manager, callback)
    if data is None:
        return
    try:
        report = await apply_roster(
            uow_of(manager),
            acting_user(manager),
            area_code(manager),
            data,
            now(),
            skip_invalid=button.widget_id == "import_valid",
        )
    except (InputError, ServiceError) as error:
        reason = explain(manager, error.msgid, error.params, html=False)
        await tell(manager, callback, ServiceError(MSG_NOT_IMPORTED, reason=reason))
        return
    except Exception:  # the database's own refusal: nothing was written, say so
        log.exception("roster import failed")
        reason = explain(manager, MSG_FAILED, html=False)
        await tell(manager, callback, ServiceError(MSG_NOT_IMPORTED, reason=reason))
        return
    await callback.answer()
    manager.dialog_data[IMPORTED] = [report.imported, report.skipped]
    await manager.switch_to(ImportSG.done)


async def on_full_report(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    data = await download(manager, callback)
    if data is None or callback.message is None:
        return
    try:
        plan = await check_roster(
            uow_of(manager), acting_user(manager), area_code(manager), data, now()
        )
    except (InputError, ServiceError) as error:
        await tell(manager, callback, error)
        return
    await callback.answer()
    name = str(manager.dialog_data.get(FILE_NAME) or "roster")
    document = BufferedInputFile(_report_text(manager, plan), f"{PurePath(name).stem}.report.txt")
    caption = explain(manager, N_("📄 The full report of {file}"), {"file": name})
    await manager.middleware_data["bot"].send_document(
        callback.message.chat.id, document, caption=caption
    )
    manager.show_mode = ShowMode.SEND  # the report's buttons come back below the file


def _report_text(manager: DialogManager, plan: ImportPlan) -> bytes:
    def say(msgid: str, params: dict[str, Any]) -> str:
        return explain(manager, msgid, params, html=False)

    # With a BOM, so that Notepad on an office's older Windows shows the accents.
    return "\r\n".join(full_lines(plan, say)).encode("utf-8-sig")


def file_window() -> Window:
    return Window(
        I18nFormat(
            "📥 <b>Import households into {commune}</b>\n"
            "Send the roster file (Excel .xlsx or CSV) with columns: hamlet, head of "
            "household, phone, members. For example:\n"
            "<code>Thôn | Họ tên chủ hộ | Điện thoại | Số người\n"
            "Thôn Đông | Nguyễn Văn An | 0912 345 678 | 4</code>\n"
            "Nothing is imported before you confirm."
        ),
        MessageInput(on_file, content_types=ContentType.ANY),
        Cancel(Label("⬅️ Back")),
        state=ImportSG.wait_file,
        getter=get_commune,
    )


def report_window() -> Window:
    return Window(
        Format("{text}"),
        Column(
            Button(
                Label("✅ Import {count} households"),
                id="import",
                on_click=on_import,
                when="clean",
            ),
            Button(
                Label("✅ Import the {count} valid rows, skip the rest"),
                id="import_valid",
                on_click=on_import,
                when="partial",
            ),
            Button(Label("📄 Full report"), id="full_report", on_click=on_full_report, when="cut"),
            SwitchTo(Label("⬅️ Back"), id="back", state=ImportSG.wait_file),
        ),
        MessageInput(on_file, content_types=ContentType.ANY),  # another file: checked anew
        state=ImportSG.report,
        getter=get_report,
    )


def done_window() -> Window:
    return Window(
        I18nFormat("✅ Imported {count} households into {commune}."),
        I18nFormat(
            "Rows not imported (with errors, or likely duplicates): {skipped}.",
            when="any_skipped",
        ),
        Cancel(Label("⬅️ Back")),
        UnexpectedText(),
        state=ImportSG.done,
        getter=get_done,
    )


def roster_dialog() -> Dialog:
    return Dialog(file_window(), report_window(), done_window(), on_start=on_start)
