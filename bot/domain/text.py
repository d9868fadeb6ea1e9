"""Vietnamese text handling: one canonical form for storage, one folded form for search.

Telegram clients send Vietnamese both precomposed (NFC) and decomposed (NFD: macOS and some
Android keyboards put each tone mark after its vowel), and text pasted from Zalo, Word or web
pages drags in zero-width and bidi characters. Two names that look identical on screen must be
equal in the database, so every text input goes through `normalize_text` first.
"""

from __future__ import annotations

import unicodedata

# Invisible characters that only ever arrive by copy-paste and silently break equality.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# C0, DEL and C1: the Unicode "Cc" category.
_CONTROL_CODEPOINTS = (*range(0x20), 0x7F, *range(0x80, 0xA0))


def _build_clean_table() -> dict[int, str | None]:
    """Map each character to drop to None and each line break or tab to a space."""
    table: dict[int, str | None] = {ord(ch): None for ch in _ZERO_WIDTH + _BIDI_CONTROLS}
    for codepoint in _CONTROL_CODEPOINTS:
        # Newlines and tabs separate words; deleting them would glue "Thôn\nAn" into "ThônAn".
        table[codepoint] = " " if chr(codepoint).isspace() else None
    return table


_CLEAN_TABLE = _build_clean_table()

# Đ has no decomposition, so NFD cannot strip it. Eth (U+00D0/U+00F0) looks identical and
# shows up in text converted from legacy Vietnamese encodings, so it folds to "d" as well.
_UNDECOMPOSABLE_D = str.maketrans({"đ": "d", "ð": "d"})
# Combining Diacritical Marks (U+0300-U+036F): every tone and vowel mark of Vietnamese.
_FOLD_TABLE = {**dict.fromkeys(range(0x300, 0x370)), **_UNDECOMPOSABLE_D}


def normalize_text(raw: str) -> str:
    """Return `raw` in the canonical form used for storage and comparison.

    NFC, without zero-width, bidi or control characters, with every run of whitespace
    (newlines included) collapsed to one space, and stripped.
    """
    # Drop invisible characters before composing: a zero-width space between a vowel and
    # its tone mark would otherwise keep them apart. Printable text has none of them.
    cleaned = raw if raw.isprintable() else raw.translate(_CLEAN_TABLE)
    composed = unicodedata.normalize("NFC", cleaned)
    return " ".join(composed.split())


def search_key(text: str) -> str:
    """Return `text` folded for searching: no case, no tones or diacritics, đ as d.

    >>> search_key("Nguyễn Văn An")
    'nguyen van an'
    """
    # Casefold before decomposing: casefolding can itself produce combining marks ("İ").
    decomposed = unicodedata.normalize("NFD", normalize_text(text).casefold())
    # Vietnamese marks all lie in one block, dropped in one pass; other scripts' marks are
    # left for the per-character check.
    bare = decomposed.translate(_FOLD_TABLE)
    if not bare.isascii():
        bare = "".join(ch for ch in bare if not unicodedata.category(ch).startswith("M"))
    return " ".join(bare.split())


def matches(query: str, text: str) -> bool:
    """Tell whether `query` occurs in `text`, ignoring case and diacritics.

    An empty query matches everything, so an empty search box lists all items.
    """
    return search_key(query) in search_key(text)
