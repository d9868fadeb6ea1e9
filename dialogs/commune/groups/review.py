"""The commune's list of its groups and a group's card: where it stands, confirm a unit is
real, verify, return or decline it (recognising one asks for the decision: see
`recognition`)."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, ScrollingGroup, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.groups import GroupKind, group_of
from bot.domain.messages import N_
from bot.domain.status import Status
from bot.i18n import day
from bot.services.assessments import decide
from bot.services.errors import ServiceError
from bot.services.group_review import GroupLine, group_line, group_lines
from bot.services.groups import MSG_NO_SUCH_GROUP, confirm_unit
from dialogs.commune.common import area_code, start_on_area, year_of
from dialogs.commune.recognize import parse_reason
from dialogs.groups.common import status_text
from dialogs.offered import OfferedSelect
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
    on_input_error,
    tell,
    uow_of,
)

CHOSEN = "_registration"  # dialog_data: the registration shown on the card
TARGET = "_target"  # dialog_data: the decision that needs a comment (return / not recognise)
NOTE = "_note"
KIND_ICONS = {GroupKind.CLAN: "👪", GroupKind.UNIT: "🏫", GroupKind.HAMLET: "🏘"}
MSG_DECIDED = N_("Done: {name} has been told.")
MSG_UNIT_CONFIRMED = N_("The unit is confirmed.")
# What the commune may do next, by where the registration stands.
NEXT = {
    Status.SELF_ASSESSED: (Status.VERIFIED, Status.RETURNED),
    Status.VERIFIED: (Status.RECOGNISED, Status.NOT_RECOGNISED),
}
NEEDS_COMMENT = (Status.RETURNED, Status.NOT_RECOGNISED)
# The decision buttons of the card: (decision, label, getter key that shows it).
DECISIONS = (
    (Status.VERIFIED, N_("✅ Confirm and propose"), "can_verify"),
    (Status.RETURNED, N_("↩️ Return with a comment"), "can_return"),
    (Status.RECOGNISED, N_("🏅 Recognise"), "can_recognise"),
    (Status.NOT_RECOGNISED, N_("❌ Do not recognise (say why)"), "can_decline"),
)


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, year: int) -> None:
        await group_lines(uow_of(manager), acting_user(manager), code, year, now())

    await start_on_area(manager, check)


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    lines = await group_lines(
        uow_of(dialog_manager),
        acting_user(dialog_manager),
        area_code(dialog_manager),
        year_of(dialog_manager),
        now(),
    )
    return {
        "items": [(line.registration.id, _item(dialog_manager, line)) for line in lines],
        "some": bool(lines),
        "none": not lines,
        "year": str(year_of(dialog_manager)),
        "note": html.escape(dialog_manager.dialog_data.pop(NOTE, ""), quote=False),
    }


def _decision(manager: DialogManager, line: GroupLine) -> dict[str, Any]:
    decision = line.decision
    if decision is None:
        return {"decided": False}
    locale = manager.middleware_data["i18n"].current_locale
    return {"decided": True, "decision": decision.number, "day": day(decision.day, locale)}


def _item(manager: DialogManager, line: GroupLine) -> str:
    return f"{KIND_ICONS[line.kind]} {line.name} · {status_text(manager, line.registration)}"


async def on_pick(_: CallbackQuery, __: Any, manager: DialogManager, item: str) -> None:
    manager.dialog_data[CHOSEN] = int(item)
    await manager.switch_to(GroupReviewSG.card)


async def chosen_line(manager: DialogManager) -> GroupLine:
    """The group on the card, reloaded (and checked) for the officer."""
    return await group_line(
        uow_of(manager),
        acting_user(manager),
        area_code(manager),
        int(manager.dialog_data[CHOSEN]),
        now(),
    )


async def get_card(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    line = await chosen_line(dialog_manager)
    registration = line.registration
    following = NEXT.get(registration.status, ())
    return {
        "icon": KIND_ICONS[line.kind],
        "name": line.name,
        "title": gettext(TITLE_NAMES[registration.title]),
        "status": status_text(dialog_manager, registration),
        **_decision(dialog_manager, line),
        "scored": registration.total is not None,
        "total": registration.total or 0,
        "passed": registration.passed is True,
        "not_passed": registration.passed is False,
        "unit_waiting": line.unit_confirmed is False,
        "can_verify": Status.VERIFIED in following,
        "can_return": Status.RETURNED in following,
        "can_recognise": Status.RECOGNISED in following and line.unit_confirmed is not False,
        "can_decline": Status.NOT_RECOGNISED in following,
        "note": html.escape(dialog_manager.dialog_data.pop(NOTE, ""), quote=False),
    }


async def on_decide(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    target = Status(str(button.widget_id))
    if target == Status.RECOGNISED:  # by a decision: its number and day are asked first
        await manager.switch_to(GroupReviewSG.number)
        return
    if target in NEEDS_COMMENT:
        manager.dialog_data[TARGET] = target.value
        await manager.switch_to(GroupReviewSG.comment)
        return
    await _decide(callback, manager, target, None)


async def on_comment(message: Message, _: Any, manager: DialogManager, comment: str) -> None:
    await _decide(message, manager, Status(manager.dialog_data[TARGET]), comment)


async def _decide(
    event: Message | CallbackQuery, manager: DialogManager, target: Status, comment: str | None
) -> None:
    line = await chosen_line(manager)
    try:
        await decide(
            uow_of(manager),
            notifier(manager),
            acting_user(manager),
            line.registration.id,
            target,
            now(),
            comment=comment,
        )
    except ServiceError as refused:
        await tell(manager, event, refused)
        return
    manager.dialog_data[NOTE] = explain(manager, MSG_DECIDED, {"name": line.name}, html=False)
    await manager.switch_to(GroupReviewSG.card)


async def on_confirm_unit(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    line = await chosen_line(manager)
    ref = group_of(line.registration.subject)
    try:
        if ref is None or ref.number is None:
            raise ServiceError(MSG_NO_SUCH_GROUP)
        await confirm_unit(
            uow_of(manager), acting_user(manager), ref.number, now(), notifier(manager)
        )
    except ServiceError as refused:
        await tell(manager, callback, refused)
        return
    manager.dialog_data[NOTE] = explain(manager, MSG_UNIT_CONFIRMED, html=False)


def list_window() -> Window:
    return Window(
        Format("{note}\n", when="note"),  # escaped by the getter
        I18nFormat("👥 <b>Clans, units and hamlets, {year}</b>", when="some"),
        I18nFormat("👥 No clan, unit or hamlet has registered for {year} yet.", when="none"),
        ScrollingGroup(
            OfferedSelect(
                Format("{item[1]}"),
                id="group",
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_pick,
            ),
            id="groups",
            width=1,
            height=8,
            hide_on_single_page=True,
        ),
        Cancel(Label("⬅️ Back")),
        UnexpectedText(),
        state=GroupReviewSG.list,
        getter=get_list,
    )


def card_window() -> Window:
    return Window(
        Format("{note}\n", when="note"),  # escaped by the getter
        I18nFormat("{icon} <b>{name}</b>\nTitle: {title} · {status}"),
        I18nFormat("📄 Recognised by decision {decision} of {day}", when="decided"),
        I18nFormat("Self-assessment: {total} points, reaches the mark.", when="passed"),
        I18nFormat("Self-assessment: {total} points, below the mark.", when="not_passed"),
        I18nFormat("🏫 The commune has not confirmed this unit is real yet.", when="unit_waiting"),
        Column(
            Button(
                Label("🏫 Confirm the unit is real"),
                id="unit",
                on_click=on_confirm_unit,
                when="unit_waiting",
            ),
            *(
                Button(Label(label), id=target.value, on_click=on_decide, when=when)
                for target, label, when in DECISIONS
            ),
            SwitchTo(Label("◀️ Back to the list"), id="list", state=GroupReviewSG.list),
        ),
        UnexpectedText(),
        state=GroupReviewSG.card,
        getter=get_card,
    )


def comment_window() -> Window:
    return Window(
        I18nFormat("✏️ Type the comment or reason: the group will read it."),
        TextInput(
            id="comment", type_factory=parse_reason, on_success=on_comment, on_error=on_input_error
        ),
        SwitchTo(Label("◀️ Back"), id="back", state=GroupReviewSG.card),
        state=GroupReviewSG.comment,
    )
