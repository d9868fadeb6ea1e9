"""Splitting long lists into pages for inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. `page` is 0-based; `pages` is at least 1, even for an empty list."""

    items: tuple[T, ...]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 0

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.page < self.pages - 1


def paginate(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """Return page number `page` (0-based) of `items`, `per_page` items per page.

    An out-of-range page is clamped to the first or last page rather than refused: callback
    data from an old message can point past the end of a list that has since shrunk.
    """
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, got {per_page}")
    pages = max(1, (len(items) + per_page - 1) // per_page)
    current = min(max(page, 0), pages - 1)
    start = current * per_page
    return Page(tuple(items[start : start + per_page]), current, pages, len(items))
