"""Outer middlewares: one unit of work per update, and the user it comes from."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.users import with_env_admin
from bot.services.users import ensure_user
from storage.uow import SqlUnitOfWork

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """Opens one AsyncSession per update and hands handlers a `uow` over it."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        session = self._sessions()
        try:
            data["uow"] = SqlUnitOfWork(session)
            return await handler(event, data)
        finally:
            # A session holds a connection only while in a transaction (a commit gives it
            # back): one that is not has nothing to release, and closing it anyway (in a
            # task of its own, to outlive a cancellation) would cost 2-3% of an update.
            if session.in_transaction():
                await _close(session)


async def _close(session: AsyncSession) -> None:
    async with session:  # closed on the way out, even if this task is cancelled meanwhile
        pass


class UserMiddleware(BaseMiddleware):
    """Loads (or registers) the user behind the update as a domain `User` in `data["user"]`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TelegramUser | None = data.get("event_from_user")
        if tg_user is not None and not tg_user.is_bot:
            user = await ensure_user(
                data["uow"], tg_user.id, datetime.now(UTC), tg_user.language_code
            )
            data["user"] = with_env_admin(user, data["settings"].admin_ids)
        return await handler(event, data)


class InFlightUpdates(BaseMiddleware):
    """Counts updates being handled, so a shutdown can let them finish before closing.

    aiogram handles each update in its own task and does not wait for them when it stops:
    without this, a reply and the dialog state of an update in progress would be lost.
    """

    def __init__(self) -> None:
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self._running += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._running -= 1
            if not self._running:
                self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """True when every update finished within `timeout` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True
