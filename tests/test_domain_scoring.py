"""Tests for bot.domain.scoring: one row per rule, then properties over random sets."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import scoring as s
from bot.domain.criteria import parse_criteria_set
from bot.domain.criteria_model import (
    Band,
    CriteriaSet,
    Criterion,
    Indicator,
    LevelScoring,
    Option,
    RatioScoring,
    Scoring,
    Title,
    YesNoScoring,
)
from bot.domain.scoring import (
    Answer,
    Level,
    Ratio,
    Reason,
    YesNo,
    score_answer,
    score_assessment,
)


def make_indicator(
    indicator_id: str, scoring: Scoring, required: bool = True, min_points: int | None = None
) -> Indicator:
    return Indicator(indicator_id, indicator_id, indicator_id, scoring, required, min_points)


def yes_no(indicator_id: str, points: int, required: bool = True) -> Indicator:
    return make_indicator(indicator_id, YesNoScoring(points), required)


def level(indicator_id: str, options: dict[str, int]) -> Indicator:
    scoring = LevelScoring(tuple(Option(key, key, key, pts) for key, pts in options.items()))
    return make_indicator(indicator_id, scoring)


def ratio(indicator_id: str, bands: dict[Fraction, int], when_none: int) -> Indicator:
    ordered = tuple(Band(fraction, pts) for fraction, pts in bands.items())
    return make_indicator(indicator_id, RatioScoring("n?", "n?", "k?", "k?", ordered, when_none))


def criterion(criterion_id: str, max_points: int, *indicators: Indicator) -> Criterion:
    return Criterion(criterion_id, criterion_id, criterion_id, max_points, indicators)


def criteria_set(*criteria: Criterion, max_points: int = 100) -> CriteriaSet:
    return CriteriaSet(Title.GIA_DINH, "t-1", "test", False, max_points, 80, criteria)


# 100 points: pass at 80, excellent at 90. "o" is the only optional indicator.
RATIO_R = ratio("r", {Fraction(0): 0, Fraction(1, 2): 15, Fraction(1): 30}, when_none=30)
C1 = criterion(
    "1", 50, yes_no("a", 20), level("b", {"top": 30, "high": 29, "some": 10, "none": 0})
)
C2 = criterion("2", 30, RATIO_R)
C3 = criterion(
    "3", 20, yes_no("o", 10, required=False), level("z", {"full": 10, "half": 5, "none": 0})
)
BASE = replace(criteria_set(C1, C2, C3), excellent_threshold=90)
BEST: dict[str, Answer] = {
    "a": YesNo(True),
    "b": Level("top"),
    "r": Ratio(3, 3),
    "o": YesNo(True),
    "z": Level("full"),
}

R_WITH_MINIMUM = replace(RATIO_R, min_points=30)
WITH_R_MINIMUM = replace(BASE, criteria=(C1, replace(C2, indicators=(R_WITH_MINIMUM,)), C3))
WITH_SET_MINIMUM = replace(BASE, min_indicator_points=5)
WITH_C1_MINIMUM = replace(BASE, criteria=(replace(C1, min_points=45), C2, C3))
C1_CAPPED = replace(BASE, criteria=(replace(C1, max_points=40), C2, C3))
SET_CAPPED = replace(BASE, max_points=90, pass_threshold=80, excellent_threshold=None)


def answers(**changes: Answer | None) -> dict[str, Answer]:
    """The best answers with some changed; None removes an answer."""
    merged = {**BEST, **changes}
    return {key: value for key, value in merged.items() if value is not None}


def below(indicator: str, points: int, minimum: int) -> Reason:
    return Reason(
        s.INDICATOR_BELOW_MINIMUM, {"indicator": indicator, "points": points, "minimum": minimum}
    )


def threshold(total: int) -> Reason:
    return Reason(s.BELOW_THRESHOLD, {"total": total, "threshold": 80})


# One row per rule: (set, answers, total, passed, excellent, reasons)
RULES = [
    pytest.param(BASE, answers(), 100, True, True, (), id="all-best-sum"),
    pytest.param(BASE, answers(a=YesNo(False)), 80, True, False, (), id="threshold-80-passes"),
    pytest.param(
        BASE,
        answers(a=YesNo(False), b=Level("high")),
        79,
        False,
        False,
        (threshold(79),),
        id="threshold-79-fails",
    ),
    pytest.param(BASE, answers(o=None), 90, True, True, (), id="excellent-at-90"),
    pytest.param(
        BASE, answers(o=None, b=Level("high")), 89, True, False, (), id="not-excellent-89"
    ),
    pytest.param(
        replace(BASE, excellent_threshold=None),
        answers(),
        100,
        True,
        False,
        (),
        id="no-excellent-band",
    ),
    pytest.param(
        BASE,
        answers(a=None),
        80,
        False,
        False,
        (Reason(s.MISSING_REQUIRED, {"indicator": "a"}),),
        id="missing-required",
    ),
    pytest.param(
        BASE,
        answers(o=None, z=Level("none")),
        80,
        True,
        False,
        (),
        id="missing-optional-scores-0-without-failing",
    ),
    pytest.param(BASE, answers(r=Ratio(2, 1)), 85, True, False, (), id="ratio-half-band"),
    pytest.param(BASE, answers(r=Ratio(3, 2)), 85, True, False, (), id="ratio-between-bands"),
    pytest.param(
        BASE, answers(r=Ratio(4, 1)), 70, False, False, (threshold(70),), id="ratio-lowest-band"
    ),
    pytest.param(BASE, answers(r=Ratio(0, 0)), 100, True, True, (), id="ratio-when-none"),
    pytest.param(BASE, answers(z=Level("half")), 95, True, True, (), id="level-option"),
    pytest.param(
        WITH_R_MINIMUM,
        answers(r=Ratio(2, 1)),
        85,
        False,
        False,
        (below("r", 15, 30),),
        id="indicator-knock-out",
    ),
    pytest.param(
        WITH_R_MINIMUM, answers(r=Ratio(0, 0)), 100, True, True, (), id="knock-out-when-none"
    ),
    pytest.param(
        WITH_SET_MINIMUM, answers(z=Level("half")), 95, True, True, (), id="set-minimum-edge"
    ),
    pytest.param(
        WITH_SET_MINIMUM,
        answers(z=Level("none")),
        90,
        False,
        False,
        (below("z", 0, 5),),
        id="set-minimum-knock-out",
    ),
    pytest.param(
        WITH_SET_MINIMUM, answers(o=None), 90, True, True, (), id="set-minimum-skips-unanswered"
    ),
    pytest.param(
        WITH_C1_MINIMUM,
        answers(a=YesNo(False)),
        80,
        False,
        False,
        (Reason(s.CRITERION_BELOW_MINIMUM, {"criterion": "1", "points": 30, "minimum": 45}),),
        id="criterion-knock-out",
    ),
    pytest.param(C1_CAPPED, answers(), 90, True, True, (), id="criterion-cap"),
    pytest.param(SET_CAPPED, answers(), 90, True, False, (), id="set-cap"),
]


@pytest.mark.parametrize(
    ("rules", "given_answers", "total", "passed", "excellent", "reasons"), RULES
)
def test_each_rule(
    rules: CriteriaSet,
    given_answers: dict[str, Answer],
    total: int,
    passed: bool,
    excellent: bool,
    reasons: tuple[Reason, ...],
) -> None:
    result = score_assessment(rules, given_answers)
    assert (result.total, result.passed, result.excellent, result.reasons) == (
        total,
        passed,
        excellent,
        reasons,
    )


def test_points_per_indicator_and_criterion_are_reported() -> None:
    result = score_assessment(C1_CAPPED, answers(r=Ratio(2, 1), o=None))
    assert dict(result.indicator_points) == {"a": 20, "b": 30, "r": 15, "o": 0, "z": 10}
    assert dict(result.criterion_points) == {"1": 40, "2": 15, "3": 10}
    assert result.max_points == 100


def test_missing_lists_only_required_indicators() -> None:
    result = score_assessment(BASE, {})
    assert result.missing == ("a", "b", "r", "z")
    assert result.reasons[:4] == tuple(
        Reason(s.MISSING_REQUIRED, {"indicator": i}) for i in "abrz"
    )
    assert result.reasons[4:] == (threshold(0),)


def test_unknown_ids_are_listed_and_ignored() -> None:
    result = score_assessment(BASE, {**BEST, "zz": YesNo(True), "1a": Level("x")})
    assert result.unknown == ("zz", "1a")
    assert (result.total, result.passed) == (100, True)


@pytest.mark.parametrize(
    ("indicator", "answer"),
    [
        pytest.param("a", Level("top"), id="level-on-yes-no"),
        pytest.param("b", YesNo(True), id="yes-no-on-level"),
        pytest.param("b", Level("nope"), id="unknown-option"),
        pytest.param("r", YesNo(True), id="yes-no-on-ratio"),
        pytest.param("r", Ratio(2, 3), id="part-above-count"),
        pytest.param("r", Ratio(-1, 0), id="negative-count"),
        pytest.param("r", Ratio(2, -1), id="negative-part"),
        pytest.param("r", Ratio(True, True), id="bool-as-count"),
        pytest.param("o", YesNo(1), id="not-a-bool"),  # type: ignore[arg-type]
    ],
)
def test_invalid_answers_score_zero_and_are_listed(indicator: str, answer: Answer) -> None:
    result = score_assessment(BASE, answers(**{indicator: answer}))
    assert result.invalid == (indicator,)
    assert result.indicator_points[indicator] == 0
    assert indicator not in result.missing


def test_invalid_answer_on_a_knock_out_indicator_fails() -> None:
    result = score_assessment(WITH_R_MINIMUM, answers(r=Ratio(1, 2)))
    assert result.reasons == (below("r", 0, 30), threshold(70))


def test_ratio_bands_compare_exactly() -> None:
    text = """
