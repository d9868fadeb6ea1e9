"""Outbox messages written from the catalogs, in each recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.utils.i18n import I18n

from bot.i18n import fill


class CatalogComposer:
    """The services' `Composer`: translate, fill in (values escaped for HTML), wake."""

    def __init__(self, i18n: I18n, tz: Any, wake: Callable[[], None] = lambda: None) -> None:
        self._i18n, self._tz, self._wake = i18n, tz, wake

    def compose(self, locale: str, msgid: str, params: dict[str, Any]) -> str:
        return fill(self._i18n, msgid, params, locale, self._tz)

    def wake(self) -> None:
        self._wake()
