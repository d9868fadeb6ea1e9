"""Criteria sets as data: one versioned TOML file per title and version.

The national texts are frameworks that each province adapts, and the current ones are not
all public, so the rules of a title live in files a province can replace, never in code.

Schema (every text comes twice: `_vi` Vietnamese, `_en` English)::

    [set]
    title = "gia_dinh"            # gia_dinh | cong_dan | dong_ho | cong_dong | don_vi
    version = "qd448-2016.1"      # A-Z a-z 0-9 _ - . (at most 32); unique per title
    source = "QĐ 448/QĐ-KHVN, 01/12/2015"
    default = true                # a stand-in until the province's own guidance is loaded
    note_vi = "..."               # note_vi/note_en: required when default = true
    note_en = "..."
    max_points = 100              # = sum of the criteria's max_points
    pass_threshold = 80           # 1..max_points
    excellent_threshold = 90      # optional; pass_threshold..max_points
    min_indicator_points = 5      # optional knock-out: no answered indicator below this

    [[criteria]]
    id = "1"                      # ids: A-Z a-z 0-9 _ - . (at most 16)
    label_vi = "..."
    label_en = "..."
    max_points = 30               # = sum of its indicators' maxima
    min_points = 20               # optional knock-out on the criterion's points

    [[criteria.indicators]]
    id = "1a"                     # unique in the whole set
    label_vi = "..."              # the question, as asked to a family
    label_en = "..."
    help_vi = "..."               # optional, both languages or neither
    help_en = "..."
    kind = "yes_no"               # yes_no | level | ratio
    required = true               # default true; an unanswered optional indicator gives 0
    min_points = 10               # optional knock-out on this indicator
    points = 10                   # yes_no: a yes gives `points`, a no 0

    # kind = "level": the family picks one option (at least two);
    #     [[criteria.indicators.options]]  id, label_vi, label_en, points
    # kind = "ratio": two counts; part/count picks the highest band reached;
    #     count_label_vi/en, part_label_vi/en   the two questions
    #     bands = [{ at_least = 0.0, points = 0 }, { at_least = 1.0, points = 10 }]
    #                                           at_least from 0 to 1, strictly going up
    #     when_none = 10                        points when the count is 0 (default: the most)
    #     fact = "clan.learning_families"       optional: the bot fills both counts from its
    #                                           records and does not ask (bot.domain.facts
    #                                           lists the facts and the title of each)
    #     measure = "children_in_school"        optional, in a family's set: group facts add
    #                                           up this answer (e.g. over a clan's families)

An indicator's maximum is its `points`, its best option's or its best band's points. Problems
are reported with a path such as `criteria[2].indicators[1].points`, indices 0-based.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol, TypeVar

from bot.domain.criteria_check import consistency_problems
from bot.domain.criteria_model import (
    Band,
    CriteriaSet,
    Criterion,
    Indicator,
    Kind,
    LevelScoring,
    Option,
    RatioScoring,
    Scoring,
    Title,
    YesNoScoring,
)
from bot.domain.criteria_problems import MSG_TOML_SYNTAX, Problem
from bot.domain.criteria_schema import shape_problems
from bot.domain.text import normalize_text

__all__ = [
    "Band",
    "CriteriaCandidate",
    "CriteriaSet",
    "Criterion",
    "Indicator",
    "Kind",
    "LevelScoring",
    "Option",
    "Problem",
    "RatioScoring",
    "Title",
    "YesNoScoring",
    "choose_criteria_set",
    "parse_criteria_set",
]

_WHERE = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")


def parse_criteria_set(text: str) -> tuple[CriteriaSet | None, list[Problem]]:
    """Parse and validate the TOML text of a criteria set.

    Returns the set and no problems, or None and every problem found (see the module
    docstring for the schema).
    """
    try:
        # Decimal, not float: 0.7 must mean seven tenths exactly when a band is compared.
        document = tomllib.loads(text.removeprefix("\ufeff"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        return None, [_syntax_problem(str(error), text)]
    problems = [*shape_problems(document), *consistency_problems(document)]
    if problems:
        return None, problems
    return _criteria_set(document), []


@dataclass(frozen=True)
class CriteriaCandidate:
    """A stored criteria set as the chooser sees it; `area_code` None is the national one."""

    area_code: str | None
    title: str
    from_year: int
    version: str


@dataclass(frozen=True)
class StoredCriteriaSet:
    """A criteria file loaded for an area from a year; assessments keep its `id`."""

    id: int
    title: str
    version: str
    area_code: str | None
    from_year: int


class _Candidate(Protocol):
    @property
    def area_code(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def from_year(self) -> int: ...
    @property
    def version(self) -> str: ...


C = TypeVar("C", bound=_Candidate)


def choose_criteria_set(
    candidates: Iterable[C], area_path_codes: Sequence[str], title: str, year: int
) -> C | None:
    """Return the criteria set that applies to `title` in `year` for an area, or None.

    `area_path_codes` runs top-down (province, ..., commune). The most specific area wins
    (commune over province over national); among its sets, the latest `from_year` not after
    `year`; a tie on both goes to the highest version, so the choice never depends on order.
    """

    def rank(candidate: C) -> int:
        code = candidate.area_code
        return -1 if code is None else area_path_codes.index(code)

    fitting = [
        candidate
        for candidate in candidates
        if candidate.title == title
        and candidate.from_year <= year
        and (candidate.area_code is None or candidate.area_code in area_path_codes)
    ]
    return max(fitting, key=lambda c: (rank(c), c.from_year, c.version), default=None)


def _syntax_problem(message: str, text: str) -> Problem:
    """Turn tomllib's "Invalid value (at line 3, column 7)" into a problem with its line."""
    found = _WHERE.search(message)
    line = int(found.group(1)) if found and found.group(1) else text.count("\n") + 1
    return Problem("", MSG_TOML_SYNTAX, {"line": line, "error": _WHERE.sub("", message)})


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    """Return the text `key` in canonical form, or None when absent."""
    value = raw.get(key)
    return None if value is None else normalize_text(value)