[set]
title = "gia_dinh"
version = "t"
source = "t"
default = false
max_points = 10
pass_threshold = 10
[[criteria]]
id = "1"
label_vi = "Một"
label_en = "One"
max_points = 10
[[criteria.indicators]]
id = "1a"
label_vi = "Câu"
label_en = "Question"
kind = "ratio"
count_label_vi = "Bao nhiêu?"
count_label_en = "How many?"
part_label_vi = "Mấy?"
part_label_en = "Of them?"
bands = [
    { at_least = 0.1, points = 1 },
    { at_least = 0.7, points = 7 },
    { at_least = 1, points = 10 },
]
"""
    parsed, problems = parse_criteria_set(text)
    assert problems == []
    assert parsed is not None
    indicator = parsed.indicators()[0]
    # 0.1 and 0.7 are not exact in binary floating point: 1/10 and 7/10 must still reach them.
    assert [score_answer(indicator, Ratio(10, part)) for part in (0, 1, 6, 7, 9, 10)] == [
        0,
        1,
        1,
        7,
        7,
        10,
    ]


# --- properties over random sets -----------------------------------------------------------


@st.composite
def indicators(draw: st.DrawFn, indicator_id: str) -> Indicator:
    points = st.integers(0, 20)
    required = draw(st.booleans())
    minimum = draw(st.none() | st.integers(0, 20))
    kind = draw(st.sampled_from(["yes_no", "level", "ratio"]))
    scoring: Scoring
    if kind == "yes_no":
        scoring = YesNoScoring(draw(points))
    elif kind == "level":
        options = draw(st.dictionaries(st.sampled_from("abcd"), points, min_size=2))
        scoring = LevelScoring(tuple(Option(k, k, k, pts) for k, pts in options.items()))
    else:
        fractions = draw(st.lists(st.fractions(0, 1), min_size=1, max_size=3, unique=True))
        bands = tuple(Band(fraction, draw(points)) for fraction in sorted(fractions))
        scoring = RatioScoring("n?", "n?", "k?", "k?", bands, draw(points))
    return make_indicator(indicator_id, scoring, required, minimum)


@st.composite
def random_sets(draw: st.DrawFn) -> CriteriaSet:
    criteria = []
    for c in range(draw(st.integers(1, 4))):
        found = [draw(indicators(f"{c}{i}")) for i in range(draw(st.integers(1, 4)))]
        criteria.append(criterion(str(c), draw(st.integers(1, 60)), *found))
    maximum = draw(st.integers(1, 200))
    return replace(
        criteria_set(*criteria, max_points=maximum),
        pass_threshold=draw(st.integers(1, maximum)),
        min_indicator_points=draw(st.none() | st.integers(0, 10)),
    )


def any_answer() -> st.SearchStrategy[Answer]:
    return st.one_of(
        st.builds(YesNo, st.booleans()),
        st.builds(Level, st.sampled_from("abcdx")),
        st.builds(Ratio, st.integers(-2, 6), st.integers(-2, 6)),
    )


@st.composite
def set_and_answers(draw: st.DrawFn) -> tuple[CriteriaSet, dict[str, Answer]]:
    rules = draw(random_sets())
    ids = [indicator.id for indicator in rules.indicators()] + ["unknown"]
    return rules, draw(st.dictionaries(st.sampled_from(ids), any_answer()))


@given(set_and_answers())
def test_total_stays_between_zero_and_max(case: tuple[CriteriaSet, dict[str, Answer]]) -> None:
    rules, given_answers = case
    result = score_assessment(rules, given_answers)
    assert 0 <= result.total <= rules.max_points
    assert all(points >= 0 for points in result.criterion_points.values())
    assert result.passed == (not result.reasons)
    assert not result.excellent or result.passed


@given(set_and_answers(), st.data())
def test_a_yes_never_lowers_the_total(
    case: tuple[CriteriaSet, dict[str, Answer]], data: st.DataObject
) -> None:
    rules, given_answers = case
    yes_nos = [i.id for i in rules.indicators() if isinstance(i.scoring, YesNoScoring)]
    if not yes_nos:
        return
    chosen = data.draw(st.sampled_from(yes_nos))
    before = score_assessment(rules, given_answers).total
    after = score_assessment(rules, {**given_answers, chosen: YesNo(True)}).total
    assert after >= before
