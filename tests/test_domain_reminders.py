"""Reminder rules (bot.domain.reminders): the rules file and its problems, the shipped
defaults, when each rule falls due and for how long, and the days left it announces."""

from __future__ import annotations

import json
import string
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.deadlines import Deadline, Deadlines, moment_of
from bot.domain.reminder_rules import ReminderRulesError, parse_rules, with_changes
from bot.domain.reminders import (
    MESSAGE_AUDIENCE,
    MESSAGE_DEADLINE,
    MESSAGES,
    Audience,
    ReminderRule,
    days_left,
    due_now,
    next_occurrence,
)
from bot.reminder_files import SHIPPED, load_default_rules

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
D = Deadline
# The days an officer gave: registration opens 1 Sep, self-assessment's last day is 31 Oct,
# verification's last day is 15 Nov (2026).
CLOSES = moment_of(D.ASSESSMENT_CLOSES, date(2026, 10, 31), ZONE)
DEADLINES = Deadlines(
    registration_opens=moment_of(D.REGISTRATION_OPENS, date(2026, 9, 1), ZONE),
    assessment_closes=CLOSES,
    verification_closes=moment_of(D.VERIFICATION_CLOSES, date(2026, 11, 15), ZONE),
)
RULES = {rule.key: rule for rule in load_default_rules()}


def local(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# The defaults' occurrences: 08:00 in Vietnam is 01:00 UTC.
OCC = {
    "registration_opens": utc(9, 1, 1),
    "assessment_due_14": utc(10, 18, 1),
    "assessment_due_7": utc(10, 25, 1),
    "assessment_due_1": utc(10, 31, 1),
    "officer_digest": utc(11, 16, 1),
    "citizen_assessment_due_7": utc(10, 25, 1),
    "clan_assessment_due_7": utc(10, 25, 1),
    "hamlet_assessment_due_7": utc(10, 25, 1),
    "unit_assessment_due_7": utc(10, 25, 1),
}


# --- the rules file --------------------------------------------------------------------------

VALID = {
    "key": "k",
    "audience": "registered_not_assessed",
    "message": "assessment_due",
    "anchor": "assessment_closes",
    "offset_days": -6,
    "hour": 8,
}
WEEKLY = {"anchor": None, "offset_days": None, "weekday": 0}


def table(**changes: object) -> str:
    """One [[rules]] table: VALID with `changes` (None drops a field)."""
    fields = {**VALID, **changes}
    lines = [
        f"{name} = {json.dumps(value)}" for name, value in fields.items() if value is not None
    ]
    return "[[rules]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(table(hour=24), ["rules[0].hour: must be between 0 and 23"], id="hour-24"),
        pytest.param(table(hour=-1), ["rules[0].hour: must be between 0 and 23"], id="hour-neg"),
        pytest.param(table(hour="8"), ["rules[0].hour: must be a whole number"], id="hour-text"),
        pytest.param(table(hour=True), ["rules[0].hour: must be a whole number"], id="hour-bool"),
        pytest.param(table(hour=None), ["rules[0].hour: missing"], id="hour-missing"),
        pytest.param(table(key=None), ["rules[0].key: missing"], id="key-missing"),
        pytest.param(table(key=" "), ["rules[0].key: must be non-empty text"], id="key-blank"),
        pytest.param(
            table(audience="all"), ['rules[0].audience: unknown audience "all"'], id="audience"
        ),
        pytest.param(table(audience=3), ["rules[0].audience: must be text"], id="audience-int"),
        pytest.param(table(message="x"), ['rules[0].message: unknown message "x"'], id="message"),
        pytest.param(
            table(anchor="tomorrow"), ['rules[0].anchor: unknown anchor "tomorrow"'], id="anchor"
        ),
        pytest.param(
            table(offset_days=61),
            ["rules[0].offset_days: must be between -60 and 60"],
            id="offset-far",
        ),
        pytest.param(
            table(**WEEKLY | {"weekday": 7}),
            ["rules[0].weekday: must be between 0 and 6"],
            id="weekday-7",
        ),
        pytest.param(table(active="yes"), ["rules[0].active: must be true or false"], id="active"),
        pytest.param(table(colour="red"), ["rules[0].colour: unknown field"], id="unknown-field"),
        pytest.param(
            table(anchor=None), ["rules[0]: a rule needs either anchor or weekday"], id="neither"
        ),
        pytest.param(
            table(weekday=0),
            ["rules[0]: a rule needs either anchor or weekday, not both"],
            id="both",
        ),
        pytest.param(
            table(**WEEKLY | {"offset_days": 1}),
            ["rules[0].offset_days: a weekly rule takes no offset"],
            id="weekly-offset",
        ),
        pytest.param(
            table(message="officer_digest"),
            ['rules[0].message: "officer_digest" is written for audience commune_officers'],
            id="message-audience",
        ),
        pytest.param(
            table(key="a") + table(key="b") + table(key="a"),
            ['rules[2].key: duplicate key "a" (see rules[0])'],
            id="duplicate",
        ),
        pytest.param(
            table(hour=30) + table(key="b") + table(key="c", message="x"),
            ["rules[0].hour: must be", 'rules[2].message: unknown message "x"'],
            id="all-problems-at-once",
        ),
        pytest.param("[[rules]\nkey =", ["toml: "], id="toml-syntax"),
        pytest.param('title = "x"\n', ["title: unknown field", "rules: must be"], id="no-rules"),
        pytest.param("rules = 3\n", ["rules: must be a list of [[rules]] tables"], id="rules-int"),
        pytest.param("rules = [1]\n", ["rules[0]: must be a [[rules]] table"], id="rule-int"),
    ],
)
def test_a_broken_rules_file_names_every_problem_by_its_place(
    text: str, expected: list[str]
) -> None:
    with pytest.raises(ReminderRulesError) as raised:
        parse_rules(text)

    problems = raised.value.problems
    assert len(problems) == len(expected), problems
    assert all(p.startswith(e) for p, e in zip(problems, expected, strict=True)), problems


