"""Collision-free ids for aiogram-dialog's contexts.

aiogram-dialog names each dialog context `int(time.time()) % 10**8 + randint(0, 99) * 10**8`:
two contexts opened in the same second share an id once in a hundred, and the user's dialog
stack breaks ("that button no longer works"). A consent screen that hands over to the
registration opens two in the same update. Upstream: Tishka17/aiogram_dialog PR #501 (open).
Until it lands, ids keep the time but replace the dice by a per-process counter that starts
at a random point (so two workers seldom count alike).
"""

from __future__ import annotations

import itertools
import random
import time

from aiogram_dialog.api.entities import stack

_SEQUENCE = 100_000
_counter = itertools.count(random.randrange(_SEQUENCE))


def unique_int_id() -> int:
    """Seconds, as upstream, plus a counter that differs for every id within 100,000."""
    return int(time.time()) % 100_000_000 + (next(_counter) % _SEQUENCE) * 100_000_000


def install() -> None:
    """Make aiogram-dialog use `unique_int_id` (its `new_id` looks the function up by name)."""
    stack.new_int_id = unique_int_id
