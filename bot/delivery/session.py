"""The one outgoing HTTP session: retries what Telegram asks us to retry.

aiogram raises ``TelegramRetryAfter`` on 429 and never retries, so without this layer a reply
hit by flood control is silently lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

logger = logging.getLogger("hoctap.delivery")

Sleep = Callable[[float], Awaitable[None]]
POSTING_PREFIXES = ("send", "copy", "forward", "edit")  # calls Telegram's rate limits count


def backoff_delay(failures: int, base: float, cap: float) -> float:
    """Wait before the retry that follows the ``failures``-th transient failure (1-based)."""
    return float(min(cap, base * 2 ** (failures - 1)))


class ResilientSession(AiohttpSession):
    """AiohttpSession that waits out 429s and retries network errors and 5xx with backoff.

    Other errors (400, 401, 403, 404...) are raised at once: repeating them cannot help.
    """

    def __init__(
        self,
        *,
        max_retry_after_attempts: int = 5,
        max_retry_after: float = 3600.0,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        on_send: Callable[[], Awaitable[None]] | None = None,
        **kwargs: Any,
    ) -> None:
        """Configure retries; other kwargs (``api``, ``timeout``, ``proxy``...) go to aiohttp.

        :param max_retry_after_attempts: how many 429s in a row are waited out and retried.
        :param max_retry_after: a single 429 asking to wait longer than this is re-raised.
        :param max_attempts: total calls allowed when network errors or 5xx keep happening.
        :param backoff_base: first backoff wait in seconds, doubled after each failure.
        :param backoff_cap: longest backoff wait in seconds.
        :param sleep: awaited to wait; tests inject a recorder instead of real waiting.
        :param on_send: awaited before each call that posts into a chat: the pacer shared
            with the outbox sender gives replies the next place under the global rate.
        """
        super().__init__(**kwargs)
        self.max_retry_after_attempts = max_retry_after_attempts
        self.max_retry_after = max_retry_after
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._on_send = on_send

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        """Call the Bot API, retrying 429, network errors and 5xx as configured."""
        name = method.__api_method__
        posting = self._on_send is not None and name.startswith(POSTING_PREFIXES)
        flood_waits = 0
        failures = 0
        while True:
            if posting and self._on_send is not None:
                await self._on_send()  # each attempt counts against Telegram's limits
            try:
                return await super().make_request(bot, method, timeout)
            except TelegramRetryAfter as error:
                flood_waits += 1
                if not self._may_wait_out(error, flood_waits):
                    raise
                wait: float = error.retry_after
            except TelegramEntityTooLarge:
                raise  # a network-error subclass, but sending the same file again cannot help
            except (TelegramNetworkError, TelegramServerError) as error:
                failures += 1
                if failures >= self.max_attempts:
                    raise
                wait = backoff_delay(failures, self.backoff_base, self.backoff_cap)
                # Only the error type: messages may hold chat ids or URLs with the bot token.
                logger.warning(
                    "%s failed (%s), attempt %d/%d, retrying in %.1fs",
                    name,
                    type(error).__name__,
                    failures,
                    self.max_attempts,
                    wait,
                )
            await self._sleep(wait)

    def _may_wait_out(self, error: TelegramRetryAfter, flood_waits: int) -> bool:
        if flood_waits > self.max_retry_after_attempts or error.retry_after > self.max_retry_after:
            logger.warning(
                "%s flood control: giving up (retry_after=%ss, wait %d)",
                error.method.__api_method__,
                error.retry_after,
                flood_waits,
            )
            return False
        logger.warning(
            "%s flood control: retrying in %ss (wait %d/%d)",
            error.method.__api_method__,
            error.retry_after,
            flood_waits,
            self.max_retry_after_attempts,
        )
        return True
