"""The criteria sets shipped under bot/data/criteria: they load, add up, say they are
defaults, keep the rules of their title, and a broken copy is reported at the right place."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot.domain import criteria_problems as p
from bot.domain import scoring as s
from bot.domain.criteria import CriteriaSet, Title, parse_criteria_set
from bot.domain.criteria_model import Indicator, LevelScoring, RatioScoring, YesNoScoring
from bot.domain.scoring import Answer, Level, Ratio, YesNo, score_assessment

CRITERIA_DIR = Path(__file__).resolve().parent.parent / "bot" / "data" / "criteria"
FILES = sorted(CRITERIA_DIR.glob("*.toml"))
GIA_DINH = CRITERIA_DIR / "gia_dinh.qd448.toml"
CONG_DAN = CRITERIA_DIR / "cong_dan.qd244.toml"


def load(path: Path) -> CriteriaSet:
    criteria_set, problems = parse_criteria_set(path.read_text(encoding="utf-8"))
    assert problems == [], [problem.describe() for problem in problems]
    assert criteria_set is not None
    return criteria_set


def best_answer(indicator: Indicator) -> Answer:
    """The answer that gives an indicator its most points."""
    scoring = indicator.scoring
    if isinstance(scoring, YesNoScoring):
        return YesNo(True)
    if isinstance(scoring, LevelScoring):
        return Level(max(scoring.options, key=lambda option: option.points).id)
    return Ratio(3, 3)


def best_answers(criteria_set: CriteriaSet) -> dict[str, Answer]:
    return {indicator.id: best_answer(indicator) for indicator in criteria_set.indicators()}


def test_both_defaults_are_shipped() -> None:
    assert {GIA_DINH, CONG_DAN} <= set(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_file_parses_and_adds_up(path: Path) -> None:
    criteria_set = load(path)
    assert sum(c.max_points for c in criteria_set.criteria) == criteria_set.max_points
    for criterion in criteria_set.criteria:
        assert sum(i.max_points for i in criterion.indicators) == criterion.max_points


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_file_is_a_default_that_says_so(path: Path) -> None:
    criteria_set = load(path)
    assert criteria_set.default is True
    assert criteria_set.note("vi")
    assert criteria_set.note("en")
    assert path.name.startswith(criteria_set.title.value)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_all_best_answers_give_max_points_and_pass(path: Path) -> None:
    criteria_set = load(path)
    result = score_assessment(criteria_set, best_answers(criteria_set))
    assert result.total == criteria_set.max_points
    assert result.passed
    assert result.reasons == ()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_texts_are_composed_vietnamese(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    criteria_set = load(path)
    for indicator in criteria_set.indicators():
        assert indicator.label("vi") != indicator.label("en")
        assert indicator.label("vi").endswith("?")


def test_gia_dinh_follows_qd448() -> None:
    criteria_set = load(GIA_DINH)
    assert criteria_set.title is Title.GIA_DINH
    assert (criteria_set.max_points, criteria_set.pass_threshold) == (100, 80)
    assert [c.max_points for c in criteria_set.criteria] == [30, 30, 20, 20]
    for knock_out in ("1a", "2a"):
        indicator = criteria_set.indicator(knock_out)
        assert indicator is not None
        assert isinstance(indicator.scoring, RatioScoring)
        assert indicator.min_points == indicator.max_points == 10
        assert indicator.scoring.when_none == indicator.max_points


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param({"1a": Ratio(3, 2)}, "1a", id="child-out-of-school"),
        pytest.param({"2a": Ratio(2, 1)}, "2a", id="adult-illiterate"),
    ],
)
def test_gia_dinh_knock_outs(changes: dict[str, Answer], reason: str) -> None:
    criteria_set = load(GIA_DINH)
    result = score_assessment(criteria_set, {**best_answers(criteria_set), **changes})
    assert result.total == 90
    assert not result.passed
    assert [r.params["indicator"] for r in result.reasons] == [reason]


def test_gia_dinh_without_children_can_still_score_full() -> None:
    criteria_set = load(GIA_DINH)
    answers = {**best_answers(criteria_set), "1a": Ratio(0, 0), "1b": Level("none")}
    assert score_assessment(criteria_set, {**answers, "1c": Level("none")}).total == 100


def test_cong_dan_follows_qd244() -> None:
    criteria_set = load(CONG_DAN)
    assert criteria_set.title is Title.CONG_DAN
    assert (criteria_set.pass_threshold, criteria_set.min_indicator_points) == (80, 5)
    assert [len(c.indicators) for c in criteria_set.criteria] == [4, 4, 2]
    for indicator in criteria_set.indicators():
        assert isinstance(indicator.scoring, LevelScoring)
        assert indicator.max_points == 10
        assert 4 <= len(indicator.scoring.options) <= 5


def test_cong_dan_one_indicator_below_five_fails_despite_the_total() -> None:
    criteria_set = load(CONG_DAN)
    result = score_assessment(criteria_set, {**best_answers(criteria_set), "2c": Level("never")})
    assert result.total == 90
    assert result.reasons == (
        s.Reason(s.INDICATOR_BELOW_MINIMUM, {"indicator": "2c", "points": 0, "minimum": 5}),
    )


@pytest.mark.parametrize(
    ("changes", "total", "passed"),
    [
        pytest.param(
            {"1a": "sometimes", "1b": "some", "2a": "little", "2b": "little"}, 80, True, id="80"
        ),
        pytest.param(
            {"1a": "sometimes", "1c": "sometimes", "1d": "sometimes"}
            | {"2c": "fairly", "3b": "fairly", "1b": "most"},
            79,
            False,
            id="79",
        ),
    ],
)
def test_cong_dan_threshold_edges(changes: dict[str, str], total: int, passed: bool) -> None:
    criteria_set = load(CONG_DAN)
    levels = {key: Level(option) for key, option in changes.items()}
    result = score_assessment(criteria_set, {**best_answers(criteria_set), **levels})
    assert (result.total, result.passed) == (total, passed)
    assert all(reason.code == s.BELOW_THRESHOLD for reason in result.reasons)


# A broken copy of a shipped file, reported at the exact path: (file, old, new, path, msgid).
BROKEN = [
    pytest.param(
        GIA_DINH,
        "pass_threshold = 80",
        "pass_threshold = 120",
        "set.pass_threshold",
        p.MSG_OUT_OF_RANGE,
        id="gd-threshold-above-max",
    ),
    pytest.param(
        GIA_DINH,
        'id = "3b"\nlabel_vi = "Gia đình có để dành',
        'id = "3a"\nlabel_vi = "Gia đình có để dành',
        "criteria[2].indicators[1].id",
        p.MSG_DUPLICATE_ID,
        id="gd-duplicate-indicator",
    ),
    pytest.param(
        GIA_DINH,
        'kind = "yes_no"\npoints = 5\n\n[[criteria.indicators]]\nid = "3c"',
        'kind = "yes_no"\npoints = 25\n\n[[criteria.indicators]]\nid = "3c"',
        "criteria[2].indicators[1].points",
        p.MSG_ABOVE_CRITERION,
        id="gd-points-above-criterion",
    ),
    pytest.param(
        GIA_DINH,
        'label_en = "Adults\' learning in the family"\n',
        "",
        "criteria[1].label_en",
        p.MSG_MISSING_LANGUAGE,
        id="gd-label-missing-in-english",
    ),
    pytest.param(
        GIA_DINH,
        "bands = [{ at_least = 0.0, points = 0 }, { at_least = 1.0, points = 10 }]",
        "bands = [{ at_least = 1.0, points = 10 }, { at_least = 0.0, points = 0 }]",
        "criteria[0].indicators[0].bands[1].at_least",
        p.MSG_BANDS_ORDER,
        id="gd-bands-not-sorted",
    ),
    pytest.param(
        GIA_DINH,
        'kind = "ratio"\ncount_label_vi',
        'kind = "rating"\ncount_label_vi',
        "criteria[0].indicators[0].kind",
        p.MSG_UNKNOWN_KIND,
        id="gd-unknown-kind",
    ),
    pytest.param(
        GIA_DINH,
        'note_en = """',
        'colour = "red"\nnote_en = """',
        "set.colour",
        p.MSG_UNKNOWN_KEY,
        id="gd-unknown-key",
    ),
    pytest.param(
        CONG_DAN,
        "min_indicator_points = 5",
        "min_indicator_points = 11",
        "set.min_indicator_points",
        p.MSG_MINIMUM_UNREACHABLE,
        id="cd-minimum-unreachable",
    ),
    pytest.param(
        CONG_DAN,
        'title = "cong_dan"',
        'title = "cong_nhan"',
        "set.title",
        p.MSG_UNKNOWN_TITLE,
        id="cd-unknown-title",
    ),
    pytest.param(
        CONG_DAN,
        'id = "fairly"',
        'id = "often"',
        "criteria[0].indicators[0].options[1].id",
        p.MSG_DUPLICATE_ID,
        id="cd-duplicate-option",
    ),
    pytest.param(
        CONG_DAN,
        "max_points = 20",
        "max_points = 30",
        "criteria[2].max_points",
        p.MSG_INDICATORS_SUM,
        id="cd-indicators-sum",
    ),
    pytest.param(
        CONG_DAN,
        "pass_threshold = 80",
        "pass_threshold = 80\nexcellent_threshold = 70",
        "set.excellent_threshold",
        p.MSG_EXCELLENT_BELOW_PASS,
        id="cd-excellent-below-pass",
    ),
    pytest.param(
        CONG_DAN,
        "max_points = 100",
        "max_points = 100.0",
        "set.max_points",
        p.MSG_NOT_INTEGER,
        id="cd-float-max",
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "where", "msgid"), BROKEN)
def test_broken_copies_report_the_exact_path(
    path: Path, old: str, new: str, where: str, msgid: str
) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"anchor not found: {old!r}"
    criteria_set, problems = parse_criteria_set(text.replace(old, new, 1))
    assert criteria_set is None
    assert (where, msgid) in [(problem.path, problem.message_id) for problem in problems]
