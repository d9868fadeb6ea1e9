"""Tests for bot.domain.criteria: the validation rules of a criteria set file, the tree it
loads into, and the choice of the set that applies to an area and a year."""

from __future__ import annotations

import unicodedata
from fractions import Fraction

import pytest

from bot.domain import criteria_problems as p
from bot.domain.criteria import (
    CriteriaCandidate,
    Kind,
    Problem,
    Title,
    choose_criteria_set,
    parse_criteria_set,
)
from bot.domain.criteria_model import LevelScoring, RatioScoring

SET_PART = """\
[set]
title = "gia_dinh"
version = "test-1"
source = "Test"
default = false
max_points = 30
pass_threshold = 20
"""
CRITERION_1 = """
[[criteria]]
id = "1"
label_vi = "Tiêu chí một"
label_en = "Criterion one"
max_points = 20

[[criteria.indicators]]
id = "1a"
label_vi = "Câu có không"
label_en = "Yes-no question"
kind = "yes_no"
points = 10

[[criteria.indicators]]
id = "1b"
label_vi = "Câu mức độ"
label_en = "Level question"
kind = "level"

[[criteria.indicators.options]]
id = "high"
label_vi = "Cao"
label_en = "High"
points = 10

[[criteria.indicators.options]]
id = "low"
label_vi = "Thấp"
label_en = "Low"
points = 0
"""
CRITERION_2 = """
[[criteria]]
id = "2"
label_vi = "Tiêu chí hai"
label_en = "Criterion two"
max_points = 10

[[criteria.indicators]]
id = "2a"
label_vi = "Câu tỉ lệ"
label_en = "Ratio question"
kind = "ratio"
count_label_vi = "Bao nhiêu?"
count_label_en = "How many?"
part_label_vi = "Mấy người?"
part_label_en = "How many of them?"
bands = [{ at_least = 0.5, points = 5 }, { at_least = 1.0, points = 10 }]
when_none = 10
"""
BASE = SET_PART + CRITERION_1 + CRITERION_2
LOW_OPTION = """
[[criteria.indicators.options]]
id = "low"
label_vi = "Thấp"
label_en = "Low"
points = 0
"""
BANDS = "bands = [{ at_least = 0.5, points = 5 }, { at_least = 1.0, points = 10 }]"
YES_NO_POINTS = 'kind = "yes_no"\npoints = 10'
IND_1A, IND_1B, IND_2A = (
    "criteria[0].indicators[0]",
    "criteria[0].indicators[1]",
    "criteria[1].indicators[0]",
)


def mutate(text: str, old: str, new: str) -> str:
    """Replace the first `old` in `text`, failing loudly if the anchor is gone."""
    assert old in text, f"anchor not found: {old!r}"
    return text.replace(old, new, 1)


def keys(problems: list[Problem]) -> list[tuple[str, str]]:
    """Reduce problems to what a test compares: path and msgid."""
    return [(problem.path, problem.message_id) for problem in problems]


def test_the_base_file_is_valid() -> None:
    criteria_set, problems = parse_criteria_set(BASE)
    assert problems == []
    assert criteria_set is not None


