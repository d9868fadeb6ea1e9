"""Use cases about the user themself: being known to the bot, language, home area."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.users import SUPPORTED_LOCALES, User, telegram_locale
from bot.services.errors import ServiceError
from bot.services.ports import UnitOfWork


async def ensure_user(
    uow: UnitOfWork, user_id: int, now: datetime, telegram_language: str | None = None
) -> User:
    """The user as stored, registering them on their first update. A user marked unreachable
    (they had blocked the bot) who writes again can be reached again.

    Telegram's language is remembered when the bot speaks it, so that messages sent to the
    user later, outside any update of theirs (a decision, a reminder), are in that language.
    """
    user = await uow.users.get(user_id)
    spoken = telegram_locale(telegram_language)
    if user is not None and user.language is None and spoken is not None:
        await uow.users.set_language(user_id, spoken)
        await uow.commit()
        user = replace(user, language=spoken)
    if user is not None and user.unreachable:
        await uow.users.set_unreachable(user_id, None)
        await uow.commit()
        return replace(user, unreachable=False)
    if user is not None:
        return user
    user = User(id=user_id, language=spoken)
    await uow.users.add(user, now)
    await uow.commit()
    return user


async def set_language(uow: UnitOfWork, user_id: int, language: str) -> None:
    if language not in SUPPORTED_LOCALES:
        raise ServiceError("This language is not available.")
    await uow.users.set_language(user_id, language)
    await uow.commit()


async def set_home_area(uow: UnitOfWork, user_id: int, area_code: str) -> None:
    """Remember where the user lives: a hamlet (or a commune when it has no hamlets)."""
    area = await uow.areas.get(area_code)
    if area is None or area.level not in ("hamlet", "commune") or area.retired:
        raise ServiceError("This place is not in the list. Please choose again.")
    await uow.users.set_area(user_id, area_code)
    await uow.commit()


async def set_muted(uow: UnitOfWork, user_id: int, muted: bool, now: datetime) -> None:
    """/stop and /resume: reminders and broadcasts off or on again (answers to the user's own
    actions and decisions about their household still come)."""
    await uow.users.set_muted(user_id, now if muted else None)
    await uow.commit()
