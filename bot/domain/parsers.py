"""Parsers for what users type: names, counts, phone numbers, years of birth.

Each is a `TextInput(type_factory=...)` of aiogram-dialog: it returns the clean value or
raises InputError, a ValueError carrying an English msgid (short, kind, with an example) and
its params, for the dialog to translate and send back.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from bot.domain.messages import N_
from bot.domain.text import normalize_text, search_key

__all__ = [
    "InputError",
    "parse_birth_year",
    "parse_count",
    "parse_person_name",
    "parse_phone",
]

MSG_NAME_EXAMPLE = N_("Please type the full name, for example: Nguyễn Văn An")
MSG_NAME_CHARACTERS = N_(
    "A name can only have letters, spaces, ' and -. Please type it again, "
    "for example: Nguyễn Văn An"
)
MSG_NAME_LENGTH = N_("A name has {minimum} to {maximum} letters. Please type it again")
MSG_COUNT_NOT_NUMBER = N_("Please type a number, for example: 3")
MSG_COUNT_RANGE = N_("Please type a number from {minimum} to {maximum}")
MSG_PHONE = N_("Please type a Vietnamese phone number, for example: 0912 345 678")
MSG_YEAR_NOT_YEAR = N_("Please type the year of birth in 4 digits, for example: 1975")
MSG_YEAR_RANGE = N_("Please type a year from {minimum} to {maximum}")
MSG_DAY = N_("Please type the date as day/month/year, for example: 25/03/2025")

NAME_MIN_LENGTH, NAME_MAX_LENGTH = 2, 80
FIRST_BIRTH_YEAR = 1900
# Keyboards and word processors turn ' and - into their typographic cousins.
_NAME_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-", "–": "-"})
_NAME_SEPARATORS = re.compile(r"[-']")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_LONGEST_NUMBER = 20
# Count words folded by search_key: "bốn" -> "bon", "mười" -> "muoi", "bẩy" -> "bay".
_COUNT_WORDS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
_PHONE_TEXT = re.compile(r"\(?\+?[0-9][0-9 .()-]*")
_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_LANDLINE_PREFIX = "02"


class InputError(ValueError):
    """Typed text that cannot be used: `msgid` (English) and `params` say why."""

    def __init__(self, msgid: str, params: dict[str, str | int] | None = None) -> None:
        self.msgid = msgid
        self.params: dict[str, str | int] = dict(params or {})
        super().__init__(msgid.format(**self.params))


def parse_person_name(text: str) -> str:
    """Return a person's name with each word capitalised: "nguyễn văn an" -> "Nguyễn Văn An".

    Letters of any script (Vietnamese tones included), spaces, ' and - only; 2 to 80
    characters; the result is NFC.
    """
    name = normalize_text(text).translate(_NAME_PUNCTUATION)
    if not name:
        raise InputError(MSG_NAME_EXAMPLE)
    if not all(_is_name_word(word) for word in name.split(" ")):
        raise InputError(MSG_NAME_CHARACTERS)
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        raise InputError(MSG_NAME_LENGTH, {"minimum": NAME_MIN_LENGTH, "maximum": NAME_MAX_LENGTH})
    words = (_capitalise_word(word) for word in name.split(" "))
    return unicodedata.normalize("NFC", " ".join(words))


def parse_count(text: str, *, minimum: int = 0, maximum: int = 30) -> int:
    """Return a count typed as digits ("3", "03") or as a Vietnamese word up to ten ("ba")."""
    typed = unicodedata.normalize("NFKC", normalize_text(text))
    if _INTEGER.fullmatch(typed):
        # int() refuses more than 4,300 digits; a number that long is out of range anyway.
        value = int(typed) if len(typed) <= _LONGEST_NUMBER else maximum + 1
    elif search_key(typed) in _COUNT_WORDS:
        value = _COUNT_WORDS[search_key(typed)]
    else:
        raise InputError(MSG_COUNT_NOT_NUMBER)
    if not minimum <= value <= maximum:
        raise InputError(MSG_COUNT_RANGE, {"minimum": minimum, "maximum": maximum})
    return value


def parse_phone(text: str) -> str:
    """Return a Vietnamese mobile or landline number in E.164: "0912 345 678" -> "+84912345678".

    Accepts spaces, dots, hyphens and brackets, and the country code as +84, 84 or 0084.
    """
    typed = unicodedata.normalize("NFKC", normalize_text(text))
    if not _PHONE_TEXT.fullmatch(typed):
        raise InputError(MSG_PHONE)
    national = _national_number(typed.startswith(("+", "(+")), re.sub(r"\D", "", typed))
    is_mobile = len(national) == 10 and national.startswith(_MOBILE_PREFIXES)
    is_landline = len(national) == 11 and national.startswith(_LANDLINE_PREFIX)
    if not (is_mobile or is_landline):
        raise InputError(MSG_PHONE)
    return "+84" + national[1:]


def parse_birth_year(text: str, *, this_year: int) -> int:
    """Return a year of birth typed in four digits, from 1900 to `this_year`."""
    typed = unicodedata.normalize("NFKC", normalize_text(text))
    if not re.fullmatch(r"[0-9]{4}", typed):
        raise InputError(MSG_YEAR_NOT_YEAR)
    year = int(typed)
    if not FIRST_BIRTH_YEAR <= year <= this_year:
        raise InputError(MSG_YEAR_RANGE, {"minimum": FIRST_BIRTH_YEAR, "maximum": this_year})
    return year


def _is_name_word(word: str) -> bool:
    """A word is runs of letters joined by single ' or -, like "H'Hen" or "Thị-Mai"."""
    return word.isalpha() or all(_is_letters(part) for part in _NAME_SEPARATORS.split(word))


