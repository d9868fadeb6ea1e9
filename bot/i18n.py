"""Catalogs, the per-user locale, and Babel formatting of numbers and dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from bot.domain.messages import N_
from bot.domain.users import User, choose_locale

__all__ = ["N_", "LocaleMiddleware", "create_i18n", "day", "moment", "number", "percent"]

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def create_i18n(default_locale: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


class LocaleMiddleware(I18nMiddleware):
    """The user's saved language, else Telegram's when it is vi or en, else the default."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("user")
        tg_user: TelegramUser | None = data.get("event_from_user")
        return choose_locale(
            user.language if user else None,
            tg_user.language_code if tg_user else None,
            self.i18n.default_locale,
        )


def number(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


def percent(value: float, locale: str) -> str:
    return format_percent(value, locale=locale)


def day(value: date, locale: str) -> str:
    return format_date(value, format="long", locale=locale)


def moment(value: datetime, locale: str, tz: Any) -> str:
    return format_datetime(value, format="short", tzinfo=tz, locale=locale)
