"""Tests for bot.domain.text: normalisation, search keys and matching."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import matches, normalize_text, search_key

GRAVE, ACUTE, HOOK, TILDE, DOT_BELOW = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
TONES = (GRAVE, ACUTE, HOOK, TILDE, DOT_BELOW)
# Every Vietnamese vowel (with its hat, breve or horn) and the letter it folds to.
VOWELS = {
    "a": "a",
    "ă": "a",
    "â": "a",
    "e": "e",
    "ê": "e",
    "i": "i",
    "o": "o",
    "ô": "o",
    "ơ": "o",
    "u": "u",
    "ư": "u",
    "y": "y",
}
INVISIBLES = (
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi controls
)
NGUYEN_NFC = "Nguyễn"
NGUYEN_NFD = unicodedata.normalize("NFD", NGUYEN_NFC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(NGUYEN_NFD, NGUYEN_NFC, id="nfd-becomes-nfc"),
        pytest.param("Nguye\u0302\u0303n", NGUYEN_NFC, id="nfd-typed-by-hand"),
        pytest.param("Ng\u200buy\u200cễ\u200dn\u2060\ufeff", NGUYEN_NFC, id="zero-width"),
        pytest.param("e\u200b\u0301", "é", id="zero-width-between-vowel-and-tone"),
        pytest.param("\u202bHà Nội\u202c", "Hà Nội", id="bidi-embedding"),
        pytest.param("\u2067Hà\u200f Nội\u2069\u200e", "Hà Nội", id="bidi-isolate-and-marks"),
        pytest.param("  Thôn   Đông  ", "Thôn Đông", id="spaces"),
        pytest.param("Thôn\nĐông\r\nHòa\rAn", "Thôn Đông Hòa An", id="newlines"),
        pytest.param("Thôn\t\tĐông\u00a0\u2028Hòa", "Thôn Đông Hòa", id="tabs-nbsp-separators"),
        pytest.param("A\x00B\x07C\x1bD\x7fE\x9fF", "ABCDEF", id="control-characters"),
        pytest.param("A\x85B", "A B", id="c1-next-line"),
        pytest.param("", "", id="empty"),
        pytest.param(" \n\t\u200b ", "", id="only-blank"),
        pytest.param("Đặng Thị Ưng", "Đặng Thị Ưng", id="already-clean"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize("invisible", list(INVISIBLES))
def test_normalize_text_removes_each_invisible(invisible: str) -> None:
    assert normalize_text(f"Hà{invisible}Nội") == "HàNội"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Nguyễn Văn An", "nguyen van an", id="name"),
        pytest.param("nguyen van an", "nguyen van an", id="already-folded"),
        pytest.param("NGUYỄN VĂN AN", "nguyen van an", id="uppercase"),
        pytest.param(NGUYEN_NFD, "nguyen", id="nfd"),
        pytest.param("Đông Hòa", "dong hoa", id="capital-d-stroke"),
        pytest.param("đường", "duong", id="small-d-stroke"),
        pytest.param("\u00d0ông", "dong", id="eth-look-alike"),
        pytest.param("ư ơ ă â ê ô", "u o a a e o", id="hats-breves-horns"),
        pytest.param("Ư Ơ Ă Â Ê Ô", "u o a a e o", id="uppercase-hats-breves-horns"),
        pytest.param("Ấp\u200b  Bắc\n", "ap bac", id="normalized-first"),
        pytest.param("a \u0301 b", "a b", id="lone-mark-leaves-no-double-space"),
        pytest.param("", "", id="empty"),
    ],
)
def test_search_key(text: str, expected: str) -> None:
    assert search_key(text) == expected


@pytest.mark.parametrize(("vowel", "folded"), VOWELS.items())
@pytest.mark.parametrize("tone", TONES)
def test_search_key_folds_every_tone_on_every_vowel(vowel: str, tone: str, folded: str) -> None:
    toned = unicodedata.normalize("NFC", vowel + tone)
    assert search_key(toned) == folded
    assert search_key(toned.upper()) == folded


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        pytest.param("", "Xã Đông Hòa", True, id="empty-query"),
        pytest.param("", "", True, id="empty-both"),
        pytest.param("nguyen", "Nguyễn Văn An", True, id="no-tones"),
        pytest.param("VĂN AN", "nguyen van an", True, id="tones-in-query"),
        pytest.param("dong", "Xã Đông Hòa", True, id="d-stroke"),
        pytest.param("  dong \n hoa ", "Đông Hòa", True, id="query-whitespace"),
        pytest.param(NGUYEN_NFD, NGUYEN_NFC, True, id="nfd-query"),
        pytest.param("an nguyen", "Nguyễn Văn An", False, id="word-order-matters"),
        pytest.param("hoa", "", False, id="empty-text"),
        pytest.param("bình", "Xã Đông Hòa", False, id="absent"),
    ],
)
def test_matches(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


# Vietnamese letters, loose combining tones, invisibles and controls: the input this module
# exists for, mixed so that tones land next to zero-width and control characters.
vietnamese_text = st.text(
    alphabet=st.sampled_from(
        list("aăâeêioôơuưyđĐAĂÂEÊIOÔƠUƯYbcnhgtk ấầẩẫậỨỪỬỮỰ")
        + list(TONES)
        + list(INVISIBLES)
        + list("\n\r\t\x00\x1f\x7f\x85\x9f\u00a0\u2028")
    )
)
any_text = st.one_of(st.text(), vietnamese_text)


@given(any_text)
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(any_text)
def test_normalize_text_is_clean_nfc(text: str) -> None:
    result = normalize_text(text)
    assert not any(unicodedata.category(ch) == "Cc" for ch in result)
    assert not any(ch in INVISIBLES for ch in result)
    assert unicodedata.is_normalized("NFC", result)
    assert result == result.strip()
    assert "  " not in result


@given(any_text)
def test_normalize_text_ignores_nfc_or_nfd_input(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert normalize_text(nfd) == normalize_text(nfc)


@given(any_text)
def test_search_key_is_idempotent(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key


@given(any_text)
def test_search_key_has_no_combining_marks(text: str) -> None:
    assert not any(unicodedata.category(ch).startswith("M") for ch in search_key(text))


@given(any_text)
def test_search_key_ignores_nfd_input(text: str) -> None:
    assert search_key(unicodedata.normalize("NFD", text)) == search_key(text)


@given(any_text)
def test_text_matches_itself_and_empty_query(text: str) -> None:
    assert matches(text, text)
    assert matches("", text)
