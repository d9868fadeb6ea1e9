"""The dispatcher's routing stays on the event loop: aiogram runs a filter or handler that is
a plain function (or an `F` expression) in a worker thread, a hop that costs a button press
more than the check itself."""

from __future__ import annotations

from collections.abc import Iterator

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.config import Settings
from bot.i18n import create_i18n


def callables(router: Router) -> Iterator[tuple[str, CallableObject]]:
    """Every handler and filter in `router` and the routers under it, with where it is."""
    for name, observer in router.observers.items():
        if name == "aiogd_update":  # aiogram-dialog's own updates from `bg()`, not a user's
            continue
        where = f"{router.name}.{name}"
        for event_filter in observer._handler.filters or ():  # those of `observer.filter(...)`
            yield f"{where} router filter {event_filter.callback!r}", event_filter
        for handler in observer.handlers:
            yield f"{where} handler {handler.callback!r}", handler
            for event_filter in handler.filters or ():
                yield f"{where} filter {event_filter.callback!r}", event_filter
    for child in router.sub_routers:
        yield from callables(child)


def test_no_handler_or_filter_runs_in_a_worker_thread(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    settings = Settings(database_url="sqlite+aiosqlite:///unused.db", redis_url=None)
    dp = build_dispatcher(settings, session_factory, create_i18n("vi"))
    in_threads = [where for where, found in callables(dp) if not found.awaitable]
    assert in_threads == []
