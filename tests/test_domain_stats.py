"""Counting rules, roll-ups, targets, gaps and projections (bot.domain.stats), as tables."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.stats import (
    Numbers,
    Standing,
    StandingRow,
    count_numbers,
    furthest_behind,
    households_to_target,
    inherited_target,
    numbers_by_hamlet,
    projected,
    registrations_to_target,
    roll_up,
    share,
)
from bot.domain.status import Status

S = Status  # short, for the tables

# --- what each household counts as -----------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # on the roster, never registered: in the denominator only
        (StandingRow(None, None, True), Numbers(households=1)),
        # a registration left as a draft is not "registered"
        (StandingRow(S.DRAFT, None, True), Numbers(households=1)),
        (StandingRow(S.REGISTERED, None, True), Numbers(1, 1)),
        (StandingRow(S.SELF_ASSESSED, False, True), Numbers(1, 1, 1)),
        (StandingRow(S.SELF_ASSESSED, True, True), Numbers(1, 1, 1, 1)),
        # returned to fix: it was self-assessed, and still is once fixed
        (StandingRow(S.RETURNED, True, True), Numbers(1, 1, 1, 1)),
        (StandingRow(S.VERIFIED, True, True), Numbers(1, 1, 1, 1, 1)),
        (StandingRow(S.RECOGNISED, True, True), Numbers(1, 1, 1, 1, 1, 1)),
        # the commune decided against it: verified, not recognised
        (StandingRow(S.NOT_RECOGNISED, True, True), Numbers(1, 1, 1, 1, 1, 0)),
        # cannot be reached: counted at its step and as unreachable
        (StandingRow(S.REGISTERED, None, False), Numbers(1, 1, unreachable=1)),
        (StandingRow(None, None, False), Numbers(households=1, unreachable=1)),
    ],
)
def test_each_household_counts_at_every_step_it_has_passed(
    row: StandingRow, expected: Numbers
) -> None:
    assert count_numbers([row]) == expected


def test_grouped_rows_count_as_many_households() -> None:
    grouped = [StandingRow(S.RECOGNISED, True, True, 40), StandingRow(None, None, False, 60)]
    assert count_numbers(grouped) == Numbers(100, 40, 40, 40, 40, 40, 60)


def test_numbers_by_hamlet_keep_hamlets_apart() -> None:
    rows = [
        StandingRow(S.REGISTERED, None, True, 3, "H1"),
        StandingRow(None, None, True, 7, "H1"),
        StandingRow(S.RECOGNISED, True, True, 2, "H2"),
    ]
    assert numbers_by_hamlet(rows) == {
        "H1": Numbers(households=10, registered=3),
        "H2": Numbers(2, 2, 2, 2, 2, 2),
    }


# --- roll-ups up the tree ---------------------------------------------------------------------

PARENTS = {"P": None, "C1": "P", "C2": "P", "H1": "C1", "H2": "C1", "H3": "C2"}


def test_roll_up_adds_every_hamlet_to_each_area_above_it() -> None:
    leaves = {"H1": Numbers(10, 5), "H2": Numbers(20, 1), "H3": Numbers(5, 5, 5)}

    totals = roll_up(PARENTS, leaves)

    assert totals["C1"] == Numbers(30, 6)
    assert totals["C2"] == Numbers(5, 5, 5)
    assert totals["P"] == Numbers(35, 11, 5)
    assert totals["H2"] == Numbers(20, 1)


def test_roll_up_leaves_areas_without_households_out() -> None:
    assert "C2" not in roll_up(PARENTS, {"H1": Numbers(1)})


def test_roll_up_survives_a_loop_in_bad_data() -> None:
    assert roll_up({"A": "B", "B": "A"}, {"A": Numbers(1)}) == {"A": Numbers(1), "B": Numbers(1)}


# --- targets and gaps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ({}, None),
        ({"P": 70}, 70),  # inherited from the province
        ({"P": 70, "C1": 80}, 80),  # the commune's own wins
        ({"P": 70, "H1": 60}, 60),  # and the hamlet's own over both
        ({"C2": 90}, None),  # another commune's does not apply
    ],
)
def test_the_most_specific_target_on_the_path_applies(
    targets: dict[str, int], expected: int | None
) -> None:
    assert inherited_target(["P", "C1", "H1"], targets) == expected


@pytest.mark.parametrize(
    ("households", "recognised", "percent", "gap"),
    [
        (100, 0, 70, 70),
        (100, 69, 70, 1),
        (100, 70, 70, 0),
        (100, 90, 70, 0),  # above the target: no gap, never negative
        (101, 70, 70, 1),  # 70% of 101 is 70.7: 71 households are needed
        (0, 0, 70, 0),
        (100, 10, None, None),
    ],
)
def test_households_to_target(
    households: int, recognised: int, percent: int | None, gap: int | None
) -> None:
    numbers = Numbers(households=households, registered=recognised, recognised=recognised)
    assert households_to_target(numbers, percent) == gap


def test_registrations_to_target_counts_from_the_registered() -> None:
    assert registrations_to_target(Numbers(households=100, registered=63), 70) == 7
    assert registrations_to_target(Numbers(households=100, registered=63), None) is None


@pytest.mark.parametrize(
    ("part", "whole", "percent"), [(0, 0, 0), (699, 1000, 69), (7, 10, 70), (1, 3, 33)]
)
def test_share_rounds_down_so_a_target_is_never_shown_reached_too_early(
    part: int, whole: int, percent: int
) -> None:
    assert share(part, whole) == percent


# --- projection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "today", "expected"),
    [
        (100, date(2026, 1, 1), None),  # no day has passed: no pace yet
        (10, date(2026, 1, 11), 10 + 10 * 354 // 10),  # 1 a day for the 354 days left
        (50, date(2026, 12, 31), 50),  # the last day: nothing left to add
        (50, date(2027, 2, 1), 50),  # after the end: what there is
        (0, date(2026, 6, 1), 0),
    ],
)
def test_projection_carries_the_pace_so_far_to_the_end(
    count: int, today: date, expected: int | None
) -> None:
    assert projected(count, date(2026, 1, 1), today, date(2026, 12, 31)) == expected


# --- ranking ----------------------------------------------------------------------------------


def test_furthest_behind_first_by_households_still_to_register() -> None:
    big_and_behind = Standing("H1", "Thôn Bắc", Numbers(households=200, registered=100))
    small_and_behind = Standing("H2", "Thôn Nam", Numbers(households=20, registered=2))
    on_track = Standing("H3", "Thôn Đông", Numbers(households=50, registered=45))

    ranked = furthest_behind([on_track, small_and_behind, big_and_behind], 70)

    # H1 needs 40 more registrations, H2 12, H3 none
    assert [a.code for a in ranked] == ["H1", "H2", "H3"]


def test_without_a_target_the_lowest_share_registered_comes_first() -> None:
    a = Standing("H1", "A", Numbers(households=200, registered=100))
    b = Standing("H2", "B", Numbers(households=20, registered=2))
    assert [s.code for s in furthest_behind([a, b], None)] == ["H2", "H1"]


def test_numbers_add_step_by_step() -> None:
    assert Numbers(1, 2, 3, 4, 5, 6, 7) + Numbers(1, 1, 1, 1, 1, 1, 1) == Numbers(
        2, 3, 4, 5, 6, 7, 8
    )


def test_ties_are_in_vietnamese_alphabetical_order() -> None:
    level = Numbers(households=10)
    names = ["Xã Đông Hòa", "Xã Yên Phú", "Phường An Bình"]
    ranked = furthest_behind([Standing(n, n, level) for n in names], None)
    assert [s.name for s in ranked] == ["Phường An Bình", "Xã Đông Hòa", "Xã Yên Phú"]


def test_areas_without_households_come_last() -> None:
    empty = Standing("H1", "Thôn A", Numbers())
    started = Standing("H2", "Thôn B", Numbers(households=10, registered=10))
    assert [s.code for s in furthest_behind([empty, started], None)] == ["H2", "H1"]
