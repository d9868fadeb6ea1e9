"""Getters and handlers of the self-assessment: one question per screen, answers kept at once."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button

from bot.domain.criteria_model import Indicator, Kind, RatioScoring
from bot.domain.facts import FACT_SOURCES, Fact, asked
from bot.domain.scoring import (
    BELOW_THRESHOLD,
    CRITERION_BELOW_MINIMUM,
    INDICATOR_BELOW_MINIMUM,
    MISSING_REQUIRED,
    Answer,
    Level,
    Ratio,
    YesNo,
)
from bot.domain.status import Status
from bot.i18n import GROUP_STATUS_LABELS, N_, STATUS_LABELS
from bot.services.assessments import (
    Assessment,
    answer_question,
    check_window,
    open_assessment,
    reopen_assessment,
    submit_assessment,
)
from bot.services.errors import ServiceError
from dialogs.states import AssessmentSG
from dialogs.summaries import TITLE_NAMES
from dialogs.widgets import current_user_id, explain, now, shipped, tell

NUMBER_BUTTONS = 8
REASONS = {
    MISSING_REQUIRED: N_("Question {indicator} is not answered yet"),
    INDICATOR_BELOW_MINIMUM: N_(
        "Item {indicator} is below its minimum: {points} of at least {minimum} points"
    ),
    CRITERION_BELOW_MINIMUM: N_(
        "Criterion {criterion} is below its minimum: {points} of at least {minimum} points"
    ),
    BELOW_THRESHOLD: N_("The total, {total}, is below the pass mark of {threshold} points"),
}


def _registration_id(manager: DialogManager) -> int:
    start_data: Any = manager.start_data
    return int(start_data["registration"])


# The assessment as loaded (or saved) during this update, kept in the update's middleware
# data: the handler and the getter that renders after it then share one load.
LOADED = "loaded_assessment"


async def _load(manager: DialogManager) -> Assessment:
    registration_id = _registration_id(manager)
    loaded: Assessment | None = manager.middleware_data.get(LOADED)
    if loaded is not None and loaded.registration.id == registration_id:
        return loaded
    assessment = await open_assessment(
        manager.middleware_data["uow"],
        current_user_id(manager),
        registration_id,
        shipped=shipped(),
        now=now(),
    )
    manager.middleware_data[LOADED] = assessment
    return assessment


def _forget_loaded(manager: DialogManager) -> None:
    """After a change of status the next getter must read it afresh."""
    manager.middleware_data.pop(LOADED, None)


def _locale(manager: DialogManager) -> str:
    return str(manager.middleware_data["i18n"].current_locale)


async def on_start(_: Any, manager: DialogManager) -> None:
    assessment = await _load(manager)
    if not assessment.registration.can_answer:
        await manager.switch_to(AssessmentSG.submitted)
        return
    try:
        check_window(assessment.window, now())
    except ServiceError as error:
        manager.dialog_data["_closed"] = explain(manager, error.msgid, error.params, html=False)
        await manager.switch_to(AssessmentSG.closed)
        return
    indicators = asked(assessment.criteria)
    unanswered = [i for i, ind in enumerate(indicators) if ind.id not in assessment.answers]
    manager.dialog_data["_index"] = unanswered[0] if unanswered else 0
    if not unanswered:
        await manager.switch_to(AssessmentSG.review)


def _indicator(assessment: Assessment, manager: DialogManager) -> tuple[int, Indicator]:
    indicators = asked(assessment.criteria)
    index = min(int(manager.dialog_data.get("_index", 0)), len(indicators) - 1)
    return index, indicators[index]


async def get_question(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    assessment = await _load(dialog_manager)
    locale = _locale(dialog_manager)
    index, indicator = _indicator(assessment, dialog_manager)
    criterion = assessment.criteria.criterion_of(indicator.id)
    answer = assessment.answers.get(indicator.id)
    asking_part = dialog_manager.current_context().state == AssessmentSG.ratio_part
    return {
        "number": index + 1,
        "count": len(asked(assessment.criteria)),
        "criterion": criterion.label(locale) if criterion else "",
        "question": _question(indicator, locale, asking_part),
        "help": indicator.help(locale) or "",
        "has_help": bool(indicator.help(locale)),
        "answered": _answer_text(indicator, answer, locale),
        "is_answered": answer is not None,
        "items": _items(indicator, answer, locale, dialog_manager, asking_part),
        "has_back": index > 0 or asking_part,
        "is_number": indicator.kind == Kind.RATIO,
        "is_choice": indicator.kind != Kind.RATIO,
    }


def _question(indicator: Indicator, locale: str, asking_part: bool) -> str:
    if isinstance(indicator.scoring, RatioScoring):
        scoring = indicator.scoring
        asked = scoring.part_label(locale) if asking_part else scoring.count_label(locale)
        return f"{indicator.label(locale)}\n{asked}"
    return indicator.label(locale)


def _items(
    indicator: Indicator,
    answer: Answer | None,
    locale: str,
    manager: DialogManager,
    asking_part: bool,
) -> list[tuple[str, str]]:
    scoring: Any = indicator.scoring
    if indicator.kind == Kind.YES_NO:
        chosen = answer.value if isinstance(answer, YesNo) else None
        return [
            ("yes", _mark(chosen is True) + gettext("Yes")),
            ("no", _mark(chosen is False) + gettext("No")),
        ]
    if indicator.kind == Kind.LEVEL:
        picked = answer.option_id if isinstance(answer, Level) else None
        return [(o.id, _mark(o.id == picked) + o.label(locale)) for o in scoring.options]
    top = int(manager.dialog_data.get("_count", NUMBER_BUTTONS)) if asking_part else NUMBER_BUTTONS
    return [(str(n), str(n)) for n in range(min(top, NUMBER_BUTTONS) + 1)]


def _mark(chosen: bool) -> str:
    return "● " if chosen else ""


def _answer_text(indicator: Indicator, answer: Answer | None, locale: str) -> str:
    if isinstance(answer, YesNo):
        return gettext("Yes") if answer.value else gettext("No")
    if isinstance(answer, Level):
        option = indicator.scoring.option(answer.option_id)  # type: ignore[union-attr]
        return option.label(locale) if option else ""
    if isinstance(answer, Ratio):
        return f"{answer.part}/{answer.count}"
    return ""


async def on_choice(callback: CallbackQuery, _: Any, manager: DialogManager, item: str) -> None:
    assessment = await _load(manager)
    _, indicator = _indicator(assessment, manager)
    if indicator.kind == Kind.RATIO:
        await _on_number(callback, manager, indicator, int(item))
        return
    answer: Answer = YesNo(item == "yes") if indicator.kind == Kind.YES_NO else Level(item)
    await _save(callback, manager, indicator, answer)


async def on_typed_number(message: Any, _: Any, manager: DialogManager, value: int) -> None:
    assessment = await _load(manager)
    _, indicator = _indicator(assessment, manager)
    if indicator.kind != Kind.RATIO:
        await tell(manager, message, ServiceError(N_("Please use the buttons to answer.")))
        return
    await _on_number(message, manager, indicator, value)


async def _on_number(event: Any, manager: DialogManager, indicator: Indicator, value: int) -> None:
    if manager.current_context().state != AssessmentSG.ratio_part:
        manager.dialog_data["_count"] = value
        if value > 0:
            await manager.switch_to(AssessmentSG.ratio_part)
            return
        await _save(event, manager, indicator, Ratio(0, 0))
        return
    await _save(event, manager, indicator, Ratio(int(manager.dialog_data["_count"]), value))


async def _save(event: Any, manager: DialogManager, indicator: Indicator, answer: Answer) -> None:
    try:
        assessment = await answer_question(
            manager.middleware_data["uow"], await _load(manager), indicator.id, answer, now()
        )
    except ServiceError as error:
        await tell(manager, event, error)
        return
    manager.middleware_data[LOADED] = assessment
    index = int(manager.dialog_data.get("_index", 0)) + 1
    manager.dialog_data.pop("_count", None)
    if index >= len(asked(assessment.criteria)):
        await manager.switch_to(AssessmentSG.review)
        return
    manager.dialog_data["_index"] = index
    await manager.switch_to(AssessmentSG.question)


async def on_back(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    if manager.current_context().state == AssessmentSG.ratio_part:
        await manager.switch_to(AssessmentSG.question)
        return
    manager.dialog_data["_index"] = max(0, int(manager.dialog_data.get("_index", 0)) - 1)


async def on_review_back(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    assessment = await _load(manager)
    manager.dialog_data["_index"] = len(asked(assessment.criteria)) - 1
    await manager.switch_to(AssessmentSG.question)


async def on_change(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data["_index"] = 0
    await manager.switch_to(AssessmentSG.question)


async def get_review(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    assessment = await _load(dialog_manager)
    locale, result = _locale(dialog_manager), assessment.result
    lines = [
        f"{c.id}. {c.label(locale)}: {result.criterion_points[c.id]}/{c.max_points}"
        for c in assessment.criteria.criteria
    ]
    reasons = [
        explain(dialog_manager, REASONS[r.code], dict(r.params), html=False)
        for r in result.reasons
    ]
    registration = assessment.registration
    figures = _figures(assessment, dialog_manager)
    group = registration.household_id is None
    return {
        "lines": "\n".join(lines),
        "figures": figures,
        "has_figures": bool(figures),
        "title_name": gettext(TITLE_NAMES.get(registration.title, registration.title)),
        "to_hamlet_head": not group,
        "to_commune": group,
        "total": result.total,
        "max": result.max_points,
        "passed": result.passed,
        "failed": not result.passed,
        "excellent": result.excellent,
        "reasons": "\n".join(f"• {reason}" for reason in reasons),
        "complete": not result.missing,
        "missing": len(result.missing),
        "incomplete": bool(result.missing),
        "can_reopen": registration.status == Status.SELF_ASSESSED,
        "submitted_at": registration.reached_at(Status.SELF_ASSESSED),
        "status": registration.status,
    }


def _figures(assessment: Assessment, manager: DialogManager) -> str:
    """The figures the bot filled in, each with where it comes from."""
    locale, lines = _locale(manager), []
    for indicator in assessment.criteria.indicators():
        answer = assessment.answers.get(indicator.id)
        if indicator.fact is None or not isinstance(answer, Ratio):
            continue
        source = explain(manager, FACT_SOURCES[Fact(indicator.fact)], {}, html=False)
        label = html.escape(indicator.label(locale), quote=False)
        note = html.escape(source, quote=False)
        lines.append(f"• {label}: {answer.part}/{answer.count}\n  <i>{note}</i>")
    return "\n".join(lines)


async def on_submit(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    try:
        await submit_assessment(
            manager.middleware_data["uow"],
            callback.from_user.id,
            _registration_id(manager),
            shipped=shipped(),
            now=now(),
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    _forget_loaded(manager)
    await manager.switch_to(AssessmentSG.submitted)


async def on_reopen(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    try:
        await reopen_assessment(
            manager.middleware_data["uow"],
            callback.from_user.id,
            _registration_id(manager),
            now(),
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    _forget_loaded(manager)
    await manager.switch_to(AssessmentSG.review)


async def get_submitted(dialog_manager: DialogManager, **kwargs: Any) -> dict[str, Any]:
    review = await get_review(dialog_manager, **kwargs)
    when = review["submitted_at"]
    labels = GROUP_STATUS_LABELS if review["to_commune"] else STATUS_LABELS
    return {
        **review,
        "when": explain(dialog_manager, "{at}", {"at": when}, html=False) if when else "",
        "status_label": explain(dialog_manager, labels[review["status"]], html=False),
    }


async def get_closed(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"why": dialog_manager.dialog_data.get("_closed", "")}
