"""Counting the movement: how many households stand at each step, rolled up the area tree,
against the target, with the gap in households and a projection from the pace so far.

The counting rules, in one place:
- the denominator is every household on the roster, registered or not, including households
  erased with /forget (they stay, anonymous, so that totals do not shrink);
- a household counts as registered for a year once its registration for the title is past
  the draft, and at every later step it has passed (a recognised one was also registered,
  self-assessed and verified);
- "passed" is a self-assessment that reached the pass mark of its criteria set.

Pure: no clock (the caller passes dates), no storage, no framework.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date

from bot.domain.status import Status
from bot.domain.text import search_key


@dataclass(frozen=True)
class Numbers:
    """An area's households in a year, at each step of the movement."""

    households: int = 0
    registered: int = 0
    self_assessed: int = 0
    passed: int = 0
    verified: int = 0
    recognised: int = 0
    unreachable: int = 0

    def __add__(self, other: Numbers) -> Numbers:
        # Field by field: dataclasses.astuple deep-copies, ten times slower in a roll-up.
        return Numbers(
            self.households + other.households,
            self.registered + other.registered,
            self.self_assessed + other.self_assessed,
            self.passed + other.passed,
            self.verified + other.verified,
            self.recognised + other.recognised,
            self.unreachable + other.unreachable,
        )


STEPS = tuple(f.name for f in fields(Numbers))

# A household counts at every step it has passed.
SELF_ASSESSED_OR_LATER = frozenset(
    {
        Status.SELF_ASSESSED,
        Status.VERIFIED,
        Status.RETURNED,
        Status.RECOGNISED,
        Status.NOT_RECOGNISED,
    }
)
VERIFIED_OR_LATER = frozenset({Status.VERIFIED, Status.RECOGNISED, Status.NOT_RECOGNISED})


@dataclass(frozen=True)
class StandingRow:
    """Households of one standing this year, as the numbers count them: `count` of them
    (storage groups equal rows), in `hamlet_code` when counted over several hamlets."""

    status: Status | None  # None: not registered this year
    passed: bool | None
    reachable: bool
    count: int = 1
    hamlet_code: str = ""


def count_numbers(rows: Iterable[StandingRow]) -> Numbers:
    counts = dict.fromkeys(STEPS, 0)
    for row in rows:
        counts["households"] += row.count
        counts["unreachable"] += 0 if row.reachable else row.count
        if row.status is None or row.status == Status.DRAFT:
            continue
        counts["registered"] += row.count
        if row.status in SELF_ASSESSED_OR_LATER:
            counts["self_assessed"] += row.count
            counts["passed"] += row.count if row.passed else 0
        counts["verified"] += row.count if row.status in VERIFIED_OR_LATER else 0
        counts["recognised"] += row.count if row.status == Status.RECOGNISED else 0
    return Numbers(**counts)


def numbers_by_hamlet(rows: Iterable[StandingRow]) -> dict[str, Numbers]:
    grouped: dict[str, list[StandingRow]] = defaultdict(list)
    for row in rows:
        grouped[row.hamlet_code].append(row)
    return {code: count_numbers(group) for code, group in grouped.items()}


def roll_up(
    parents: Mapping[str, str | None], leaves: Mapping[str, Numbers]
) -> dict[str, Numbers]:
    """Each area's numbers: its own plus those of every area below it. `parents` maps each
    area code to its parent's (None at the top); a leaf missing from it counts only itself."""
    totals: dict[str, Numbers] = defaultdict(Numbers)
    for code, numbers in leaves.items():
        seen: set[str] = set()
        at: str | None = code
        while at is not None and at not in seen:  # a loop in bad data must not hang
            seen.add(at)
            totals[at] += numbers
            at = parents.get(at)
    return dict(totals)


def inherited_target(
    path_codes: Iterable[str], targets: Mapping[str, int], national: int | None = None
) -> int | None:
    """The most specific target on an area's path (top-down codes): a hamlet without its own
    target inherits its commune's, a commune its province's, the top the `national` one."""
    found = national
    for code in path_codes:
        found = targets.get(code, found)
    return found


def needed_for(numbers: Numbers, percent: int) -> int:
    """Households to be recognised for `percent` of the roster (rounded up: 70% of 101 is
    71, not 70.7)."""
    return math.ceil(numbers.households * percent / 100)


def households_to_target(numbers: Numbers, percent: int | None) -> int | None:
    """How many more households must be recognised to reach `percent` of the roster
    (None when no target is set)."""
    if percent is None:
        return None
    return max(0, needed_for(numbers, percent) - numbers.recognised)


def registrations_to_target(numbers: Numbers, percent: int | None) -> int | None:
    """How many more households must at least register for the target to be reachable: a
    family is recognised only after registering."""
    if percent is None:
        return None
    return max(0, needed_for(numbers, percent) - numbers.registered)


def share(part: int, whole: int) -> int:
    """A whole percentage, rounded down so that 69.9% never shows as a reached 70%."""
    return part * 100 // whole if whole else 0


def projected(count: int, since: date, today: date, until: date) -> int | None:
    """`count` carried on at the pace so far (per day since `since`) until `until`; None
    when no day has passed yet to measure a pace."""
    elapsed = (today - since).days
    if elapsed <= 0:
        return None
    remaining = max(0, (until - today).days)
    return count + math.floor(count * remaining / elapsed)


@dataclass(frozen=True)
class Standing:
    """One area below the one asked about, for the ranking."""

    code: str
    name: str
    numbers: Numbers


def furthest_behind(areas: Iterable[Standing], percent: int | None) -> list[Standing]:
    """Areas from the furthest behind: most households still to register for the target,
    then the lowest share registered, then by name. Without a target, by share only. Areas
    without any household come last: they are not behind, there is nobody to count."""

    def key(area: Standing) -> tuple[bool, int, int, str]:
        missing = registrations_to_target(area.numbers, percent) or 0
        registered = share(area.numbers.registered, area.numbers.households)
        return (area.numbers.households == 0, -missing, registered, search_key(area.name))

    return sorted(areas, key=key)
