"""Scoring a self-assessment against a criteria set.

Answers that cannot be scored never raise: the result lists them (`missing`, `unknown`,
`invalid`) so that the dialog can ask again, and `reasons` says in codes with params why a
family did not pass, so that the message can be worded and translated by the caller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from bot.domain.criteria_model import (
    CriteriaSet,
    Indicator,
    LevelScoring,
    RatioScoring,
    YesNoScoring,
)

__all__ = [
    "Answer",
    "AssessmentResult",
    "Level",
    "Ratio",
    "Reason",
    "YesNo",
    "score_answer",
    "score_assessment",
]

INDICATOR_BELOW_MINIMUM = "indicator_below_minimum"
CRITERION_BELOW_MINIMUM = "criterion_below_minimum"
BELOW_THRESHOLD = "below_threshold"
MISSING_REQUIRED = "missing_required"

Params = dict[str, str | int]


@dataclass(frozen=True)
class YesNo:
    """The answer to a `yes_no` indicator."""

    value: bool


@dataclass(frozen=True)
class Level:
    """The option picked for a `level` indicator."""

    option_id: str


@dataclass(frozen=True)
class Ratio:
    """The two counts of a `ratio` indicator: e.g. 3 school-age children, 3 at school."""

    count: int
    part: int


Answer = YesNo | Level | Ratio


@dataclass(frozen=True)
class Reason:
    """Why a family did not pass: a code (see the module constants) and its params."""

    code: str
    params: Params = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class AssessmentResult:
    """The points of one self-assessment, whether it passes, and what stood in the way."""

    total: int
    max_points: int
    passed: bool
    excellent: bool
    indicator_points: Mapping[str, int] = field(hash=False)
    criterion_points: Mapping[str, int] = field(hash=False)
    reasons: tuple[Reason, ...] = ()
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


def score_assessment(criteria_set: CriteriaSet, answers: Mapping[str, Answer]) -> AssessmentResult:
    """Score `answers` (by indicator id) against `criteria_set`.

    A criterion gives at most its max_points and the total at most the set's. An unanswered
    indicator gives 0; when it is required, the family cannot pass. An invalid answer gives
    0 and is listed. Passing needs every required answer, the pass threshold, and no
    knock-out (an answered indicator or a criterion below its minimum).
    """
    indicators = criteria_set.indicators()
    points = {i.id: _score(i, answers) or 0 for i in indicators}
    per_criterion = {
        c.id: min(sum(points[i.id] for i in c.indicators), c.max_points)
        for c in criteria_set.criteria
    }
    total = min(sum(per_criterion.values()), criteria_set.max_points)
    missing = tuple(i.id for i in indicators if i.required and i.id not in answers)
    reasons = (
        *(Reason(MISSING_REQUIRED, {"indicator": indicator_id}) for indicator_id in missing),
        *_indicator_knockouts(criteria_set, points, answers),
        *_criterion_knockouts(criteria_set, per_criterion),
        *_threshold(criteria_set, total),
    )
    return AssessmentResult(
        total=total,
        max_points=criteria_set.max_points,
        passed=not reasons,
        excellent=not reasons and _reaches_excellent(criteria_set, total),
        indicator_points=MappingProxyType(points),
        criterion_points=MappingProxyType(per_criterion),
        reasons=reasons,
        missing=missing,
        unknown=tuple(key for key in answers if criteria_set.indicator(key) is None),
        invalid=tuple(i.id for i in indicators if i.id in answers and _score(i, answers) is None),
    )


def score_answer(indicator: Indicator, answer: Answer) -> int | None:
    """Return the points `answer` gives on `indicator`, or None when it does not fit it."""
    scoring = indicator.scoring
    if isinstance(scoring, YesNoScoring) and isinstance(answer, YesNo):
        # Answers come back from JSON dialog data: a stray 1 or "yes" must not count as yes.
        if not isinstance(answer.value, bool):
            return None
        return scoring.points if answer.value else 0
    if isinstance(scoring, LevelScoring) and isinstance(answer, Level):
        option = scoring.option(answer.option_id)
        return None if option is None else option.points
    if isinstance(scoring, RatioScoring) and isinstance(answer, Ratio):
        return _ratio_points(scoring, answer)
    return None


def _score(indicator: Indicator, answers: Mapping[str, Answer]) -> int | None:
    """Score the answer to `indicator`, None when there is none or it is invalid."""
    answer = answers.get(indicator.id)
    return None if answer is None else score_answer(indicator, answer)


def _ratio_points(scoring: RatioScoring, answer: Ratio) -> int | None:
    """Points of the highest band reached by part/count; `when_none` when nobody counts."""
    count, part = answer.count, answer.part
    if not (_is_count(count) and _is_count(part)) or part > count:
        return None
    if count == 0:
        return scoring.when_none
    share = Fraction(part, count)
    reached = [band for band in scoring.bands if share >= band.at_least]
    return max(reached, key=lambda band: band.at_least).points if reached else 0


def _is_count(value: object) -> bool:
    """Counts are whole numbers from 0 up; True is not a count, though Python says int."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _indicator_knockouts(
    criteria_set: CriteriaSet, points: Mapping[str, int], answers: Mapping[str, Answer]
) -> Iterator[Reason]:
    """Answered indicators below their own or the set-wide minimum."""
    for indicator in criteria_set.indicators():
        floors = (indicator.min_points, criteria_set.min_indicator_points)
        minimum = max((floor for floor in floors if floor is not None), default=None)
        # An unanswered indicator is reported as missing (required) or forgiven (optional).
        if minimum is None or indicator.id not in answers or points[indicator.id] >= minimum:
            continue
        params: Params = {
            "indicator": indicator.id,
            "points": points[indicator.id],
            "minimum": minimum,
        }
        yield Reason(INDICATOR_BELOW_MINIMUM, params)


def _criterion_knockouts(
    criteria_set: CriteriaSet, per_criterion: Mapping[str, int]
) -> Iterator[Reason]:
    """Criteria whose points stay below their own minimum."""
    for criterion in criteria_set.criteria:
        minimum = criterion.min_points
        if minimum is not None and per_criterion[criterion.id] < minimum:
            params: Params = {
                "criterion": criterion.id,
                "points": per_criterion[criterion.id],
                "minimum": minimum,
            }
            yield Reason(CRITERION_BELOW_MINIMUM, params)


def _reaches_excellent(criteria_set: CriteriaSet, total: int) -> bool:
    """A set without an excellent band has no excellent families."""
    threshold = criteria_set.excellent_threshold
    return threshold is not None and total >= threshold


def _threshold(criteria_set: CriteriaSet, total: int) -> Iterator[Reason]:
    """The total below the pass threshold."""
    if total < criteria_set.pass_threshold:
        yield Reason(BELOW_THRESHOLD, {"total": total, "threshold": criteria_set.pass_threshold})
