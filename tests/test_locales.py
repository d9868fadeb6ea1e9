"""Every msgid is translated to Vietnamese and English, none fuzzy, and the .mo is fresh."""

from __future__ import annotations

import ast
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
KEYWORDS = ["_", "__", "I18nFormat", "Label", "N_", "ServiceError", "NotAllowed"]


def catalog(locale: str):
    with open(LOCALES / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def source_msgids() -> set[str]:
    """Extract msgids from the code now, so a new string without a translation fails."""
    keywords = dict.fromkeys(KEYWORDS)
    found: set[str] = set()
    for package in ("bot", "dialogs"):
        for *_, message, _, _ in extract_from_dir(ROOT / package, keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    assert len(found) > 20, "extraction found too few messages: check the keywords"
    return found


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_msgid_in_the_code_has_a_translation(locale: str) -> None:
    translated = {m.id: m for m in catalog(locale) if m.id}
    missing = sorted(source_msgids() - translated.keys())
    assert not missing, f"{locale}: untranslated msgids {missing}"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_no_translation_is_empty_or_fuzzy(locale: str) -> None:
    bad = [m.id for m in catalog(locale) if m.id and (not m.string or m.fuzzy)]
    assert not bad, f"{locale}: empty or fuzzy {bad}"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_placeholders_survive_translation(locale: str) -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    wrong = [m.id for m in catalog(locale) if m.id and fields(m.id) != fields(m.string)]
    assert not wrong, f"{locale}: placeholders differ in {wrong}"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_compiled_catalog_matches_its_po(locale: str) -> None:
    compiled = LOCALES / locale / "LC_MESSAGES" / "messages.mo"
    with open(compiled, "rb") as handle:
        on_disk = {m.id: m.string for m in read_mo(handle) if m.id}
    buffer = BytesIO()
    write_mo(buffer, catalog(locale))
    buffer.seek(0)
    fresh = {m.id: m.string for m in read_mo(buffer) if m.id}
    assert on_disk == fresh, f"{compiled} is stale: run pybabel compile -d locales"


def test_vietnamese_is_really_vietnamese() -> None:
    """A copy of the English text is not a translation: most entries must differ."""
    same = [m.id for m in catalog("vi") if m.id and m.string == m.id]
    assert len(same) <= 2, f"vi entries identical to English: {same}"


def test_every_translated_text_is_a_literal_the_extractor_can_see() -> None:
    """`I18nFormat(PREFIX + "...")` would be shown untranslated: the extractor skips it."""
    keywords = {"I18nFormat", "Label", "N_", "_", "gettext"}
    hidden = []
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "dialogs").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            first = node.args[0]
            # A looked-up msgid (gettext(LABELS[key])) is fine: it was marked where defined.
            if name in keywords and isinstance(first, ast.BinOp | ast.JoinedStr):
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not hidden, f"texts the catalogs cannot hold: {hidden}"