# One row per rule: (old, new) applied to BASE, then every (path, msgid) expected.
RULES = [
    pytest.param(
        'title = "gia_dinh"', 'title = "gia_dinh', [("", p.MSG_TOML_SYNTAX)], id="toml-syntax"
    ),
    pytest.param('source = "Test"\n', "", [("set.source", p.MSG_MISSING_KEY)], id="missing-key"),
    pytest.param(
        'source = "Test"',
        'source = "Test"\ncolour = "red"',
        [("set.colour", p.MSG_UNKNOWN_KEY)],
        id="unknown-key",
    ),
    pytest.param(
        "pass_threshold = 20",
        'pass_threshold = "20"',
        [("set.pass_threshold", p.MSG_NOT_INTEGER)],
        id="text-for-integer",
    ),
    pytest.param(
        YES_NO_POINTS,
        'kind = "yes_no"\npoints = 10.0',
        [(f"{IND_1A}.points", p.MSG_NOT_INTEGER)],
        id="float-for-integer-without-cascade",
    ),
    pytest.param(
        "default = false", 'default = "no"', [("set.default", p.MSG_NOT_BOOL)], id="not-bool"
    ),
    pytest.param(
        'label_en = "Criterion one"',
        "label_en = 1",
        [("criteria[0].label_en", p.MSG_NOT_TEXT)],
        id="not-text",
    ),
    pytest.param(
        BANDS, "bands = 5", [(f"{IND_2A}.bands", p.MSG_NOT_TABLE_LIST)], id="not-table-list"
    ),
    pytest.param(
        'label_vi = "Cao"',
        'label_vi = "  "',
        [(f"{IND_1B}.options[0].label_vi", p.MSG_EMPTY_TEXT)],
        id="empty-text",
    ),
    pytest.param(
        'label_en = "Yes-no question"\n',
        "",
        [(f"{IND_1A}.label_en", p.MSG_MISSING_LANGUAGE)],
        id="label-missing-in-english",
    ),
    pytest.param(
        'label_vi = "Câu có không"\n',
        "",
        [(f"{IND_1A}.label_vi", p.MSG_MISSING_LANGUAGE)],
        id="label-missing-in-vietnamese",
    ),
    pytest.param(
        'label_en = "Yes-no question"',
        'label_en = "Yes-no question"\nhelp_vi = "Giúp"',
        [(f"{IND_1A}.help_en", p.MSG_MISSING_LANGUAGE)],
        id="help-in-one-language",
    ),
    pytest.param(
        "default = false",
        "default = true",
        [("set.note_vi", p.MSG_MISSING_LANGUAGE), ("set.note_en", p.MSG_MISSING_LANGUAGE)],
        id="default-without-note",
    ),
    pytest.param(
        'title = "gia_dinh"',
        'title = "lang_xa"',
        [("set.title", p.MSG_UNKNOWN_TITLE)],
        id="unknown-title",
    ),
    pytest.param(
        'kind = "yes_no"',
        'kind = "stars"',
        [(f"{IND_1A}.kind", p.MSG_UNKNOWN_KIND)],
        id="unknown-kind-hides-its-keys",
    ),
    pytest.param(
        'kind = "level"',
        'kind = "level"\npoints = 10',
        [(f"{IND_1B}.points", p.MSG_KEY_NOT_FOR_KIND)],
        id="key-of-another-kind",
    ),
    pytest.param('id = "1a"', 'id = "1 a"', [(f"{IND_1A}.id", p.MSG_BAD_ID)], id="bad-id"),
    pytest.param(
        'version = "test-1"',
        'version = "test 1"',
        [("set.version", p.MSG_BAD_ID)],
        id="bad-version",
    ),
    pytest.param(
        'id = "2"', 'id = "1"', [("criteria[1].id", p.MSG_DUPLICATE_ID)], id="duplicate-criterion"
    ),
    pytest.param(
        'id = "2a"', 'id = "1a"', [(f"{IND_2A}.id", p.MSG_DUPLICATE_ID)], id="duplicate-indicator"
    ),
    pytest.param(
        'id = "low"',
        'id = "high"',
        [(f"{IND_1B}.options[1].id", p.MSG_DUPLICATE_ID)],
        id="duplicate-option",
    ),
    pytest.param(
        LOW_OPTION, "", [(f"{IND_1B}.options", p.MSG_EMPTY_LIST)], id="level-with-one-option"
    ),
    pytest.param(
        YES_NO_POINTS,
        'kind = "yes_no"\npoints = 25',
        [
            (f"{IND_1A}.points", p.MSG_ABOVE_CRITERION),
            ("criteria[0].max_points", p.MSG_INDICATORS_SUM),
        ],
        id="indicator-above-criterion",
    ),
    pytest.param(
        'label_en = "High"\npoints = 10',
        'label_en = "High"\npoints = 25',
        [
            (f"{IND_1B}.options[0].points", p.MSG_ABOVE_CRITERION),
            ("criteria[0].max_points", p.MSG_INDICATORS_SUM),
        ],
        id="option-above-criterion",
    ),
    pytest.param(
        "points = 0",
        "points = -1",
        [(f"{IND_1B}.options[1].points", p.MSG_NEGATIVE)],
        id="negative-points",
    ),
    pytest.param(
        YES_NO_POINTS,
        'kind = "yes_no"\npoints = 5',
        [("criteria[0].max_points", p.MSG_INDICATORS_SUM)],
        id="indicators-sum",
    ),
    pytest.param(
        "max_points = 30",
        "max_points = 40",
        [("set.max_points", p.MSG_CRITERIA_SUM)],
        id="criteria-sum",
    ),
    pytest.param(
        "pass_threshold = 20",
        "pass_threshold = 31",
        [("set.pass_threshold", p.MSG_OUT_OF_RANGE)],
        id="pass-above-max",
    ),
    pytest.param(
        "pass_threshold = 20",
        "pass_threshold = 0",
        [("set.pass_threshold", p.MSG_OUT_OF_RANGE)],
        id="pass-zero",
    ),
    pytest.param(
        "pass_threshold = 20",
        "pass_threshold = 20\nexcellent_threshold = 31",
        [("set.excellent_threshold", p.MSG_OUT_OF_RANGE)],
        id="excellent-above-max",
    ),
    pytest.param(
        "pass_threshold = 20",
        "pass_threshold = 20\nexcellent_threshold = 19",
        [("set.excellent_threshold", p.MSG_EXCELLENT_BELOW_PASS)],
        id="excellent-below-pass",
    ),
    pytest.param(
        YES_NO_POINTS,
        YES_NO_POINTS + "\nmin_points = 11",
        [(f"{IND_1A}.min_points", p.MSG_ABOVE_INDICATOR)],
        id="indicator-minimum-above-its-max",
    ),
    pytest.param(
        YES_NO_POINTS,
        YES_NO_POINTS + "\nmin_points = -1",
        [(f"{IND_1A}.min_points", p.MSG_NEGATIVE)],
        id="indicator-minimum-negative",
    ),
    pytest.param(
        "max_points = 20",
        "max_points = 20\nmin_points = 21",
        [("criteria[0].min_points", p.MSG_OUT_OF_RANGE)],
        id="criterion-minimum-above-its-max",
    ),
    pytest.param(
        "pass_threshold = 20",
        "pass_threshold = 20\nmin_indicator_points = 11",
        [("set.min_indicator_points", p.MSG_MINIMUM_UNREACHABLE)] * 3,
        id="set-minimum-unreachable",
    ),
    pytest.param(
        BANDS,
        "bands = [{ at_least = 1.0, points = 10 }, { at_least = 0.5, points = 5 }]",
        [(f"{IND_2A}.bands[1].at_least", p.MSG_BANDS_ORDER)],
        id="bands-not-sorted",
    ),
    pytest.param(
        BANDS,
        "bands = [{ at_least = 0.5, points = 5 }, { at_least = 0.5, points = 10 }]",
        [(f"{IND_2A}.bands[1].at_least", p.MSG_BANDS_ORDER)],
        id="bands-repeated",
    ),
    pytest.param(
        BANDS,
        "bands = [{ at_least = 0.5, points = 5 }, { at_least = 1.5, points = 10 }]",
        [(f"{IND_2A}.bands[1].at_least", p.MSG_OUT_OF_RANGE)],
        id="band-above-one",
    ),
    pytest.param(
        BANDS,
        "bands = [{ at_least = -0.1, points = 5 }, { at_least = 1, points = 10 }]",
        [(f"{IND_2A}.bands[0].at_least", p.MSG_OUT_OF_RANGE)],
        id="band-below-zero",
    ),
    pytest.param(
        BANDS,
        "bands = [{ at_least = nan, points = 5 }, { at_least = 1.0, points = 10 }]",
        [(f"{IND_2A}.bands[0].at_least", p.MSG_OUT_OF_RANGE)],
        id="band-nan",
    ),
    pytest.param(BANDS, "bands = []", [(f"{IND_2A}.bands", p.MSG_EMPTY_LIST)], id="no-bands"),
    pytest.param(
        "when_none = 10",
        "when_none = 11",
        [(f"{IND_2A}.when_none", p.MSG_OUT_OF_RANGE)],
        id="when-none-above-max",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), RULES)
