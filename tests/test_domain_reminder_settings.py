"""A commune's reminders (bot.domain.reminder_settings): its changes over the shipped rules,
which rules can be sent, and the days officers read and type."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deadlines import Deadline, Deadlines, moment_of
from bot.domain.parsers import InputError
from bot.domain.reminder_settings import (
    AUDIENCE_LABELS,
    MSG_AFTER,
    MSG_BEFORE,
    MSG_DAY_AFTER,
    MSG_DAY_BEFORE,
    MSG_DAYS,
    MSG_DAYS_CLOSING,
    MSG_DAYS_LEFT,
    MSG_HOUR,
    MSG_LAST_DAY,
    MSG_ON_THE_DAY,
    MSG_WEEKLY,
    RULE_NAMES,
    RuleChange,
    effective_rules,
    officer_days,
    offset_for_days,
    parse_days,
    parse_hour,
    sendable,
    when_msgid,
)
from bot.domain.reminders import MESSAGES, Audience
from bot.reminder_files import load_default_rules

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = {rule.key: rule for rule in load_default_rules()}
VERIFICATION = moment_of(Deadline.VERIFICATION_CLOSES, date(2026, 11, 15), ZONE)


def test_a_communes_change_replaces_the_shipped_values_of_that_rule_only() -> None:
    changes = {"assessment_due_7": RuleChange(False, -9, 17)}

    rules = {rule.key: rule for rule in effective_rules(load_default_rules(), changes)}

    changed = rules["assessment_due_7"]
    assert (changed.active, changed.offset_days, changed.hour) == (False, -9, 17)
    assert rules["assessment_due_14"] == RULES["assessment_due_14"]
    assert list(rules) == list(RULES)  # in the shipped order


def test_a_weekly_rule_keeps_no_offset_whatever_was_stored() -> None:
    changes = {"verification_digest_weekly": RuleChange(True, 5, 9)}

    [weekly] = [r for r in effective_rules(load_default_rules(), changes) if r.weekday is not None]

    assert (weekly.offset_days, weekly.hour) == (0, 9)


@pytest.mark.parametrize(
    ("key", "deadlines", "now", "expected"),
    [
        ("assessment_due_14", Deadlines(), datetime(2026, 10, 1, tzinfo=UTC), False),
        (
            "verification_digest_weekly",
            Deadlines(verification_closes=VERIFICATION),
            datetime(2026, 11, 9, tzinfo=UTC),
            True,
        ),
        (
            "verification_digest_weekly",
            Deadlines(verification_closes=VERIFICATION),
            VERIFICATION,
            False,
        ),
        ("verification_digest_weekly", Deadlines(), datetime(2026, 11, 9, tzinfo=UTC), False),
        (
            "officer_digest",
            Deadlines(verification_closes=VERIFICATION),
            datetime(2027, 1, 1, tzinfo=UTC),
            True,
        ),
    ],
)
def test_a_rule_is_sendable_when_the_date_its_message_names_is_set(
    key: str, deadlines: Deadlines, now: datetime, expected: bool
) -> None:
    assert sendable(RULES[key], deadlines, now) is expected


@pytest.mark.parametrize(
    ("anchor", "offset", "days"),
    [
        (Deadline.ASSESSMENT_CLOSES, -13, -14),  # 14 days left, counting the last day
        (Deadline.ASSESSMENT_CLOSES, 0, -1),  # the last day: the day before it closes
        (Deadline.VERIFICATION_CLOSES, 1, 1),  # the day after it closes
        (Deadline.VERIFICATION_CLOSES, 3, 3),
        (Deadline.REGISTRATION_OPENS, 0, 0),  # on the day it opens
        (Deadline.REGISTRATION_OPENS, -2, -2),
        (Deadline.REGISTRATION_OPENS, 5, 5),
    ],
)
def test_officers_days_and_offsets_convert_both_ways(
    anchor: Deadline, offset: int, days: int
) -> None:
    rule = replace(RULES["assessment_due_14"], anchor=anchor, offset_days=offset)

    assert officer_days(rule) == days
    assert offset_for_days(rule, days) == offset


@pytest.mark.parametrize(
    ("anchor", "offset", "msgid"),
    [
        (Deadline.ASSESSMENT_CLOSES, -13, MSG_DAYS_LEFT),  # when 14 days are left
        (Deadline.ASSESSMENT_CLOSES, 0, MSG_LAST_DAY),
        (Deadline.VERIFICATION_CLOSES, 1, MSG_DAY_AFTER),
        (Deadline.VERIFICATION_CLOSES, 4, MSG_AFTER),
        (Deadline.REGISTRATION_OPENS, -3, MSG_BEFORE),
        (Deadline.REGISTRATION_OPENS, -1, MSG_DAY_BEFORE),
        (Deadline.REGISTRATION_OPENS, 0, MSG_ON_THE_DAY),
        (Deadline.ASSESSMENT_OPENS, 1, MSG_DAY_AFTER),
        (None, 0, MSG_WEEKLY),
    ],
)
def test_when_a_rule_runs_is_said_in_words(
    anchor: Deadline | None, offset: int, msgid: str
) -> None:
    rule = replace(RULES["assessment_due_14"], anchor=anchor, offset_days=offset)

    assert when_msgid(rule) == msgid


def test_a_weekly_rule_has_no_days() -> None:
    assert officer_days(RULES["verification_digest_weekly"]) is None


def test_zero_days_from_a_closing_date_is_explained() -> None:
    with pytest.raises(InputError) as error:
        offset_for_days(RULES["assessment_due_1"], 0)

    assert error.value.msgid == MSG_DAYS_CLOSING


@pytest.mark.parametrize(
    ("text", "days"), [("-14", -14), (" +1 ", 1), ("3", 3), ("−7", -7), ("- 2", -2), ("60", 60)]
)
def test_days_are_typed_with_a_sign(text: str, days: int) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["", "two", "61", "-61", "1.5"])
def test_other_days_are_refused_with_the_range(text: str) -> None:
    with pytest.raises(InputError) as error:
        parse_days(text)

    assert (error.value.msgid, error.value.params) == (MSG_DAYS, {"maximum": 60})


@pytest.mark.parametrize(("text", "hour"), [("8", 8), ("08", 8), ("8:00", 8), ("17h", 17)])
def test_an_hour_is_typed_plainly(text: str, hour: int) -> None:
    assert parse_hour(text) == hour


@pytest.mark.parametrize("text", ["24", "-1", "eight", "", "8:30"])
def test_other_hours_are_refused(text: str) -> None:
    with pytest.raises(InputError) as error:
        parse_hour(text)

    assert error.value.msgid == MSG_HOUR


def test_every_message_and_audience_has_a_name_for_officers() -> None:
    assert set(RULE_NAMES) == set(MESSAGES)
    assert set(AUDIENCE_LABELS) == set(Audience)
