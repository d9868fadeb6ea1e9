"""The commune's own hamlets, which no national list holds: the names and codes officers
type, the code made up for a hamlet added without one, and when two names are the same.

The parsers are `TextInput(type_factory=...)` of aiogram-dialog, like those of
`bot.domain.parsers`: they return the clean value or raise InputError.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from bot.domain.areas import MAX_CODE_LENGTH, MAX_NAME_LENGTH, Area, by_name, is_valid_code
from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.text import normalize_text, search_key

MSG_NAME_EXAMPLE = N_(
    "Please type the hamlet's name, for example: Thôn Đông, Xóm 3 or Tổ dân phố 5"
)
MSG_NAME_CHARACTERS = N_(
    "A hamlet's name can have letters, digits, spaces and - . , ' ( ) / only. Please type it "
    "again, for example: Thôn Đông"
)
MSG_NAME_LENGTH = N_("A hamlet's name has {minimum} to {maximum} characters. Please type it again")
MSG_CODE = N_(
    "A code has at most {maximum} characters, only letters A-Z, digits and _ - . (no spaces). "
    "Please type it again, for example: {example}"
)

NAME_MIN_LENGTH = 2
_PUNCTUATION = frozenset(" -.,'()/")
# Keyboards and word processors turn ' and - into their typographic cousins.
_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-", "–": "-"})


def parse_hamlet_name(text: str) -> str:
    """Return the name as stored: normalised, its first letter capitalised, the rest as typed
    ("thôn Đông" -> "Thôn Đông", "tổ dân phố 5" -> "Tổ dân phố 5")."""
    name = normalize_text(text).translate(_TYPOGRAPHIC)
    if not any(ch.isalpha() for ch in name):
        raise InputError(MSG_NAME_EXAMPLE)
    if not all(ch.isalnum() or ch in _PUNCTUATION or _is_mark(ch) for ch in name):
        raise InputError(MSG_NAME_CHARACTERS)
    if not NAME_MIN_LENGTH <= len(name) <= MAX_NAME_LENGTH:
        raise InputError(MSG_NAME_LENGTH, {"minimum": NAME_MIN_LENGTH, "maximum": MAX_NAME_LENGTH})
    return name[0].upper() + name[1:]


def parse_hamlet_code(text: str, example: str = "26734-01") -> str:
    """Return a code an officer typed, when it follows the rules of the area list's codes."""
    code = normalize_text(text)
    if not is_valid_code(code):
        raise InputError(MSG_CODE, {"maximum": MAX_CODE_LENGTH, "example": example})
    return code


def same_name(first: str, second: str) -> bool:
    """Two hamlet names are the same when they only differ in case, spaces or diacritics."""
    return search_key(first) == search_key(second)


def namesake(hamlets: Iterable[Area], name: str, but: str | None = None) -> Area | None:
    """The hamlet among `hamlets` (other than the one coded `but`) already called `name`."""
    return next((h for h in hamlets if h.code != but and same_name(h.name, name)), None)


def code_candidates(commune_code: str, start: int = 1) -> Iterator[str]:
    """Codes for a new hamlet of the commune, to try in order: "26734-01", "26734-02", ...

    A long commune code is cut so that the code stays within MAX_CODE_LENGTH.
    """
    number = max(start, 1)
    while True:
        suffix = f"-{number:02d}"
        yield commune_code[: MAX_CODE_LENGTH - len(suffix)] + suffix
        number += 1


def listed(hamlets: Iterable[Area]) -> list[Area]:
    """The order officers see: the hamlets in use by name, then the retired ones by name."""
    return sorted(hamlets, key=lambda hamlet: (hamlet.retired, *by_name(hamlet)))


def _is_mark(ch: str) -> bool:
    """A combining mark left over by NFC (a tone on a letter with no precomposed form)."""
    return unicodedata.category(ch).startswith("M")
