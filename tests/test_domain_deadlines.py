"""The year's deadlines (bot.domain.deadlines): days as officers give them, the order of the
year, and when a window refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deadlines import (
    MSG_ORDER,
    MSG_WRONG_YEAR,
    Deadline,
    Deadlines,
    moment_of,
    window_refusal,
    with_day,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
D = Deadline


def test_an_opening_starts_its_day_and_a_closing_ends_it_in_the_communes_zone() -> None:
    assert moment_of(D.REGISTRATION_OPENS, date(2026, 3, 1), ZONE) == datetime(
        2026, 2, 28, 17, 0, tzinfo=UTC
    )
    assert moment_of(D.REGISTRATION_CLOSES, date(2026, 3, 31), ZONE) == datetime(
        2026, 3, 31, 17, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("which", list(Deadline))
def test_the_day_given_is_the_day_shown_back(which: Deadline) -> None:
    deadlines, problem = with_day(Deadlines(), which, date(2026, 10, 15), 2026, ZONE)

    assert problem is None
    assert deadlines.day(which, ZONE) == date(2026, 10, 15)
    assert [d for d in Deadline if deadlines.get(d) is not None] == [which]


@pytest.mark.parametrize(
    ("first", "second", "ok"),
    [
        (
            (D.REGISTRATION_OPENS, date(2026, 3, 1)),
            (D.REGISTRATION_CLOSES, date(2026, 3, 31)),
            True,
        ),
        # one single day: opens at its start, closes at its end
        (
            (D.REGISTRATION_OPENS, date(2026, 3, 1)),
            (D.REGISTRATION_CLOSES, date(2026, 3, 1)),
            True,
        ),
        (
            (D.REGISTRATION_OPENS, date(2026, 3, 2)),
            (D.REGISTRATION_CLOSES, date(2026, 3, 1)),
            False,
        ),
        (
            (D.ASSESSMENT_OPENS, date(2026, 11, 1)),
            (D.ASSESSMENT_CLOSES, date(2026, 10, 31)),
            False,
        ),
        (
            (D.ASSESSMENT_CLOSES, date(2026, 11, 30)),
            (D.VERIFICATION_CLOSES, date(2026, 11, 30)),
            False,
        ),
        (
            (D.ASSESSMENT_CLOSES, date(2026, 11, 30)),
            (D.VERIFICATION_CLOSES, date(2026, 12, 1)),
            True,
        ),
        (
            (D.REGISTRATION_OPENS, date(2026, 12, 1)),
            (D.ASSESSMENT_CLOSES, date(2026, 11, 30)),
            False,
        ),
    ],
)
def test_the_year_keeps_its_order(
    first: tuple[Deadline, date], second: tuple[Deadline, date], ok: bool
) -> None:
    deadlines, problem = with_day(Deadlines(), *first, 2026, ZONE)
    assert problem is None

    after, problem = with_day(deadlines, *second, 2026, ZONE)

    if ok:
        assert problem is None
        assert after.day(second[0], ZONE) == second[1]
    else:
        assert problem is not None
        assert problem.msgid == MSG_ORDER
        assert after == deadlines  # nothing changed


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),
        (date(2027, 1, 31), True),
        (date(2028, 1, 1), False),
    ],
)
def test_days_belong_to_the_campaign_year_or_early_the_next(day: date, ok: bool) -> None:
    _, problem = with_day(Deadlines(), D.VERIFICATION_CLOSES, day, 2026, ZONE)
    assert (problem is None) == ok
    if not ok:
        assert problem is not None
        assert problem.msgid == MSG_WRONG_YEAR


def test_clearing_a_deadline_lifts_its_limit() -> None:
    deadlines, _ = with_day(Deadlines(), D.REGISTRATION_CLOSES, date(2026, 3, 31), 2026, ZONE)
    cleared, problem = with_day(deadlines, D.REGISTRATION_CLOSES, None, 2026, ZONE)
    assert problem is None
    assert cleared == Deadlines()


OPENS = datetime(2026, 3, 1, tzinfo=UTC)
CLOSES = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (OPENS - timedelta(seconds=1), (True, OPENS)),
        (OPENS, None),
        (CLOSES - timedelta(seconds=1), None),
        (CLOSES, (False, CLOSES)),
    ],
)
def test_a_window_refuses_before_it_opens_and_once_it_closed(
    now: datetime, expected: tuple[bool, datetime] | None
) -> None:
    assert window_refusal(OPENS, CLOSES, now) == expected
    assert window_refusal(None, None, now) is None
