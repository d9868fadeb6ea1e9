"""The hamlet head's work: invitations, the hamlet's household list, numbers and targets.

Pure rules: no clock (the caller passes `now`), no storage, no framework.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.messages import N_
from bot.domain.status import Status
from bot.domain.users import Role

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
    """A single-use invitation for someone to become a hamlet's head (`hamlet_code` is the
    hamlet), or one of a commune's officers (`hamlet_code` is then the commune)."""

    id: int
    hamlet_code: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    role: Role = Role.HAMLET_HEAD

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
