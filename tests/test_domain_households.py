"""Tests for bot.domain.households and bot.domain.registrations: the family's rules, pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain import households as h
from bot.domain.households import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Member,
    campaign_year,
    known_commitments,
    new_household_code,
    parse_household_code,
)
from bot.domain.parsers import InputError
from bot.domain.registrations import (
    Registration,
    StatusEvent,
    decode_answers,
    encode_answer,
)
from bot.domain.scoring import Answer, Level, Ratio, YesNo
from bot.domain.status import Status

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
T1 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
T3 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def registration(
    subject: str = h.HOUSEHOLD_SUBJECT,
    status: Status = Status.REGISTERED,
    events: tuple[StatusEvent, ...] = (),
) -> Registration:
    return Registration(1, 1, subject, "gia_dinh", 2026, status, events=events)


# --- household codes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("K7M2QX", "K7M2QX", id="as-shown"),
        pytest.param("k7m2qx", "K7M2QX", id="lowercase"),
        pytest.param("K7M 2QX", "K7M2QX", id="space"),
        pytest.param("  k7 m2 qx ", "K7M2QX", id="spaces-around-and-inside"),
        pytest.param("K7M-2QX", "K7M2QX", id="dash"),
        pytest.param("k7-m2 qx", "K7M2QX", id="dash-and-space"),
        pytest.param("k7m\u200b2qx", "K7M2QX", id="zero-width-pasted"),
    ],
)
def test_household_codes_accepted(typed: str, expected: str) -> None:
    assert parse_household_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("K7M2Q0", id="zero"),
        pytest.param("K7M2QO", id="letter-o"),
        pytest.param("k7m2qo", id="lowercase-o"),
        pytest.param("K7M2Q1", id="one"),
        pytest.param("K7M2QI", id="letter-i"),
        pytest.param("k7m2qi", id="lowercase-i"),
        pytest.param("K7M2Q", id="five-characters"),
        pytest.param("K7M2QXA", id="seven-characters"),
        pytest.param("", id="empty"),
        pytest.param("K7M2Q?", id="symbol"),
        pytest.param("K7M2QĐ", id="vietnamese-letter"),
    ],
)
def test_household_codes_refused(typed: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_household_code(typed)
    assert raised.value.msgid == h.MSG_CODE


def test_misread_characters_are_left_out_of_the_alphabet() -> None:
    assert not set("0O1I") & set(CODE_ALPHABET)


def test_new_codes_are_six_characters_of_the_alphabet_and_parse_as_typed() -> None:
    codes = [new_household_code() for _ in range(200)]
    assert all(len(code) == CODE_LENGTH == 6 for code in codes)
    assert set("".join(codes)) <= set(CODE_ALPHABET)
    assert [parse_household_code(code.lower()) for code in codes] == codes
    assert len(set(codes)) > 190  # random: 32**6 codes, a clash among 200 is very rare


# --- commitments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        pytest.param([], (), id="none"),
        pytest.param(["school"], ("school",), id="one"),
        pytest.param(["fund", "school", "reading"], ("school", "reading", "fund"), id="ordered"),
        pytest.param(["skill", "skill", "school"], ("school", "skill"), id="deduplicated"),
        pytest.param(["school", "swim", ""], ("school",), id="unknown-dropped"),
        pytest.param(("clubs", "digital"), ("digital", "clubs"), id="tuple"),
        pytest.param(list(h.COMMITMENTS)[::-1], tuple(h.COMMITMENTS), id="all-reversed"),
    ],
)
def test_known_commitments(chosen: list[str], expected: tuple[str, ...]) -> None:
    assert known_commitments(chosen) == expected


# --- the campaign year ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone", "year"),
    [
        pytest.param(datetime(2026, 12, 31, 18, 0, tzinfo=UTC), VIETNAM, 2027, id="new-year-vn"),
        pytest.param(datetime(2026, 12, 31, 16, 59, tzinfo=UTC), VIETNAM, 2026, id="eve-vn"),
        pytest.param(datetime(2026, 12, 31, 17, 0, tzinfo=UTC), VIETNAM, 2027, id="midnight-vn"),
        pytest.param(datetime(2026, 12, 31, 18, 0, tzinfo=UTC), ZoneInfo("UTC"), 2026, id="utc"),
        pytest.param(datetime(2027, 1, 1, 3, 0, tzinfo=UTC), ZoneInfo("America/Lima"), 2026),
        pytest.param(datetime(2026, 6, 1, tzinfo=VIETNAM), VIETNAM, 2026, id="mid-year"),
    ],
)
def test_campaign_year_is_the_year_where_the_commune_is(
    now: datetime, zone: ZoneInfo, year: int
) -> None:
    assert campaign_year(now, zone) == year


# --- members -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_year", "year", "adult"),
    [
        pytest.param(2008, 2026, True, id="turns-18"),
        pytest.param(2009, 2026, False, id="turns-17"),
        pytest.param(1950, 2026, True, id="elder"),
        pytest.param(2020, 2026, False, id="child"),
        pytest.param(2008, 2025, False, id="last-year-17"),
        pytest.param(None, 2026, False, id="forgotten"),
    ],
)
def test_a_member_is_adult_from_the_year_they_turn_18(
    birth_year: int | None, year: int, adult: bool
) -> None:
    assert Member(1, "Nguyễn Văn An", birth_year).is_adult(year) is adult


# --- answers as JSON -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "json"),
    [
        pytest.param(YesNo(True), {"yes": True}, id="yes"),
        pytest.param(YesNo(False), {"yes": False}, id="no"),
        pytest.param(Level("both"), {"option": "both"}, id="level"),
        pytest.param(Ratio(3, 2), {"count": 3, "part": 2}, id="ratio"),
        pytest.param(Ratio(0, 0), {"count": 0, "part": 0}, id="ratio-none"),
    ],
)
def test_answers_round_trip_through_json(answer: Answer, json: dict[str, Any]) -> None:
    assert encode_answer(answer) == json
    assert decode_answers({"x": encode_answer(answer)}) == {"x": answer}


def test_decoding_keeps_every_indicator() -> None:
    data = {"1a": {"count": 2, "part": 2}, "1b": {"option": "yes"}, "2b": {"yes": False}}
    assert decode_answers(data) == {"1a": Ratio(2, 2), "1b": Level("yes"), "2b": YesNo(False)}


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("yes", id="string"),
        pytest.param(None, id="null"),
        pytest.param(3, id="number"),
        pytest.param(["yes"], id="list"),
        pytest.param({}, id="empty-object"),
        pytest.param({"count": 3}, id="count-without-part"),
        pytest.param({"part": 3}, id="part-without-count"),
        pytest.param({"answer": "yes"}, id="unknown-key"),
    ],
)
def test_a_malformed_answer_is_left_unanswered(value: object) -> None:
    assert decode_answers({"bad": value, "good": {"yes": True}}) == {"good": YesNo(True)}  # type: ignore[dict-item]


# --- registrations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "member_id"),
    [
        pytest.param("household", None, id="household"),
        pytest.param("member:7", 7, id="member"),
        pytest.param("member:123456", 123456, id="big-id"),
        pytest.param("member:", None, id="no-number"),
        pytest.param("member:x", None, id="not-a-number"),
        pytest.param("other:7", None, id="other-kind"),
        pytest.param(h.member_subject(42), 42, id="member-subject"),
    ],
)
def test_member_id_comes_from_the_subject(subject: str, member_id: int | None) -> None:
    assert registration(subject).member_id == member_id


HISTORY = (
    StatusEvent(Status.REGISTERED, T1),
    StatusEvent(Status.SELF_ASSESSED, T2),
    StatusEvent(Status.RETURNED, T2, "Thiếu giấy khen"),
    StatusEvent(Status.SELF_ASSESSED, T3),
)


@pytest.mark.parametrize(
    ("status", "at"),
    [
        pytest.param(Status.REGISTERED, T1, id="once"),
        pytest.param(Status.SELF_ASSESSED, T3, id="latest-of-two"),
        pytest.param(Status.RETURNED, T2, id="returned"),
        pytest.param(Status.VERIFIED, None, id="never"),
    ],
)
def test_reached_at_is_the_last_time_a_status_was_reached(
    status: Status, at: datetime | None
) -> None:
    assert registration(events=HISTORY).reached_at(status) == at


@pytest.mark.parametrize(
    ("events", "comment"),
    [
        pytest.param((), None, id="no-history"),
        pytest.param(HISTORY[:2], None, id="no-comment"),
        pytest.param(HISTORY, "Thiếu giấy khen", id="one-comment"),
        pytest.param(
            (
                StatusEvent(Status.RETURNED, T3, "Lần hai"),
                StatusEvent(Status.RETURNED, T1, "Lần một"),
            ),
            "Lần hai",
            id="latest-listed-first",
        ),
        pytest.param(
            (
                StatusEvent(Status.RETURNED, T1, "Lần một"),
                StatusEvent(Status.SELF_ASSESSED, T2),
                StatusEvent(Status.RETURNED, T3, "Lần hai"),
            ),
            "Lần hai",
            id="latest-listed-last",
        ),
        pytest.param((StatusEvent(Status.RETURNED, T1, ""),), None, id="empty-comment"),
    ],
)
def test_last_comment(events: tuple[StatusEvent, ...], comment: str | None) -> None:
    assert registration(events=events).last_comment() == comment


@pytest.mark.parametrize(
    ("status", "can_answer"),
    [(status, status in (Status.REGISTERED, Status.RETURNED)) for status in Status],
    ids=[status.value for status in Status],
)
def test_answers_may_change_only_while_registered_or_returned(
    status: Status, can_answer: bool
) -> None:
    assert registration(status=status).can_answer is can_answer
