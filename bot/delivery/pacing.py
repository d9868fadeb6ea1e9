"""Telegram's limits as one pacer: a global rate, one message a second per chat, twenty a
minute per group, and pauses asked for by 429 answers.

Times are floats from a monotonic clock the caller passes in, so tests need no sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]

PER_CHAT_INTERVAL = 1.0
GROUP_WINDOW = 60.0
# Telegram counts calls in a sliding second; keep a little margin for timing jitter.
WINDOW = 1.0
WINDOW_GUARD = 0.005
# A 429 does not say whether it is for one chat or for the whole bot. Refusals for several
# different chats within a second mean the bot as a whole is over the limit; fewer are
# taken for that chat's own (at ~30 calls/s, a few stray 429s a minute are normal).
GLOBAL_FLOOD_CHATS = 6
FLOOD_WINDOW = 1.0


class Pacer:
    """Decides when the next message may go, to whom; records what was sent."""

    def __init__(self, rate: float, group_per_minute: int = 20) -> None:
        self.interval = 1.0 / rate
        self.group_per_minute = group_per_minute
        self._room = max(1, math.floor(rate))  # calls in any sliding second
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._calls: deque[tuple[float, int | None]] = deque()  # the last second's calls
        self._chat_ready: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._floods: deque[tuple[float, int]] = deque()

    def next_slot(self) -> float:
        """The earliest moment the next bulk message may be sent, whatever its chat."""
        return max(self._next_slot, self._paused_until, self.window_free_at())

    def window_free_at(self) -> float:
        """When the sliding second next has room for a call (a reply waits only for this)."""
        if len(self._calls) < self._room:
            return 0.0
        return self._calls[-self._room][0] + WINDOW + WINDOW_GUARD

    def chat_ready_at(self, chat_id: int) -> float:
        """The earliest moment a message may go to this chat (0.0: at once)."""
        ready = self._chat_ready.get(chat_id, 0.0)
        sends = self._group_sends.get(chat_id)
        if sends is not None and len(sends) >= self.group_per_minute:
            ready = max(ready, sends[0] + GROUP_WINDOW)
        return ready

    def take(self, chat_id: int, now: float) -> None:
        """A message goes to `chat_id` now: it uses a global slot and the chat's turn."""
        # Fixed slots: a message sent a little late does not push every later one back; after
        # a pause the slots start again from now.
        late = now - self._next_slot
        self._next_slot = (self._next_slot if late < self.interval else now) + self.interval
        self._note(now, chat_id)
        self._chat_ready[chat_id] = max(
            self._chat_ready.get(chat_id, 0.0), now + PER_CHAT_INTERVAL
        )
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(now)
            while sends and sends[0] <= now - GROUP_WINDOW:
                sends.popleft()
        if len(self._chat_ready) > 10_000:
            self._forget_before(now)

    def note_reply(self, now: float) -> None:
        """A reply to a user's own action goes now: it counts in the window. Replies go
        before bulk: they wait only for room in the window, never for bulk's slots."""
        self._note(now, None)

    async def reply_turn(self, clock: Callable[[], float], sleep: Sleep) -> None:
        """Wait for room in the sliding second (a slot at most: ~33 ms), then take it."""
        while (wait := self.window_free_at() - clock()) > 0:
            await sleep(wait)
        self.note_reply(clock())

    def on_flood(self, chat_id: int, retry_after: float, now: float) -> bool:
        """Pause for a 429; True when judged global (the whole sender waits)."""
        # A refused call did not count against the limit: its place and its slot are free.
        if self._unnote(chat_id):
            self._next_slot = max(now, self._next_slot - self.interval)
        self._floods.append((now, chat_id))
        while self._floods and self._floods[0][0] < now - FLOOD_WINDOW:
            self._floods.popleft()
        until = now + retry_after
        self._chat_ready[chat_id] = max(self._chat_ready.get(chat_id, 0.0), until)
        if len({chat for _, chat in self._floods}) >= GLOBAL_FLOOD_CHATS:
            self._paused_until = max(self._paused_until, until)
            return True
        return False

    def _note(self, now: float, chat_id: int | None) -> None:
        self._calls.append((now, chat_id))
        while self._calls and self._calls[0][0] < now - WINDOW - WINDOW_GUARD:
            self._calls.popleft()

    def _unnote(self, chat_id: int) -> bool:
        for index in range(len(self._calls) - 1, -1, -1):
            if self._calls[index][1] == chat_id:
                del self._calls[index]
                return True
        return False

    def _forget_before(self, now: float) -> None:
        self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
        self._group_sends = {
            c: s for c, s in self._group_sends.items() if s and s[-1] > now - GROUP_WINDOW
        }
