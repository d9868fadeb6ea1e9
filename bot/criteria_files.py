"""The criteria sets shipped with the bot: defaults until a province loads its own."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "data" / "criteria"


@cache
def shipped_criteria() -> dict[str, str]:
    """Title -> TOML text of every shipped default set (read once; do not modify)."""
    files = sorted(SHIPPED.glob("*.toml"))
    return {
        tomllib.loads(f.read_text("utf-8"))["set"]["title"]: f.read_text("utf-8") for f in files
    }
