"""The national targets shipped with the bot: the fallback under every area's own target."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.domain.national_targets import NationalTarget, parse_national_targets

SHIPPED = Path(__file__).resolve().parent / "data" / "targets.toml"


@cache
def load_national_targets() -> tuple[NationalTarget, ...]:
    """The shipped national targets (read once); NationalTargetsError if the file is broken."""
    return parse_national_targets(SHIPPED.read_text("utf-8"))