def test_each_rule_reports_its_path(old: str, new: str, expected: list[tuple[str, str]]) -> None:
    criteria_set, problems = parse_criteria_set(mutate(BASE, old, new))
    assert criteria_set is None
    assert keys(problems) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(SET_PART, [("criteria", p.MSG_MISSING_KEY)], id="no-criteria"),
        pytest.param(
            "criteria = []\n" + SET_PART, [("criteria", p.MSG_EMPTY_LIST)], id="empty-criteria"
        ),
        pytest.param(
            SET_PART + CRITERION_2.split("[[criteria.indicators]]")[0],
            [
                ("criteria[0].indicators", p.MSG_MISSING_KEY),
                ("set.max_points", p.MSG_CRITERIA_SUM),
            ],
            id="criterion-without-indicators",
        ),
        pytest.param(CRITERION_1 + CRITERION_2, [("set", p.MSG_MISSING_KEY)], id="no-set-table"),
        pytest.param(
            "", [("set", p.MSG_MISSING_KEY), ("criteria", p.MSG_MISSING_KEY)], id="empty"
        ),
    ],
)
def test_whole_file_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert keys(parse_criteria_set(text)[1]) == expected


def test_every_problem_is_reported_at_once() -> None:
    text = mutate(BASE, 'source = "Test"\n', "")
    text = mutate(text, 'id = "2a"', 'id = "1a"')
    text = mutate(text, "when_none = 10", "when_none = 11")
    text = mutate(text, 'label_vi = "Thấp"\n', "")
    assert set(keys(parse_criteria_set(text)[1])) == {
        ("set.source", p.MSG_MISSING_KEY),
        (f"{IND_1B}.options[1].label_vi", p.MSG_MISSING_LANGUAGE),
        (f"{IND_2A}.id", p.MSG_DUPLICATE_ID),
        (f"{IND_2A}.when_none", p.MSG_OUT_OF_RANGE),
    }


