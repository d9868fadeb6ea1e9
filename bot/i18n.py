"""Catalogs, the per-user locale, and Babel formatting of numbers and dates."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from bot.domain.criteria_model import Title
from bot.domain.deadlines import DEADLINE_LABELS, Deadline
from bot.domain.messages import N_
from bot.domain.status import Status
from bot.domain.users import User, choose_locale

__all__ = [
    "GROUP_STATUS_LABELS",
    "N_",
    "STATUS_LABELS",
    "TITLE_NAMES",
    "LocaleMiddleware",
    "create_i18n",
    "day",
    "fill",
    "moment",
    "number",
    "percent",
]

STATUS_LABELS = {
    Status.DRAFT: N_("not registered yet"),
    Status.REGISTERED: N_("registered"),
    Status.SELF_ASSESSED: N_("self-assessed, waiting for the hamlet head"),
    Status.VERIFIED: N_("confirmed by the hamlet head, proposed to the commune"),
    Status.RETURNED: N_("returned by the hamlet head"),
    Status.RECOGNISED: N_("recognised"),
    Status.NOT_RECOGNISED: N_("not recognised"),
}
# A clan's, unit's or hamlet's: the commune, not a hamlet head, checks its self-assessment.
GROUP_STATUS_LABELS = {
    Status.DRAFT: N_("not registered"),
    Status.REGISTERED: N_("registered, not self-assessed yet"),
    Status.SELF_ASSESSED: N_("self-assessed, waiting for the commune"),
    Status.VERIFIED: N_("checked by the commune, proposed for recognition"),
    Status.RETURNED: N_("returned by the commune: please check the answers"),
    Status.RECOGNISED: N_("🏅 recognised"),
    Status.NOT_RECOGNISED: N_("not recognised this year"),
}
TITLE_NAMES = {
    Title.GIA_DINH.value: N_("Learning family"),
    Title.CONG_DAN.value: N_("Learning citizen"),
    Title.DONG_HO.value: N_("Learning clan"),
    Title.CONG_DONG.value: N_("Learning community"),
    Title.DON_VI.value: N_("Learning unit"),
}

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


def fill(
    i18n: I18n, msgid: str, params: dict[str, Any], locale: str, tz: Any, *, html: bool = True
) -> str:
    """Translate `msgid` and fill in `params` for `locale`: dates and times in `tz`, statuses
    and titles by their label, numbers Babel-formatted, text escaped for HTML (it may be typed
    by users)."""
    values = {key: _shown(i18n, value, locale, tz, html) for key, value in params.items()}
    return i18n.gettext(msgid, locale=locale).format(**values)


def _shown(i18n: I18n, value: Any, locale: str, tz: Any, html: bool) -> str:
    if isinstance(value, Status):
        return i18n.gettext(STATUS_LABELS[value], locale=locale)
    if isinstance(value, Title):
        return i18n.gettext(TITLE_NAMES[value], locale=locale)
    if isinstance(value, Deadline):
        return i18n.gettext(DEADLINE_LABELS[value], locale=locale)
    if isinstance(value, datetime):
        return moment(value, locale, tz)
    if isinstance(value, date):
        return day(value, locale)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value, locale)
    text = str(value)
    return escape(text, quote=False) if html else text
