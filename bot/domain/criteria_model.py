"""The tree a criteria set file loads into: set, criteria, indicators, options and bands.

Built by `bot.domain.criteria.parse_criteria_set` after validation, or directly in tests.
Every text comes in Vietnamese and English; `label(locale)` and friends pick one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Title(StrEnum):
    """The titles of the movement a criteria set can assess."""

    GIA_DINH = "gia_dinh"
    CONG_DAN = "cong_dan"
    DONG_HO = "dong_ho"
    CONG_DONG = "cong_dong"
    DON_VI = "don_vi"


class Kind(StrEnum):
    """How an indicator is asked and scored."""

    YES_NO = "yes_no"
    LEVEL = "level"
    RATIO = "ratio"


def pick(vi: str, en: str, locale: str) -> str:
    """Return the English text for "en" and the Vietnamese one for any other locale."""
    # Vietnamese is the bot's first language: an unexpected locale must still read naturally.
    return en if locale == "en" else vi


@dataclass(frozen=True)
class Option:
    """One answer of a `level` indicator and the points it gives."""

    id: str
    label_vi: str
    label_en: str
    points: int

    def label(self, locale: str) -> str:
        """Return the option's text in `locale`."""
        return pick(self.label_vi, self.label_en, locale)


@dataclass(frozen=True)
class Band:
    """`points` are given once part/count reaches `at_least` (a fraction from 0 to 1)."""

    at_least: Fraction
    points: int


@dataclass(frozen=True)
class YesNoScoring:
    """A yes gives `points`, a no gives 0."""

    points: int

    @property
    def max_points(self) -> int:
        """The most this indicator can give."""
        return self.points


@dataclass(frozen=True)
class LevelScoring:
    """The family picks one of `options`."""

    options: tuple[Option, ...]

    @property
    def max_points(self) -> int:
        """The most this indicator can give."""
        return max((option.points for option in self.options), default=0)

    def option(self, option_id: str) -> Option | None:
        """Return the option `option_id`, or None when there is none."""
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True)
class RatioScoring:
    """Two counts are asked; the share part/count picks a band. No count: `when_none`."""

    count_label_vi: str
    count_label_en: str
    part_label_vi: str
    part_label_en: str
    bands: tuple[Band, ...]
    when_none: int

    @property
    def max_points(self) -> int:
        """The most this indicator can give."""
        return max((band.points for band in self.bands), default=0)

    def count_label(self, locale: str) -> str:
        """Return the question asking for the count, in `locale`."""
        return pick(self.count_label_vi, self.count_label_en, locale)

    def part_label(self, locale: str) -> str:
        """Return the question asking for the part, in `locale`."""
        return pick(self.part_label_vi, self.part_label_en, locale)


Scoring = YesNoScoring | LevelScoring | RatioScoring
_KINDS: dict[type, Kind] = {
    YesNoScoring: Kind.YES_NO,
    LevelScoring: Kind.LEVEL,
    RatioScoring: Kind.RATIO,
}


@dataclass(frozen=True)
class Indicator:
    """One question asked to a family, with how its answer is scored."""

    id: str
    label_vi: str
    label_en: str
    scoring: Scoring
    required: bool = True
    min_points: int | None = None
    help_vi: str | None = None
    help_en: str | None = None
    # Filled in by the bot from its own records (see bot.domain.facts), never asked.
    fact: str | None = None
    # A family's answer that group facts add up (see bot.domain.facts).
    measure: str | None = None

    @property
    def kind(self) -> Kind:
        """How the indicator is asked, derived from its scoring."""
        return _KINDS[type(self.scoring)]

    @property
    def max_points(self) -> int:
        """The most this indicator can give."""
        return self.scoring.max_points

    def label(self, locale: str) -> str:
        """Return the question in `locale`."""
        return pick(self.label_vi, self.label_en, locale)

    def help(self, locale: str) -> str | None:
        """Return the explanation shown under the question, if any, in `locale`."""
        if self.help_vi is None or self.help_en is None:
            return None
        return pick(self.help_vi, self.help_en, locale)


@dataclass(frozen=True)
class Criterion:
    """A group of indicators whose points add up to at most `max_points`."""

    id: str
    label_vi: str
    label_en: str
    max_points: int
    indicators: tuple[Indicator, ...]
    min_points: int | None = None

    def label(self, locale: str) -> str:
        """Return the criterion's name in `locale`."""
        return pick(self.label_vi, self.label_en, locale)


@dataclass(frozen=True)
class CriteriaSet:
    """One version of the criteria for one title, as a province or the nation issued it."""

    title: Title
    version: str
    source: str
    default: bool
    max_points: int
    pass_threshold: int
    criteria: tuple[Criterion, ...]
    excellent_threshold: int | None = None
    min_indicator_points: int | None = None
    note_vi: str | None = None
    note_en: str | None = None

    def indicators(self) -> tuple[Indicator, ...]:
        """Return every indicator, criterion by criterion, in file order."""
        return tuple(
            indicator for criterion in self.criteria for indicator in criterion.indicators
        )

    def indicator(self, indicator_id: str) -> Indicator | None:
        """Return the indicator `indicator_id`, or None when the set has none."""
        return next((ind for ind in self.indicators() if ind.id == indicator_id), None)

    def criterion_of(self, indicator_id: str) -> Criterion | None:
        """Return the criterion holding the indicator `indicator_id`, or None."""
        found = (c for c in self.criteria if any(i.id == indicator_id for i in c.indicators))
        return next(found, None)

    def note(self, locale: str) -> str | None:
        """Return the note on the set (why it is a default, what replaces it), in `locale`."""
        if self.note_vi is None or self.note_en is None:
            return None
        return pick(self.note_vi, self.note_en, locale)