def test_syntax_error_names_its_line() -> None:
    (problem,) = parse_criteria_set(mutate(BASE, "max_points = 30", "max_points = = 30"))[1]
    assert problem.params["line"] == 6
    assert problem.describe().startswith("The file is not valid TOML, near line 6: ")


def test_describe_prefixes_the_path() -> None:
    problem = Problem("set.pass_threshold", p.MSG_OUT_OF_RANGE, {"minimum": 1, "maximum": 30})
    assert problem.describe() == "set.pass_threshold: Must be from 1 to 30"


def test_duplicate_names_the_first_use() -> None:
    (problem,) = parse_criteria_set(mutate(BASE, 'id = "2a"', 'id = "1a"'))[1]
    assert problem.params == {"id": "1a", "first": IND_1A}


def test_the_tree_has_accessors_in_both_languages() -> None:
    criteria_set, _ = parse_criteria_set(BASE)
    assert criteria_set is not None
    assert criteria_set.title is Title.GIA_DINH
    assert [i.id for i in criteria_set.indicators()] == ["1a", "1b", "2a"]
    assert [i.kind for i in criteria_set.indicators()] == [Kind.YES_NO, Kind.LEVEL, Kind.RATIO]
    assert [i.max_points for i in criteria_set.indicators()] == [10, 10, 10]
    level = criteria_set.indicator("1b")
    assert level is not None
    assert (level.label("vi"), level.label("en")) == ("Câu mức độ", "Level question")
    assert level.help("vi") is None
    assert isinstance(level.scoring, LevelScoring)
    assert level.scoring.options[1].label("en") == "Low"
    assert criteria_set.indicator("9z") is None
    criterion = criteria_set.criterion_of("2a")
    assert criterion is not None
    assert criterion.label("en") == "Criterion two"


def test_an_unexpected_locale_reads_vietnamese() -> None:
    criteria_set, _ = parse_criteria_set(BASE)
    assert criteria_set is not None
    assert criteria_set.criteria[0].label("fr") == "Tiêu chí một"


