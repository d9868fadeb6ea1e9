"""Checking self-assessments: the households waiting, then one household's answers and score
with the decision's buttons."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, ScrollingGroup, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.criteria_model import Indicator
from bot.domain.scoring import Answer, Level, Ratio, YesNo
from bot.domain.status import Status
from bot.i18n import N_
from bot.services.assessments import Assessment, open_assessment
from bot.services.errors import NotAllowed, ServiceError
from bot.services.hamlets import to_verify
from dialogs.assessment.handlers import REASONS
from dialogs.hamlet.card import load_card, on_fill_in
from dialogs.hamlet.common import (
    BackTo,
    Note,
    hamlet_code,
    household_items,
    locale,
    pop_note,
    shown_number,
)
from dialogs.hamlet.decisions import on_back, on_confirm
from dialogs.offered import OfferedSelect
from dialogs.states import HamletSG
from dialogs.summaries import Writer, writer_for
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    explain,
    now,
    shipped,
    tell,
    this_year,
)

LOADED_ASSESSMENT = "hamlet_assessment"  # middleware data: loaded once per update

MSG_NOT_A_HOUSEHOLD = N_("This is not a household's self-assessment.")


async def get_waiting(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    year = this_year(dialog_manager)
    lines = await to_verify(
        uow, acting_user(dialog_manager), hamlet_code(dialog_manager), year, now()
    )
    return {
        "items": household_items(lines, "registration_id"),
        "count": shown_number(dialog_manager, len(lines)),
        "none": not lines,
        "some": bool(lines),
        **pop_note(dialog_manager),
    }


async def load_assessment(manager: DialogManager, registration_id: int) -> Assessment:
    """The registration's self-assessment when the head is over its household (else
    NotAllowed, written down)."""
    loaded: Assessment | None = manager.middleware_data.get(LOADED_ASSESSMENT)
    if loaded is not None and loaded.registration.id == registration_id:
        return loaded
    assessment = await open_assessment(
        manager.middleware_data["uow"],
        acting_user(manager).id,
        registration_id,
        shipped=shipped(),
        now=now(),
    )
    manager.middleware_data[LOADED_ASSESSMENT] = assessment
    return assessment


async def on_pick(
    callback: CallbackQuery, _: Any, manager: DialogManager, registration_id: int
) -> None:
    try:
        assessment = await load_assessment(manager, registration_id)
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    manager.dialog_data["registration"] = registration_id
    manager.dialog_data["household"] = assessment.registration.household_id
    manager.dialog_data["verify_back"] = "verify"
    await manager.switch_to(HamletSG.verify_card)


async def get_assessment(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    assessment = await load_assessment(
        dialog_manager, int(dialog_manager.dialog_data["registration"])
    )
    registration = assessment.registration
    if registration.household_id is None:  # forged: a hamlet head verifies households only
        raise NotAllowed(MSG_NOT_A_HOUSEHOLD)
    card = await load_card(dialog_manager, registration.household_id)
    dialog_manager.dialog_data["household"] = registration.household_id
    text = assessment_text(
        writer_for(dialog_manager), assessment, card.household.head_name or "", dialog_manager
    )
    return {
        "text": text,
        "can_decide": registration.status == Status.SELF_ASSESSED,
        "to_fill_in": registration.can_answer,
    }


def assessment_text(
    lines: Writer, assessment: Assessment, name: str, manager: DialogManager
) -> str:
    registration, result = assessment.registration, assessment.result
    submitted = registration.reached_at(Status.SELF_ASSESSED)
    lines.add(N_("🔍 <b>Self-assessment of {name}</b>"), name=name)
    if submitted is not None:
        lines.add(N_("Submitted on {at}"), at=submitted)
    if registration.status != Status.SELF_ASSESSED:
        lines.add(N_("Now: {status}"), status=registration.status)
    language = locale(manager)
    for criterion in assessment.criteria.criteria:
        points = result.criterion_points.get(criterion.id, 0)
        lines.lines.append("")
        lines.lines.append(
            f"<b>{html.escape(criterion.id)}. {html.escape(criterion.label(language))}: "
            f"{points}/{criterion.max_points}</b>"
        )
        for indicator in criterion.indicators:
            answer = _answer(indicator, assessment.answers.get(indicator.id), language)
            lines.lines.append(
                f"• {html.escape(indicator.label(language))} — <b>{html.escape(answer)}</b>"
            )
    lines.lines.append("")
    lines.add(N_("<b>Total: {total}/{max}</b>"), total=result.total, max=result.max_points)
    if result.passed:
        lines.add(N_("✅ This reaches the “Learning family” mark."))
        return lines.text()
    reasons = [
        explain(manager, REASONS[reason.code], dict(reason.params), html=False)
        for reason in result.reasons
    ]
    lines.add(
        N_("❌ This does not reach the mark yet:\n{reasons}"),
        reasons="\n".join(f"• {reason}" for reason in reasons),
    )
    return lines.text()


def _answer(indicator: Indicator, answer: Answer | None, language: str) -> str:
    if isinstance(answer, YesNo):
        return gettext("Yes") if answer.value else gettext("No")
    if isinstance(answer, Level):
        option = indicator.scoring.option(answer.option_id)  # type: ignore[union-attr]
        return option.label(language) if option else "—"
    if isinstance(answer, Ratio):
        return f"{answer.part}/{answer.count}"
    return "—"


def waiting_window() -> Window:
    return Window(
        Note(),
        I18nFormat("✅ <b>Self-assessments to check</b>: {count}", when="some"),
        I18nFormat("Choose a household to see its answers and score.", when="some"),
        I18nFormat("✅ No self-assessment is waiting for you.", when="none"),
        ScrollingGroup(
            OfferedSelect(
                Format("{item[1]}"),
                id="waiting",
                item_id_getter=lambda item: item[0],
                items="items",
                type_factory=int,
                on_click=on_pick,
            ),
            id="waiting_pages",
            width=1,
            height=8,
            hide_on_single_page=True,
        ),
        Column(BackTo(HamletSG.menu)),
        UnexpectedText(),
        state=HamletSG.verify,
        getter=get_waiting,
    )


def assessment_window() -> Window:
    return Window(
        Format("{text}"),
        Column(
            Button(Label("✅ Confirm"), id="confirm", on_click=on_confirm, when="can_decide"),
            SwitchTo(
                Label("↩️ Return with a comment"),
                id="return",
                state=HamletSG.return_comment,
                when="can_decide",
            ),
            Button(
                Label("📝 Fill in for the family"),
                id="fill_in",
                on_click=on_fill_in,
                when="to_fill_in",
            ),
            Button(Label("⬅️ Back"), id="back", on_click=on_back),
        ),
        UnexpectedText(),
        state=HamletSG.verify_card,
        getter=get_assessment,
    )