PARSED = ReminderRule(
    "k", Audience.REGISTERED_NOT_ASSESSED, "assessment_due", D.ASSESSMENT_CLOSES, -6, 8, None
)
WEEKLY_DIGEST = {"audience": "hamlet_heads", "message": "verification_digest"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(table(), (PARSED,), id="anchored"),
        pytest.param(
            table(**WEEKLY | WEEKLY_DIGEST),
            (ReminderRule("k", Audience.HAMLET_HEADS, "verification_digest", None, 0, 8, 0),),
            id="weekly",
        ),
        pytest.param(table(active=False), (replace(PARSED, active=False),), id="inactive"),
        pytest.param("rules = []\n", (), id="empty"),
    ],
)
def test_a_valid_table_becomes_a_rule(text: str, expected: tuple[ReminderRule, ...]) -> None:
    assert parse_rules(text) == expected


@pytest.mark.parametrize(
    ("message", "placeholders"),
    [
        ("registration_opens", {"year", "deadline"}),
        ("assessment_due", {"name", "year", "deadline", "days_left"}),
        ("verification_digest", {"count", "hamlet", "deadline"}),
        ("officer_digest", {"year", "deadline", "commune", "verified", "waiting", "returned"}),
    ],
)
def test_each_message_has_its_placeholders_audience_and_deadline(
    message: str, placeholders: set[str]
) -> None:
    found = {name for _, name, _, _ in string.Formatter().parse(MESSAGES[message]) if name}
    assert found == placeholders
    assert message in MESSAGE_AUDIENCE
    assert message in MESSAGE_DEADLINE


# --- the shipped defaults --------------------------------------------------------------------


def test_the_shipped_file_holds_ten_rules_that_parse() -> None:
    assert load_default_rules() == parse_rules(SHIPPED.read_text("utf-8"))
    assert list(RULES) == [
        "registration_opens",
        "assessment_due_14",
        "assessment_due_7",
        "assessment_due_1",
        "verification_digest_weekly",
        "officer_digest",
        "citizen_assessment_due_7",
        "clan_assessment_due_7",
        "hamlet_assessment_due_7",
        "unit_assessment_due_7",
    ]


@pytest.mark.parametrize(
    ("key", "left"), [("assessment_due_14", 14), ("assessment_due_7", 7), ("assessment_due_1", 1)]
)
def test_the_assessment_reminders_announce_14_7_and_1_days_left(key: str, left: int) -> None:
    moment = next_occurrence(RULES[key], DEADLINES, utc(8, 1), ZONE)

    assert moment is not None
    assert days_left(CLOSES, moment, ZONE) == left


@pytest.mark.parametrize(
    ("key", "now", "expected"),
    [
        *[pytest.param(key, utc(8, 1), moment, id=key) for key, moment in OCC.items()],
        pytest.param("assessment_due_7", OCC["assessment_due_7"], None, id="at-is-not-after"),
        pytest.param("officer_digest", utc(12, 1), None, id="past"),
        # Monday 19 Oct 08:00 local; on Monday 07:59 the next is that day, at 08:00 a week on
        pytest.param("verification_digest_weekly", local(10, 17), utc(10, 19, 1), id="weekly-sat"),
        pytest.param(
            "verification_digest_weekly", local(10, 19, 7, 59), utc(10, 19, 1), id="weekly-mon"
        ),
        pytest.param(
            "verification_digest_weekly", local(10, 19, 8), utc(10, 26, 1), id="weekly-next"
        ),
    ],
)
def test_next_occurrence_is_at_the_local_hour_in_utc(
    key: str, now: datetime, expected: datetime | None
) -> None:
    assert next_occurrence(RULES[key], DEADLINES, now, ZONE) == expected


