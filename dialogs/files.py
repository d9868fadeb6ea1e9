"""Names for the files the bot sends: ASCII, so that every phone and computer keeps them."""

from __future__ import annotations

import re

from bot.domain.text import search_key


def file_name(place: str, year: int, *details: str, extension: str = "xlsx") -> str:
    """thon-doai-2026.xlsx; xa-dong-hoa-2026-recognised.csv with a detail."""
    slug = re.sub(r"[^a-z0-9]+", "-", search_key(" ".join([place, str(year), *details])))
    return f"{slug.strip('-')}.{extension}"