def _criteria_set(document: Mapping[str, Any]) -> CriteriaSet:
    """Build the set from a document that passed every check."""
    raw = document["set"]
    return CriteriaSet(
        title=Title(raw["title"]),
        version=raw["version"],
        source=normalize_text(raw["source"]),
        default=raw["default"],
        max_points=raw["max_points"],
        pass_threshold=raw["pass_threshold"],
        criteria=tuple(_criterion(criterion) for criterion in document["criteria"]),
        excellent_threshold=raw.get("excellent_threshold"),
        min_indicator_points=raw.get("min_indicator_points"),
        note_vi=_text(raw, "note_vi"),
        note_en=_text(raw, "note_en"),
    )


def _criterion(raw: Mapping[str, Any]) -> Criterion:
    """Build one criterion and its indicators."""
    return Criterion(
        id=raw["id"],
        label_vi=normalize_text(raw["label_vi"]),
        label_en=normalize_text(raw["label_en"]),
        max_points=raw["max_points"],
        indicators=tuple(_indicator(indicator) for indicator in raw["indicators"]),
        min_points=raw.get("min_points"),
    )


def _indicator(raw: Mapping[str, Any]) -> Indicator:
    """Build one indicator with the scoring of its kind."""
    return Indicator(
        id=raw["id"],
        label_vi=normalize_text(raw["label_vi"]),
        label_en=normalize_text(raw["label_en"]),
        scoring=_scoring(raw),
        required=raw.get("required", True),
        min_points=raw.get("min_points"),
        help_vi=_text(raw, "help_vi"),
        help_en=_text(raw, "help_en"),
        fact=raw.get("fact"),
        measure=raw.get("measure"),
    )


def _scoring(raw: Mapping[str, Any]) -> Scoring:
    """Build the scoring part of an indicator from the keys of its kind."""
    if raw["kind"] == Kind.YES_NO:
        return YesNoScoring(raw["points"])
    if raw["kind"] == Kind.LEVEL:
        options = raw["options"]
        return LevelScoring(tuple(Option(o["id"], *_labels(o), o["points"]) for o in options))
    bands = tuple(Band(Fraction(b["at_least"]), b["points"]) for b in raw["bands"])
    return RatioScoring(
        count_label_vi=normalize_text(raw["count_label_vi"]),
        count_label_en=normalize_text(raw["count_label_en"]),
        part_label_vi=normalize_text(raw["part_label_vi"]),
        part_label_en=normalize_text(raw["part_label_en"]),
        bands=bands,
        when_none=raw.get("when_none", max(band.points for band in bands)),
    )


def _labels(raw: Mapping[str, Any]) -> tuple[str, str]:
    """Return the Vietnamese and English labels of a table."""
    return normalize_text(raw["label_vi"]), normalize_text(raw["label_en"])
