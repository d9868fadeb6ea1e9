"""The hamlet head's work: invitations, the hamlet's household list, numbers and targets.

Pure rules: no clock (the caller passes `now`), no storage, no framework.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.messages import N_
from bot.domain.status import Status

INVITE_DAYS = 7
INVITE_PREFIX = "inv_"
FAMILY_LINK_PREFIX = "h_"
# Telegram's /start parameter: at most 64 of A-Z a-z 0-9 _ -; a 24-byte token is 32 of them.
INVITE_TOKEN_BYTES = 24
CLAIM_TRIES_PER_HOUR = 5
PAGE_SIZE = 10

MSG_INVITE_INVALID = N_(
    "This invitation link cannot be used: it is wrong, already used, expired or withdrawn. "
    "Please ask your commune for a new one."
)
MSG_TOO_MANY_TRIES = N_(
    "Too many wrong codes. For your family's safety, please try again in an hour."
)


def new_invite_token() -> str:
    """A random token for a deep link; only its hash is stored."""
    return secrets.token_urlsafe(INVITE_TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"


def family_link(bot_username: str, hamlet_code: str) -> str:
    return f"https://t.me/{bot_username}?start={FAMILY_LINK_PREFIX}{hamlet_code}"


class InviteState(StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Invite:
    """An officer's single-use invitation for someone to become a hamlet's head."""

    id: int
    hamlet_code: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> InviteState:
        if self.revoked_at is not None:
            return InviteState.REVOKED
        if self.used_at is not None:
            return InviteState.USED
        if now >= self.expires_at:
            return InviteState.EXPIRED
        return InviteState.OPEN


def invite_expiry(now: datetime, days: int = INVITE_DAYS) -> datetime:
    return now + timedelta(days=days)


class ListFilter(StrEnum):
    """What the hamlet head's household list can be narrowed to."""

    ALL = "all"
    NOT_REGISTERED = "not_registered"
    REGISTERED = "registered"
    SELF_ASSESSED = "self_assessed"
    VERIFIED = "verified"
    RETURNED = "returned"
    RECOGNISED = "recognised"
    UNREACHABLE = "unreachable"


# The filters that are a registration status (the others are "none this year" and "cannot be
# reached"); "recognised" also counts those not recognised, the commune having decided both.
FILTER_STATUSES: dict[ListFilter, tuple[Status, ...]] = {
    ListFilter.REGISTERED: (Status.REGISTERED,),
    ListFilter.SELF_ASSESSED: (Status.SELF_ASSESSED,),
    ListFilter.VERIFIED: (Status.VERIFIED,),
    ListFilter.RETURNED: (Status.RETURNED,),
    ListFilter.RECOGNISED: (Status.RECOGNISED, Status.NOT_RECOGNISED),
}

# Households a reminder is for: not registered this year, or registered and not yet assessed.
PENDING_STATUSES = (None, Status.REGISTERED, Status.RETURNED)


@dataclass(frozen=True)
class HouseholdLine:
    """One household in the hamlet head's list."""

    id: int
    head_name: str | None
    phone: str | None
    status: Status | None  # of this year's "learning family" registration; None: not registered
    reachable: bool  # some linked Telegram account that has not blocked the bot
    registration_id: int | None = None


@dataclass(frozen=True)
class Page:
    lines: tuple[HouseholdLine, ...]
    total: int
    number: int  # from 0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


@dataclass(frozen=True)
class Numbers:
    """An area's households this year, at each step of the movement."""

    households: int = 0
    registered: int = 0
    self_assessed: int = 0
    passed: int = 0
    verified: int = 0
    recognised: int = 0
    unreachable: int = 0


def households_to_target(numbers: Numbers, percent: int | None) -> int | None:
    """How many more households must be recognised to reach `percent` of the roster
    (None when no target is set)."""
    if percent is None:
        return None
    needed = math.ceil(numbers.households * percent / 100)
    return max(0, needed - numbers.recognised)


def share(part: int, whole: int) -> int:
    """A whole percentage, rounded down so that 69.9% never shows as a reached 70%."""
    return part * 100 // whole if whole else 0


# A household counts at every step it has passed: a recognised one was also registered,
# self-assessed and verified.
SELF_ASSESSED_OR_LATER = frozenset(
    {
        Status.SELF_ASSESSED,
        Status.VERIFIED,
        Status.RETURNED,
        Status.RECOGNISED,
        Status.NOT_RECOGNISED,
    }
)
VERIFIED_OR_LATER = frozenset({Status.VERIFIED, Status.RECOGNISED, Status.NOT_RECOGNISED})


@dataclass(frozen=True)
class StandingRow:
    """One household's standing this year, as the numbers count it."""

    status: Status | None
    passed: bool | None
    reachable: bool


def count_numbers(rows: Iterable[StandingRow]) -> Numbers:
    counts = dict.fromkeys(
        ("households", "registered", "self_assessed", "passed", "verified", "recognised"), 0
    )
    unreachable = 0
    for row in rows:
        counts["households"] += 1
        unreachable += not row.reachable
        if row.status is None or row.status == Status.DRAFT:
            continue
        counts["registered"] += 1
        if row.status in SELF_ASSESSED_OR_LATER:
            counts["self_assessed"] += 1
            counts["passed"] += bool(row.passed)
        counts["verified"] += row.status in VERIFIED_OR_LATER
        counts["recognised"] += row.status == Status.RECOGNISED
    return Numbers(**counts, unreachable=unreachable)
