"""The import rules of ../shared/STYLE.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_under(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules_under("bot/domain"), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    foreign = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] not in STDLIB and not name.startswith("bot.domain")
    }
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


@pytest.mark.parametrize("path", modules_under("bot/services"), ids=lambda p: p.name)
def test_services_import_no_framework_or_storage(path: Path) -> None:
    banned = ("aiogram", "aiogram_dialog", "sqlalchemy", "storage", "dialogs")
    found = {name for name in imported_modules(path) if name.split(".")[0] in banned}
    assert not found, f"{path.name} imports {sorted(found)}"


@pytest.mark.parametrize("path", modules_under("dialogs"), ids=lambda p: p.name)
def test_dialogs_never_touch_sqlalchemy_or_storage(path: Path) -> None:
    found = {
        name for name in imported_modules(path) if name.split(".")[0] in ("sqlalchemy", "storage")
    }
    assert not found, f"{path.name} imports {sorted(found)}"


@pytest.mark.parametrize("path", modules_under("storage"), ids=lambda p: p.name)
def test_storage_knows_nothing_of_the_ui(path: Path) -> None:
    found = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in ("dialogs", "aiogram_dialog") or name.startswith("bot.handlers")
    }
    assert not found, f"{path.name} imports {sorted(found)}"
