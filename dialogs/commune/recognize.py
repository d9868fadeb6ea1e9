"""/recognize: tick households proposed by hamlet heads, give the decision's number and day,
confirm; or pick one and say why it is not recognised. Families are told either way."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Cancel,
    Column,
    ManagedMultiselect,
    Row,
    ScrollingGroup,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.recognition import MSG_REASON_NEEDED, Proposal
from bot.domain.text import normalize_text
from bot.i18n import number
from bot.services.errors import ServiceError
from bot.services.recognition import decline, proposed, recognise
from dialogs.commune.common import area_code, start_on_area, year_of
from dialogs.commune.decision import day_window, decision_of, decision_shown, number_window
from dialogs.offered import OfferedMultiselect
from dialogs.states import RecognizeSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    explain,
    notifier,
    now,
    on_input_error,
    tell,
    uow_of,
)

CHOSEN = "chosen"  # the Multiselect's id
NOTE = "_note"  # dialog_data: what the last action did, shown once
REASON_MAX = 500
MSG_DONE = N_("🏅 Recognised: {count}. The families have been told.")
MSG_DECLINED = N_("The family has been told that it is not recognised, and why.")
MSG_REASON_LONG = N_("Please keep the reason under {maximum} characters.")


def _chosen(manager: DialogManager) -> ManagedMultiselect[int]:
    widget: ManagedMultiselect[int] = manager.find(CHOSEN)  # type: ignore[assignment]
    return widget


async def _proposals(manager: DialogManager) -> list[Proposal]:
    return await proposed(
        uow_of(manager), acting_user(manager), area_code(manager), year_of(manager), now()
    )


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, year: int) -> None:
        await proposed(uow_of(manager), acting_user(manager), code, year, now())

    await start_on_area(manager, check)


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    found = await _proposals(dialog_manager)
    items = [(p.registration_id, _item(p)) for p in found]
    chosen = _chosen(dialog_manager).get_checked()
    locale = dialog_manager.middleware_data["i18n"].current_locale
    return {
        "items": items,
        "count": number(len(found), locale),
        "chosen": number(len(chosen), locale),
        "year": str(year_of(dialog_manager)),
        "some": bool(found),
        "none": not found,
        "any_chosen": bool(chosen),
        "one_chosen": len(chosen) == 1,
        "note": dialog_manager.dialog_data.pop(NOTE, ""),
    }


def _item(proposal: Proposal) -> str:
    """Name · hamlet · score: layout only, no words to translate."""
    name = proposal.head_name or "—"
    return f"{name} · {proposal.hamlet_name} · {proposal.total or 0}"


async def on_all(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    chosen = _chosen(manager)
    for proposal in await _proposals(manager):
        await chosen.set_checked(proposal.registration_id, True)


async def on_none(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await _chosen(manager).reset_checked()


async def get_confirm(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    locale = dialog_manager.middleware_data["i18n"].current_locale
    chosen = _chosen(dialog_manager).get_checked()
    return {"count": number(len(chosen), locale), **decision_shown(dialog_manager)}


async def on_confirm(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    try:
        count = await recognise(
            uow_of(manager),
            notifier(manager),
            acting_user(manager),
            area_code(manager),
            _chosen(manager).get_checked(),
            decision_of(manager),
            year=year_of(manager),
            now=now(),
        )
    except ServiceError as refused:
        await tell(manager, callback, refused)
        return
    await _chosen(manager).reset_checked()
    manager.dialog_data[NOTE] = explain(manager, MSG_DONE, {"count": count}, html=False)
    await manager.switch_to(RecognizeSG.list)


async def on_reason(message: Message, _: Any, manager: DialogManager, reason: str) -> None:
    [registration_id] = _chosen(manager).get_checked()
    try:
        await decline(
            uow_of(manager),
            notifier(manager),
            acting_user(manager),
            registration_id,
            reason,
            now(),
        )
    except ServiceError as refused:
        await tell(manager, message, refused)
        return
    await _chosen(manager).reset_checked()
    manager.dialog_data[NOTE] = explain(manager, MSG_DECLINED, html=False)
    await manager.switch_to(RecognizeSG.list)


def parse_reason(text: str) -> str:
    reason = normalize_text(text)
    if not reason:
        raise InputError(MSG_REASON_NEEDED)
    if len(reason) > REASON_MAX:  # refused, not cut: the family would read half a sentence
        raise InputError(MSG_REASON_LONG, {"maximum": REASON_MAX})
    return reason


def list_window() -> Window:
    return Window(
        Format("{note}\n", when="note"),
        I18nFormat(
            "🏅 <b>Proposed by hamlet heads, {year}</b>: {count}\nTick the households the "
            "commune recognises, then press Recognise. Chosen: {chosen}",
            when="some",
        ),
        I18nFormat("🏅 No household is waiting for the commune's decision.", when="none"),
        ScrollingGroup(
            OfferedMultiselect(
                Format("✅ {item[1]}"),
                Format("⬜ {item[1]}"),
                id=CHOSEN,
                item_id_getter=lambda item: item[0],
                items="items",
                type_factory=int,
            ),
            id="proposal_pages",
            width=1,
            height=8,
            hide_on_single_page=True,
        ),
        Row(
            Button(Label("☑️ All"), id="all", on_click=on_all, when="some"),
            Button(Label("⬜ None"), id="none", on_click=on_none, when="any_chosen"),
        ),
        Column(
            SwitchTo(
                Label("🏅 Recognise the chosen"),
                id="recognise",
                state=RecognizeSG.number,
                when="any_chosen",
            ),
            SwitchTo(
                Label("❌ Not recognised…"),
                id="decline",
                state=RecognizeSG.decline,
                when="one_chosen",
            ),
            Cancel(Label("⬅️ Back")),
        ),
        UnexpectedText(),
        state=RecognizeSG.list,
        getter=get_list,
    )


def confirm_window() -> Window:
    return Window(
        I18nFormat(
            "🏅 Recognise <b>{count}</b> households by decision <b>{decision}</b> of {day}? "
            "Each family will be told."
        ),
        Column(
            Button(Label("✅ Yes, recognise"), id="confirm", on_click=on_confirm),
            SwitchTo(Label("⬅️ Back"), id="back", state=RecognizeSG.list),
        ),
        UnexpectedText(),
        state=RecognizeSG.confirm,
        getter=get_confirm,
    )


def decline_window() -> Window:
    return Window(
        I18nFormat(
            "❌ Why is this household not recognised? Type the reason: the family will read it."
        ),
        TextInput(
            id="reason", type_factory=parse_reason, on_success=on_reason, on_error=on_input_error
        ),
        SwitchTo(Label("⬅️ Back"), id="back", state=RecognizeSG.list),
        state=RecognizeSG.decline,
    )


def recognize_dialog() -> Dialog:
    return Dialog(
        list_window(),
        number_window(RecognizeSG.number, then=RecognizeSG.day, back=RecognizeSG.list),
        day_window(RecognizeSG.day, then=RecognizeSG.confirm, back=RecognizeSG.number),
        confirm_window(),
        decline_window(),
        on_start=on_start,
    )
