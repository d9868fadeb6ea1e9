"""Telling a household what others decided, in its own language, over the Bot API."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.utils.i18n import I18n

from bot.delivery.outcome import Sent, Unreachable, deliver
from bot.i18n import fill
from bot.services.ports import Delivery

log = logging.getLogger("hoctap.delivery")


class BotNotifier:
    """Sends at once; a recipient who blocked the bot is skipped and logged by id only."""

    def __init__(self, bot: Bot, i18n: I18n, tz: Any) -> None:
        self._bot, self._i18n, self._tz = bot, i18n, tz

    async def notify(
        self, user_id: int, locale: str, msgid: str, params: dict[str, Any]
    ) -> Delivery:
        text = fill(self._i18n, msgid, params, locale, self._tz)
        outcome = await deliver(self._bot, SendMessage(chat_id=user_id, text=text))
        if isinstance(outcome, Sent):
            return Delivery.SENT
        log.warning("notification not delivered: %s", type(outcome).__name__)
        return Delivery.UNREACHABLE if isinstance(outcome, Unreachable) else Delivery.FAILED