@pytest.mark.parametrize("key", [k for k, rule in RULES.items() if rule.anchor])
def test_no_occurrence_without_the_anchor_deadline(key: str) -> None:
    assert next_occurrence(RULES[key], Deadlines(), utc(8, 1), ZONE) is None
    assert due_now([RULES[key]], Deadlines(), utc(12, 31), ZONE, ()) == []


# --- what is due now ---------------------------------------------------------------------------

MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
ASSESSMENT = ("assessment_due_14", "assessment_due_7", "assessment_due_1")
WEEKLY_KEY = "verification_digest_weekly"


def due(
    keys: tuple[str, ...], now: datetime, done: tuple[tuple[str, datetime], ...]
) -> list[tuple[str, datetime]]:
    found = due_now([RULES[k] for k in keys], DEADLINES, now, ZONE, done)
    return [(rule.key, moment) for rule, moment in found]


@pytest.mark.parametrize(
    ("keys", "now", "done", "expected"),
    [
        pytest.param(ASSESSMENT, OCC["assessment_due_14"] - MINUTE, (), [], id="before"),
        pytest.param(
            ASSESSMENT,
            OCC["assessment_due_14"],
            (),
            [("assessment_due_14", OCC["assessment_due_14"])],
            id="at",
        ),
        pytest.param(
            ASSESSMENT,
            local(10, 20, 15),
            (),
            [("assessment_due_14", OCC["assessment_due_14"])],
            id="missed-while-down-before-the-deadline",
        ),
        pytest.param(
            ASSESSMENT,
            local(10, 20, 15),
            (("assessment_due_14", local(10, 18, 8)),),
            [],
            id="done-compared-as-aware-moments",
        ),
        pytest.param(
            ASSESSMENT,
            local(10, 26),
            (),
            [("assessment_due_7", OCC["assessment_due_7"])],
            id="the-7-day-supersedes-the-14-day",
        ),
        pytest.param(
            ASSESSMENT,
            local(10, 26),
            (("assessment_due_7", OCC["assessment_due_7"]),),
            [],
            id="superseded-stays-superseded",
        ),
        pytest.param(
            ASSESSMENT,
            local(10, 31, 23, 59),
            (),
            [("assessment_due_1", OCC["assessment_due_1"])],
            id="last-day-until-its-end",
        ),
        pytest.param(ASSESSMENT, local(11, 1), (), [], id="none-once-closed"),
        pytest.param(
            ("officer_digest",),
            OCC["officer_digest"] + DAY - MINUTE,
            (),
            [("officer_digest", OCC["officer_digest"])],
            id="after-the-anchor-24h-grace",
        ),
        pytest.param(("officer_digest",), OCC["officer_digest"] + DAY, (), [], id="grace-over"),
        pytest.param(
            ("registration_opens",),
            OCC["registration_opens"] + DAY - MINUTE,
            (),
            [("registration_opens", OCC["registration_opens"])],
            id="opening-day-24h-grace",
        ),
        pytest.param(
            ("registration_opens",), OCC["registration_opens"] + DAY, (), [], id="opening-over"
        ),
        pytest.param(
            ("registration_opens", *ASSESSMENT, "officer_digest"),
            local(10, 26),
            (),
            [("assessment_due_7", OCC["assessment_due_7"])],
            id="other-audiences-not-superseded-nor-due",
        ),
        # Mondays 12 and 19 Oct 2026, 08:00 local
        pytest.param((WEEKLY_KEY,), local(10, 19, 7, 59), (), [], id="weekly-before"),
        pytest.param(
            (WEEKLY_KEY,), local(10, 19, 8), (), [(WEEKLY_KEY, utc(10, 19, 1))], id="weekly-at"
        ),
        pytest.param(
            (WEEKLY_KEY,),
            local(10, 20, 7, 59),
            (),
            [(WEEKLY_KEY, utc(10, 19, 1))],
            id="weekly-within-24h",
        ),
        pytest.param((WEEKLY_KEY,), local(10, 20, 8), (), [], id="weekly-after-24h"),
        pytest.param(
            (WEEKLY_KEY,),
            local(10, 19, 9),
            ((WEEKLY_KEY, utc(10, 12, 1)),),
            [(WEEKLY_KEY, utc(10, 19, 1))],
            id="last-weeks-done-does-not-count",
        ),
        pytest.param(
            (WEEKLY_KEY,), local(10, 19, 9), ((WEEKLY_KEY, utc(10, 19, 1)),), [], id="weekly-done"
        ),
    ],
)
def test_due_now(
    keys: tuple[str, ...],
    now: datetime,
    done: tuple[tuple[str, datetime], ...],
    expected: list[tuple[str, datetime]],
) -> None:
    assert due(keys, now, done) == expected


