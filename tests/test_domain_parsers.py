"""Tests for bot.domain.parsers: what users type into the bot, accepted or kindly refused."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import parsers as p
from bot.domain.parsers import (
    MSG_PERCENT,
    InputError,
    parse_birth_year,
    parse_count,
    parse_percent,
    parse_person_name,
    parse_phone,
)


def refusal(parse: Callable[..., object], text: str, **kwargs: int) -> InputError:
    """Return the InputError raised by parse(text, **kwargs)."""
    with pytest.raises(InputError) as raised:
        parse(text, **kwargs)
    return raised.value


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("nguyễn văn an", "Nguyễn Văn An", id="lowercase"),
        pytest.param("NGUYỄN THỊ MAI", "Nguyễn Thị Mai", id="uppercase"),
        pytest.param("  trần   đức\nanh ", "Trần Đức Anh", id="spaces"),
        pytest.param(unicodedata.normalize("NFD", "lê thị ánh"), "Lê Thị Ánh", id="nfd-input"),
        pytest.param("đặng ưng", "Đặng Ưng", id="d-stroke-and-horn"),
        pytest.param("h'hen niê", "H'Hen Niê", id="apostrophe"),
        pytest.param("h’hen niê", "H'Hen Niê", id="typographic-apostrophe"),
        pytest.param("y-moan ênuôl", "Y-Moan Ênuôl", id="hyphen"),
        pytest.param("An", "An", id="two-letters"),
        pytest.param("a" * 80, "A" + "a" * 79, id="eighty-letters"),
        pytest.param("nguyễn\u200bvăn an", "Nguyễnvăn An", id="zero-width-dropped"),
    ],
)
def test_names_accepted(typed: str, expected: str) -> None:
    assert parse_person_name(typed) == expected


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        pytest.param("", p.MSG_NAME_EXAMPLE, id="empty"),
        pytest.param("   ", p.MSG_NAME_EXAMPLE, id="blank"),
        pytest.param("Nguyễn Văn 2", p.MSG_NAME_CHARACTERS, id="digit"),
        pytest.param("An@", p.MSG_NAME_CHARACTERS, id="symbol"),
        pytest.param("Nguyễn, An", p.MSG_NAME_CHARACTERS, id="comma"),
        pytest.param("-An", p.MSG_NAME_CHARACTERS, id="leading-hyphen"),
        pytest.param("H''Hen", p.MSG_NAME_CHARACTERS, id="double-apostrophe"),
        pytest.param("A", p.MSG_NAME_LENGTH, id="one-letter"),
        pytest.param("a" * 81, p.MSG_NAME_LENGTH, id="too-long"),
    ],
)
def test_names_refused(typed: str, msgid: str) -> None:
    assert refusal(parse_person_name, typed).msgid == msgid


def test_name_refusal_is_a_value_error_with_params() -> None:
    error = refusal(parse_person_name, "A")
    assert isinstance(error, ValueError)
    assert error.params == {"minimum": 2, "maximum": 80}
    assert str(error) == "A name has 2 to 80 letters. Please type it again"


NAME_LETTERS = st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậếềểễệốồổỗộớờởỡợứừửữự"))
NAME_WORDS = st.text(NAME_LETTERS, min_size=1, max_size=8)


@given(st.lists(NAME_WORDS, min_size=1, max_size=5), st.sampled_from(["NFC", "NFD"]))
def test_names_come_out_nfc_and_stable(words: list[str], form: Literal["NFC", "NFD"]) -> None:
    typed = unicodedata.normalize(form, " ".join(words))
    try:
        name = parse_person_name(typed)
    except InputError:
        return
    assert unicodedata.is_normalized("NFC", name)
    assert parse_person_name(name) == name
    assert all(word[0].isupper() for word in name.split(" "))


# --- counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("3", 3, id="digit"),
        pytest.param(" 3 ", 3, id="spaces"),
        pytest.param("03", 3, id="leading-zero"),
        pytest.param("0", 0, id="zero"),
        pytest.param("30", 30, id="maximum"),
        pytest.param("３", 3, id="fullwidth"),
        pytest.param("ba", 3, id="word"),
        pytest.param("Mười", 10, id="word-with-tones"),
        pytest.param("muoi", 10, id="word-without-tones"),
        pytest.param("không", 0, id="word-zero"),
        pytest.param("bảy", 7, id="word-seven"),
    ],
)
def test_counts_accepted(typed: str, expected: int) -> None:
    assert parse_count(typed) == expected


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        pytest.param("", p.MSG_COUNT_NOT_NUMBER, id="empty"),
        pytest.param("abc", p.MSG_COUNT_NOT_NUMBER, id="letters"),
        pytest.param("2.5", p.MSG_COUNT_NOT_NUMBER, id="decimal-point"),
        pytest.param("2,5", p.MSG_COUNT_NOT_NUMBER, id="decimal-comma"),
        pytest.param("1.000", p.MSG_COUNT_NOT_NUMBER, id="thousands-separator"),
        pytest.param("1 000", p.MSG_COUNT_NOT_NUMBER, id="space-separator"),
        pytest.param("hai mươi", p.MSG_COUNT_NOT_NUMBER, id="words-beyond-ten"),
        pytest.param("-1", p.MSG_COUNT_RANGE, id="negative"),
        pytest.param("31", p.MSG_COUNT_RANGE, id="above-maximum"),
    ],
)
def test_counts_refused(typed: str, msgid: str) -> None:
    assert refusal(parse_count, typed).msgid == msgid


def test_count_range_is_configurable_and_named() -> None:
    assert parse_count("1", minimum=1, maximum=5) == 1
    error = refusal(parse_count, "0", minimum=1, maximum=5)
    assert error.params == {"minimum": 1, "maximum": 5}


# --- phones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("0912 345 678", "+84912345678", id="spaces"),
        pytest.param("0912.345.678", "+84912345678", id="dots"),
        pytest.param("0912-345-678", "+84912345678", id="hyphens"),
        pytest.param("+84 912 345 678", "+84912345678", id="plus-84"),
        pytest.param("84912345678", "+84912345678", id="84"),
        pytest.param("0084912345678", "+84912345678", id="0084"),
        pytest.param("(+84) 912-345-678", "+84912345678", id="brackets"),
        pytest.param("+84 0912 345 678", "+84912345678", id="plus-84-with-trunk-zero"),
        pytest.param("0387654321", "+84387654321", id="prefix-03"),
        pytest.param("0567 123 456", "+84567123456", id="prefix-05"),
        pytest.param("0701234567", "+84701234567", id="prefix-07"),
        pytest.param("0812345678", "+84812345678", id="prefix-08"),
        pytest.param("024 3825 1234", "+842438251234", id="landline-hanoi"),
        pytest.param("+84 28 3822 1234", "+842838221234", id="landline-international"),
        pytest.param("０９１２３４５６７８", "+84912345678", id="fullwidth"),
    ],
)
def test_phones_accepted(typed: str, expected: str) -> None:
    assert parse_phone(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("abc", id="letters"),
        pytest.param("0912 345 67", id="too-short"),
        pytest.param("0912 345 6789", id="too-long"),
        pytest.param("0112345678", id="prefix-01"),
        pytest.param("0612345678", id="prefix-06"),
        pytest.param("912345678", id="no-trunk-zero"),
        pytest.param("+1 202 555 0100", id="foreign"),
        pytest.param("0912 345 678 ext 2", id="extension"),
        pytest.param("02438251234 5", id="landline-too-long"),
        pytest.param("0912+345678", id="plus-in-the-middle"),
    ],
)
def test_phones_refused_with_an_example(typed: str) -> None:
    error = refusal(parse_phone, typed)
    assert error.msgid == p.MSG_PHONE
    assert "0912 345 678" in str(error)


MOBILE_PREFIX = st.sampled_from(["3", "5", "7", "8", "9"])
PHONE_STYLES = st.sampled_from(["0{n}", "+84{n}", "84{n}", "+84 {n}", "(+84) {n}"])


@given(MOBILE_PREFIX, st.text("0123456789", min_size=8, max_size=8), PHONE_STYLES, st.data())
def test_phone_normalisation_is_idempotent(
    prefix: str, rest: str, style: str, data: st.DataObject
) -> None:
    separator = data.draw(st.sampled_from(["", " ", ".", "-"]))
    number = prefix + rest
    grouped = separator.join([number[:3], number[3:6], number[6:]])
    phone = parse_phone(style.format(n=grouped))
    assert phone == "+84" + number
    assert parse_phone(phone) == phone


# --- years of birth ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("1975", 1975, id="year"),
        pytest.param(" 1900 ", 1900, id="first-year"),
        pytest.param("2025", 2025, id="this-year"),
    ],
)
def test_birth_years_accepted(typed: str, expected: int) -> None:
    assert parse_birth_year(typed, this_year=2025) == expected


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        pytest.param("75", p.MSG_YEAR_NOT_YEAR, id="two-digits"),
        pytest.param("năm 1975", p.MSG_YEAR_NOT_YEAR, id="words"),
        pytest.param("1975.5", p.MSG_YEAR_NOT_YEAR, id="decimal"),
        pytest.param("1899", p.MSG_YEAR_RANGE, id="before-1900"),
        pytest.param("2026", p.MSG_YEAR_RANGE, id="future"),
    ],
)
def test_birth_years_refused(typed: str, msgid: str) -> None:
    assert refusal(parse_birth_year, typed, this_year=2025).msgid == msgid


def test_birth_year_range_names_this_year() -> None:
    assert refusal(parse_birth_year, "2030", this_year=2025).params == {
        "minimum": 1900,
        "maximum": 2025,
    }


# --- days ----------------------------------------------------------------------------------

DAYS = [
    pytest.param("25/3/2025", False, date(2025, 3, 25), id="slashes"),
    pytest.param(" 25 - 03 - 2025 ", False, date(2025, 3, 25), id="hyphens-spaced"),
    pytest.param("25.03.2025", False, date(2025, 3, 25), id="dots"),
    pytest.param("２５／３／２０２５", False, date(2025, 3, 25), id="full-width"),
    pytest.param("25/3/25", True, date(2025, 3, 25), id="short-year-allowed"),
]


@pytest.mark.parametrize(("text", "short_year", "expected"), DAYS)
def test_parse_day_reads_the_day_first(text: str, short_year: bool, expected: date) -> None:
    assert p.parse_day(text, short_year=short_year) == expected


@pytest.mark.parametrize(
    ("text", "short_year"),
    [
        ("25/3/25", False),
        ("31/2/2025", False),
        ("3/25/2025", False),
        ("hôm nay", True),
        ("", True),
    ],
)
def test_parse_day_refuses_what_is_not_a_day(text: str, short_year: bool) -> None:
    assert refusal(p.parse_day, text, short_year=short_year).msgid == p.MSG_DAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [("70", 70), ("70%", 70), (" 80 % ", 80), ("１００", 100), ("1", 1)],
)
def test_parse_percent_reads_a_whole_percentage(text: str, expected: int) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["", "0", "101", "70.5", "bảy mươi", "-5", "%"])
def test_parse_percent_refuses_anything_else(text: str) -> None:
    error = refusal(parse_percent, text)
    assert error.msgid == MSG_PERCENT
    assert error.params == {"minimum": 1, "maximum": 100}
