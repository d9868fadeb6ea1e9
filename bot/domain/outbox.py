"""The outbox's rules: message states, what each kind of failure leads to, quiet hours.

Every reminder and broadcast message is stored before it is sent and moves
queued -> sending -> sent | failed | skipped. A message is marked `sending` (and committed)
before the call to Telegram, and only a message still `queued` is ever sent: a crash during
the call leaves it `sending`, and it is reported, never sent again. Pure: time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


FINAL_STATES = frozenset({OutboxState.SENT, OutboxState.FAILED, OutboxState.SKIPPED})


class Priority(IntEnum):
    """Lower goes first: a message for one user never waits behind a broadcast."""

    HIGH = 0
    BULK = 1


class Failure(StrEnum):
    """What a failed call tells us about the message."""

    FLOOD = "flood"  # 429: not delivered; wait exactly retry_after, then send
    TRANSIENT = "transient"  # 5xx or no connection: not delivered; retry with backoff
    UNREACHABLE = "unreachable"  # 403, chat gone: skip, and skip the user until they write
    REJECTED = "rejected"  # 400 and the like: sending it again cannot help
    UNCERTAIN = "uncertain"  # timeout or dropped mid-call: it may have arrived; never resend


# Reasons stored on skipped messages.
SKIP_MUTED = "stopped"  # the user sent /stop
SKIP_UNREACHABLE = "unreachable"
SKIP_CANCELLED = "cancelled"
FAIL_INTERRUPTED = "interrupted: the bot stopped while sending; not sent again"


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to store in the outbox: HTML ready to send to one chat."""

    chat_id: int
    text: str
    priority: Priority = Priority.BULK
    broadcast_id: int | None = None
    reminder: str | None = None  # the rule key, for reminders
    not_before: datetime | None = None


@dataclass(frozen=True)
class ClaimedMessage:
    """A message turned `sending`, to be sent exactly now."""

    id: int
    chat_id: int
    text: str
    attempts: int


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base: float = 2.0  # seconds before the first retry, doubled each time
    backoff_cap: float = 300.0
    max_floods: int = 20  # 429s in a row for one message before it is given up

    def backoff(self, attempts: int) -> float:
        """Wait after the `attempts`-th transient failure (1-based)."""
        return float(min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1)))


@dataclass(frozen=True)
class Step:
    """What becomes of a message after a failed call."""

    state: OutboxState
    reason: str
    retry_at: datetime | None = None


def after_failure(
    failure: Failure,
    reason: str,
    attempts: int,
    now: datetime,
    policy: RetryPolicy,
    retry_after: float = 0.0,
) -> Step:
    """The next state of a message whose `attempts`-th call just failed this way."""
    if failure is Failure.UNREACHABLE:
        return Step(OutboxState.SKIPPED, SKIP_UNREACHABLE)
    if failure is Failure.FLOOD:
        if attempts > policy.max_floods:
            return Step(OutboxState.FAILED, reason)
        return Step(OutboxState.QUEUED, reason, now + timedelta(seconds=retry_after))
    if failure is Failure.TRANSIENT and attempts < policy.max_attempts:
        return Step(OutboxState.QUEUED, reason, now + timedelta(seconds=policy.backoff(attempts)))
    return Step(OutboxState.FAILED, reason)


@dataclass(frozen=True)
class QuietHours:
    """Local hours when bulk messages wait; `start == end` means never quiet."""

    start: time = time(21)
    end: time = time(7)

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first moment after `moment` when bulk may go again (itself if not quiet)."""
        if not self.contains(moment, zone):
            return moment
        local = moment.astimezone(zone)
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(moment.tzinfo)


def parse_quiet_hours(text: str) -> QuietHours:
    """'21:00-07:00' -> QuietHours; 'off' or '' -> never quiet. ValueError otherwise."""
    cleaned = text.strip().lower()
    if cleaned in ("", "off", "none"):
        return QuietHours(time(0), time(0))
    start, _, end = cleaned.partition("-")
    return QuietHours(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