def test_ratio_fractions_are_exact_and_when_none_defaults_to_the_most() -> None:
    criteria_set, _ = parse_criteria_set(mutate(BASE, "when_none = 10\n", ""))
    assert criteria_set is not None
    ratio = criteria_set.indicators()[2].scoring
    assert isinstance(ratio, RatioScoring)
    assert [band.at_least for band in ratio.bands] == [Fraction(1, 2), Fraction(1)]
    assert ratio.when_none == 10
    assert (ratio.count_label("en"), ratio.part_label("vi")) == ("How many?", "Mấy người?")


def test_texts_are_stored_composed_and_a_bom_is_accepted() -> None:
    decomposed = unicodedata.normalize("NFD", "Tiêu chí một")
    text = "\ufeff" + mutate(BASE, 'label_vi = "Tiêu chí một"', f'label_vi = "{decomposed}"')
    criteria_set, problems = parse_criteria_set(text)
    assert problems == []
    assert criteria_set is not None
    assert criteria_set.criteria[0].label_vi == "Tiêu chí một"


# --- choose_criteria_set -------------------------------------------------------------------

NATIONAL_2016 = CriteriaCandidate(None, "gia_dinh", 2016, "qd448-2016.1")
NATIONAL_2022 = CriteriaCandidate(None, "gia_dinh", 2022, "qd242-2022.1")
PROVINCE_2023 = CriteriaCandidate("P1", "gia_dinh", 2023, "p1-2023")
PROVINCE_2025 = CriteriaCandidate("P1", "gia_dinh", 2025, "p1-2025")
COMMUNE_2024 = CriteriaCandidate("C1", "gia_dinh", 2024, "c1-2024")
OTHER_PROVINCE = CriteriaCandidate("P2", "gia_dinh", 2020, "p2-2020")
CITIZEN = CriteriaCandidate(None, "cong_dan", 2022, "qd244-2022.1")
ALL = [NATIONAL_2016, NATIONAL_2022, PROVINCE_2023, PROVINCE_2025, COMMUNE_2024, OTHER_PROVINCE]


@pytest.mark.parametrize(
    ("candidates", "path", "title", "year", "expected"),
    [
        pytest.param(ALL, ["P9", "C9"], "gia_dinh", 2021, NATIONAL_2016, id="national-default"),
        pytest.param(ALL, ["P9", "C9"], "gia_dinh", 2022, NATIONAL_2022, id="latest-national"),
        pytest.param(
            ALL, ["P1", "C9"], "gia_dinh", 2023, PROVINCE_2023, id="province-over-nation"
        ),
        pytest.param(ALL, ["P1", "C9"], "gia_dinh", 2022, NATIONAL_2022, id="province-not-yet"),
        pytest.param(
            ALL, ["P1", "C1"], "gia_dinh", 2024, COMMUNE_2024, id="commune-over-province"
        ),
        pytest.param(
            ALL, ["P1", "C1"], "gia_dinh", 2026, COMMUNE_2024, id="commune-over-newer-province"
        ),
        pytest.param(ALL, ["P1", "C2"], "gia_dinh", 2026, PROVINCE_2025, id="latest-of-province"),
        pytest.param(ALL, ["P1", "C1"], "gia_dinh", 2015, None, id="nothing-yet"),
        pytest.param(ALL, ["P1", "C1"], "cong_dan", 2024, None, id="other-title"),
        pytest.param([*ALL, CITIZEN], ["P1"], "cong_dan", 2024, CITIZEN, id="title-filter"),
        pytest.param([], ["P1"], "gia_dinh", 2024, None, id="no-candidates"),
        pytest.param(ALL, [], "gia_dinh", 2024, NATIONAL_2022, id="no-area"),
    ],
)
def test_choose_criteria_set(
    candidates: list[CriteriaCandidate],
    path: list[str],
    title: str,
    year: int,
    expected: CriteriaCandidate | None,
) -> None:
    assert choose_criteria_set(candidates, path, title, year) == expected


def test_choice_does_not_depend_on_order() -> None:
    twin = CriteriaCandidate("P1", "gia_dinh", 2023, "p1-2023b")
    found = {
        choose_criteria_set(order, ["P1"], "gia_dinh", 2024)
        for order in ([PROVINCE_2023, twin], [twin, PROVINCE_2023])
    }
    assert found == {twin}
