"""Facts the bot already knows, filled into an assessment instead of being asked.

A criteria file marks an indicator of kind "ratio" with `fact = "<name>"`: its two counts come
from the bot's own records (member families recognised, staff who are learning citizens...),
so the subject is not asked them and cannot overstate them. Which facts exist, and for which
title, is decided here; how many points a share is worth stays in the file.

A family's indicator may be marked `measure = "<name>"` instead: its answers, summed over
several families, make a fact of a group (the children in school across a clan).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.criteria_model import CriteriaSet, Indicator, Title
from bot.domain.messages import N_
from bot.domain.scoring import Answer, Ratio
from bot.domain.status import Status


class Fact(StrEnum):
    """A share the bot computes: part of count."""

    # Dòng họ: member households that are learning families this year.
    CLAN_LEARNING_FAMILIES = "clan.learning_families"
    # Dòng họ: school-age children of member households who go to school, as those
    # households answered their own "children in school" question.
    CLAN_CHILDREN_IN_SCHOOL = "clan.children_in_school"
    # Cộng đồng (thôn): households of the hamlet registered for the family title this year.
    HAMLET_FAMILIES_REGISTERED = "hamlet.families_registered"
    # Cộng đồng (thôn): households of the hamlet that are learning families this year.
    HAMLET_LEARNING_FAMILIES = "hamlet.learning_families"
    # Cộng đồng (thôn): clans with a member household in the hamlet that are learning clans.
    HAMLET_LEARNING_CLANS = "hamlet.learning_clans"
    # Đơn vị: staff of the unit who are learning citizens this year.
    UNIT_LEARNING_CITIZENS = "unit.learning_citizens"


class Measure(StrEnum):
    """A family's answer that group facts add up."""

    CHILDREN_IN_SCHOOL = "children_in_school"


FACT_TITLE: Mapping[Fact, Title] = {
    Fact.CLAN_LEARNING_FAMILIES: Title.DONG_HO,
    Fact.CLAN_CHILDREN_IN_SCHOOL: Title.DONG_HO,
    Fact.HAMLET_FAMILIES_REGISTERED: Title.CONG_DONG,
    Fact.HAMLET_LEARNING_FAMILIES: Title.CONG_DONG,
    Fact.HAMLET_LEARNING_CLANS: Title.CONG_DONG,
    Fact.UNIT_LEARNING_CITIZENS: Title.DON_VI,
}
MEASURE_TITLE: Mapping[Measure, Title] = {Measure.CHILDREN_IN_SCHOOL: Title.GIA_DINH}

# Where each figure comes from, as shown beside it.
FACT_SOURCES: Mapping[Fact, str] = {
    Fact.CLAN_LEARNING_FAMILIES: N_(
        "From the bot's records: member families recognised as learning families this year, "
        "or whose self-assessment passed"
    ),
    Fact.CLAN_CHILDREN_IN_SCHOOL: N_("From the member families' own self-assessments this year"),
    Fact.HAMLET_FAMILIES_REGISTERED: N_(
        "From the bot's records: families of the hamlet registered this year"
    ),
    Fact.HAMLET_LEARNING_FAMILIES: N_(
        "From the bot's records: families of the hamlet recognised this year, or whose "
        "self-assessment passed"
    ),
    Fact.HAMLET_LEARNING_CLANS: N_(
        "From the bot's records: clans with families in the hamlet recognised this year, or "
        "whose self-assessment passed"
    ),
    Fact.UNIT_LEARNING_CITIZENS: N_(
        "From the bot's records: staff who self-assessed as learning citizens with the "
        "unit's code and passed"
    ),
}


@dataclass(frozen=True)
class Share:
    """`part` of `count`, as the bot counted them."""

    count: int
    part: int

    def __post_init__(self) -> None:
        if not 0 <= self.part <= self.count:
            raise ValueError(f"a share needs 0 <= part <= count, got {self.part}/{self.count}")

    def plus(self, other: Share) -> Share:
        return Share(self.count + other.count, self.part + other.part)


NO_SHARE = Share(0, 0)

# A subject counts as holding its title this year once recognised, or, before the commune
# decides, when its submitted self-assessment passed (the figures communes report).
PASSING_STATUSES = frozenset({Status.SELF_ASSESSED, Status.VERIFIED})


def is_learning(status: Status, passed: bool | None) -> bool:
    """Whether a registration counts as holding its title for group facts."""
    return status == Status.RECOGNISED or (passed is True and status in PASSING_STATUSES)


def asked(criteria: CriteriaSet) -> tuple[Indicator, ...]:
    """The indicators the subject answers: every one the bot does not fill in."""
    return tuple(indicator for indicator in criteria.indicators() if indicator.fact is None)


def facts_needed(criteria: CriteriaSet) -> frozenset[Fact]:
    """The facts a set's indicators are filled from."""
    return frozenset(Fact(i.fact) for i in criteria.indicators() if i.fact is not None)


def with_facts(
    criteria: CriteriaSet, answers: Mapping[str, Answer], facts: Mapping[Fact, Share]
) -> dict[str, Answer]:
    """`answers` with every fact indicator filled from `facts` (what the subject typed for
    such an indicator never counts). A fact not given leaves its indicator unanswered."""
    filled = {key: value for key, value in answers.items() if not _is_fact(criteria, key)}
    for indicator in criteria.indicators():
        share = facts.get(Fact(indicator.fact)) if indicator.fact else None
        if share is not None:
            filled[indicator.id] = Ratio(share.count, share.part)
    return filled


def measured(criteria: CriteriaSet, answers: Mapping[str, Answer], measure: Measure) -> Share:
    """What one family's answers say for `measure` (nothing when it did not answer)."""
    shares = [
        Share(answer.count, answer.part)
        for indicator in criteria.indicators()
        if indicator.measure == measure
        and isinstance(answer := answers.get(indicator.id), Ratio)
        and 0 <= answer.part <= answer.count
    ]
    return total(shares)


def total(shares: Iterable[Share]) -> Share:
    """The shares added up."""
    result = NO_SHARE
    for share in shares:
        result = result.plus(share)
    return result


def _is_fact(criteria: CriteriaSet, indicator_id: str) -> bool:
    indicator = criteria.indicator(indicator_id)
    return indicator is not None and indicator.fact is not None
