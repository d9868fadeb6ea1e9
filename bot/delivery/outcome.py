"""Typed delivery outcomes, so callers decide per case instead of catching Telegram errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import Message
from aiohttp import ClientConnectorError

from bot.domain.outbox import Failure

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

# 400 answers that mean the recipient is gone rather than that our request is wrong.
_UNREACHABLE_BAD_REQUESTS = ("chat not found", "peer_id_invalid")


@dataclass(frozen=True, slots=True)
class Sent:
    """Telegram accepted the call; ``message_id`` is set when a message came back."""

    message_id: int | None


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The recipient cannot be reached (blocked the bot, deactivated, chat not found)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The call failed for another reason, after the session's retries."""

    reason: str


DeliveryOutcome: TypeAlias = Sent | Unreachable | Failed


async def deliver(bot: Bot, method: TelegramMethod[Any]) -> DeliveryOutcome:
    """Call ``bot(method)`` and report the outcome; never raises for Telegram errors."""
    try:
        result = await bot(method)
    except TelegramAPIError as error:
        return classify_error(error)
    except ClientDecodeError:
        # e.g. an HTML error page from a proxy in front of the Bot API
        return Failed("undecodable response from Telegram")
    return Sent(_message_id(result))


def classify_error(error: AiogramError) -> Unreachable | Failed:
    """Map an aiogram error to an outcome with a short reason free of personal data."""
    if isinstance(error, TelegramForbiddenError):
        return Unreachable(error.message)
    if isinstance(error, TelegramBadRequest) and _names_missing_chat(error.message):
        return Unreachable(error.message)
    if isinstance(error, TelegramRetryAfter):
        # Its message embeds the chat id; keep only the wait.
        return Failed(f"flood control: retry after {error.retry_after}s")
    if isinstance(error, TelegramNetworkError):
        # Its message may carry a URL with the bot token.
        return Failed(f"network error ({type(error).__name__})")
    if isinstance(error, TelegramAPIError):
        return Failed(error.message)
    return Failed(type(error).__name__)


@dataclass(frozen=True, slots=True)
class FailedCall:
    """Why one outbox call failed, and for a 429 how long Telegram asks to wait."""

    failure: Failure
    reason: str
    retry_after: float = 0.0


def failed_call(error: AiogramError) -> FailedCall:
    """What an error means for an outbox message: only errors proving the message was not
    accepted (429, 5xx, no connection made) allow sending it again."""
    reason = classify_error(error).reason
    if isinstance(error, TelegramRetryAfter):
        return FailedCall(Failure.FLOOD, reason, float(error.retry_after))
    if isinstance(error, TelegramForbiddenError) or isinstance(classify_error(error), Unreachable):
        return FailedCall(Failure.UNREACHABLE, reason)
    if isinstance(error, TelegramServerError):
        return FailedCall(Failure.TRANSIENT, reason)
    if isinstance(error, TelegramNetworkError):
        connected = not isinstance(error.__cause__, ClientConnectorError)
        # A timeout or a dropped connection may come after Telegram took the message.
        return FailedCall(Failure.UNCERTAIN if connected else Failure.TRANSIENT, reason)
    if isinstance(error, ClientDecodeError):
        return FailedCall(Failure.UNCERTAIN, reason)
    return FailedCall(Failure.REJECTED, reason)


def _names_missing_chat(description: str) -> bool:
    lowered = description.lower()
    return any(marker in lowered for marker in _UNREACHABLE_BAD_REQUESTS)


def _message_id(result: object) -> int | None:
    if isinstance(result, Message):
        return result.message_id
    if isinstance(result, list) and result and isinstance(result[0], Message):
        return result[0].message_id  # sendMediaGroup: the album's first message
    return None