@pytest.mark.parametrize("key", list(RULES))
def test_an_inactive_rule_is_never_due(key: str) -> None:
    rule = with_changes(RULES[key], active=False)
    moment = OCC.get(key, utc(10, 19, 1))

    assert due_now([rule], DEADLINES, moment, ZONE, ()) == []
    assert due_now([RULES[key]], DEADLINES, moment, ZONE, ()) == [(RULES[key], moment)]


@given(
    now=st.datetimes(datetime(2026, 8, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
    data=st.data(),
)
def test_due_now_never_returns_what_is_done_nor_what_is_to_come(
    now: datetime, data: st.DataObject
) -> None:
    rules = load_default_rules()
    first = [(rule.key, moment) for rule, moment in due_now(rules, DEADLINES, now, ZONE, ())]
    shifted = [(key, now + timedelta(hours=h)) for key, h in zip(RULES, range(-3, 7), strict=True)]
    done = data.draw(st.sets(st.sampled_from(first + shifted)))

    found = due_now(rules, DEADLINES, now, ZONE, done)

    assert all((rule.key, moment) not in done and moment <= now for rule, moment in found)


# --- days left and changes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(local(10, 31, 8), 1, id="last-day"),
        pytest.param(local(10, 31, 23, 59), 1, id="last-minute"),
        pytest.param(utc(10, 30, 18), 1, id="utc-evening-is-the-local-last-day"),
        pytest.param(local(10, 30, 23, 59), 2, id="day-before"),
        pytest.param(local(10, 18), 14, id="two-weeks"),
        pytest.param(local(11, 1), 0, id="closed"),
        pytest.param(local(12, 1), 0, id="never-negative"),
    ],
)
def test_days_left_count_today(now: datetime, expected: int) -> None:
    assert days_left(CLOSES, now, ZONE) == expected


@pytest.mark.parametrize(
    ("key", "changes", "expected"),
    [
        pytest.param("assessment_due_7", {"hour": 0}, {"hour": 0}, id="hour-0"),
        pytest.param("assessment_due_7", {"hour": 23}, {"hour": 23}, id="hour-23"),
        pytest.param("assessment_due_7", {"offset_days": -60}, {"offset_days": -60}, id="-60"),
        pytest.param("officer_digest", {"offset_days": 60}, {"offset_days": 60}, id="+60"),
        pytest.param(WEEKLY_KEY, {"offset_days": 0, "active": False}, {"active": False}, id="off"),
        pytest.param("assessment_due_7", {}, {}, id="nothing"),
    ],
)
def test_with_changes_changes_only_what_is_given(
    key: str, changes: dict[str, int], expected: dict[str, int]
) -> None:
    assert with_changes(RULES[key], **changes) == replace(RULES[key], **expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "changes", "message"),
    [
        pytest.param("assessment_due_7", {"hour": 24}, "hour: must be between 0 and 23", id="h"),
        pytest.param("assessment_due_7", {"hour": -1}, "hour: must be between 0 and 23", id="h-"),
        pytest.param(
            "assessment_due_7", {"offset_days": 61}, "offset_days: must be between", id="far"
        ),
        pytest.param(
            "officer_digest", {"offset_days": -61}, "offset_days: must be between", id="far-"
        ),
        pytest.param(
            WEEKLY_KEY, {"offset_days": 1}, "offset_days: a weekly rule takes no offset", id="wk"
        ),
    ],
)
def test_with_changes_refuses_what_the_file_would(
    key: str, changes: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{message}"):
        with_changes(RULES[key], **changes)  # type: ignore[arg-type]


def test_each_titles_reminder_of_a_day_is_sent_none_supersedes_anothers() -> None:
    found = due_now(load_default_rules(), DEADLINES, utc(10, 25, 1), ZONE, ())

    assert [rule.key for rule, _ in found] == [
        "assessment_due_7",
        "citizen_assessment_due_7",
        "clan_assessment_due_7",
        "hamlet_assessment_due_7",
        "unit_assessment_due_7",
    ]
    assert {rule.title for rule, _ in found} == {
        "gia_dinh",
        "cong_dan",
        "dong_ho",
        "cong_dong",
        "don_vi",
    }