def _is_letters(part: str) -> bool:
    """Letters, possibly followed by combining marks NFC could not fold into them."""
    categories = [unicodedata.category(ch) for ch in part]
    return bool(part) and categories[0].startswith("L") and all(c[0] in "LM" for c in categories)


def _capitalise_word(word: str) -> str:
    """Capitalise each part of a word, the parts after ' and - included: "h'hen" -> "H'Hen"."""
    if word.isalpha():  # the common case, without the split
        return word[:1].upper() + word[1:].lower()
    parts = re.split(r"([-'])", word)
    return "".join(part[:1].upper() + part[1:].lower() for part in parts)


def _national_number(international: bool, digits: str) -> str:
    """Return the number in national form, starting with 0, or "" when it cannot be one."""
    if digits.startswith("0084"):
        digits, international = digits[2:], True
    if not international and digits.startswith("84") and len(digits) in (11, 12):
        international = True
    if not international:
        return digits
    if not digits.startswith("84"):
        return ""
    # "+84 0912 345 678": people often keep the trunk 0 after the country code.
    return "0" + digits[2:].removeprefix("0")


_DAY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})")


def parse_day(text: str, *, short_year: bool = False) -> date:
    """A date typed day first: "25/3/2025", "25-03-2025" or "25.03.2025" (full-width
    characters too); with `short_year`, "25/3/25" as well."""
    found = _DAY.fullmatch(unicodedata.normalize("NFKC", normalize_text(text)))
    if found is None or (len(found.group(3)) == 2 and not short_year):
        raise InputError(MSG_DAY)
    day, month, year = (int(part) for part in found.groups())
    century = 2000 if len(found.group(3)) == 2 else 0
    try:
        return date(century + year, month, day)
    except ValueError:
        raise InputError(MSG_DAY) from None


MSG_PERCENT = N_("Please type a percentage from {minimum} to {maximum}, for example: 70")
_PERCENT = re.compile(r"(\d{1,3})\s*%?")


def parse_percent(text: str, *, minimum: int = 1, maximum: int = 100) -> int:
    """A whole percentage: "70", "70%" or "70 %" (full-width digits too)."""
    found = _PERCENT.fullmatch(unicodedata.normalize("NFKC", normalize_text(text)))
    if found is None or not minimum <= int(found.group(1)) <= maximum:
        raise InputError(MSG_PERCENT, {"minimum": minimum, "maximum": maximum})
    return int(found.group(1))
