"""Households, their members and their pledge: the rules that need no framework.

A household registers once per year per title; its members may each register as a learning
citizen. The household code links more phones to one household; it is short, and its
alphabet leaves out the letters people misread aloud (0/O, 1/I).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.text import normalize_text

CONSENT_VERSION = 1
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
ADULT_AGE = 18
# Not a member's Telegram account: the household as a whole (GĐHT), or one member (CDHT).
HOUSEHOLD_SUBJECT = "household"

MSG_CODE = N_("A household code has 6 letters and digits, for example: K7M2QX")

# What a family may promise for the year, in the order the pledge screen lists them.
COMMITMENTS: dict[str, str] = {
    "school": N_("Every school-age child goes to school"),
    "skill": N_("Each adult learns one new skill this year"),
    "reading": N_("A reading corner at home"),
    "fund": N_("A family study fund"),
    "digital": N_("Learning to use the phone and the internet safely"),
    "clubs": N_("Taking part in the hamlet's learning activities"),
}


@dataclass(frozen=True)
class Member:
    """A person of the household; name and year are erased when the household is forgotten."""

    id: int
    name: str | None
    birth_year: int | None

    def is_adult(self, year: int) -> bool:
        """Old enough in `year` to self-assess as a learning citizen."""
        return self.birth_year is not None and year - self.birth_year >= ADULT_AGE


@dataclass(frozen=True)
class Household:
    """A registered household; personal fields are None once it asked to be forgotten."""

    id: int
    code: str
    hamlet_code: str
    head_name: str | None
    phone: str | None
    members_count: int
    school_age_count: int
    created_at: datetime
    forgotten_at: datetime | None = None
    claim_code: str | None = None  # registered by a hamlet head and not yet claimed
    consent_by: int | None = None  # the hamlet head who recorded the family's verbal consent
    consent_at: datetime | None = None


@dataclass(frozen=True)
class HouseholdForm:
    """What the registration dialog collected, already parsed."""

    hamlet_code: str
    head_name: str
    phone: str
    members_count: int
    school_age_count: int
    commitments: tuple[str, ...]


def new_household_code() -> str:
    """A random household code; the caller retries on the rare clash with an existing one."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def parse_household_code(text: str) -> str:
    """Return a household code as stored: spaces and dashes dropped, upper case."""
    code = normalize_text(text).upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise InputError(MSG_CODE)
    return code


def known_commitments(chosen: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The chosen commitments that exist, in the pledge screen's order, without repeats."""
    return tuple(key for key in COMMITMENTS if key in chosen)


def campaign_year(now: datetime, zone: ZoneInfo) -> int:
    """The movement's year is the calendar year where the commune is."""
    return now.astimezone(zone).year


def member_subject(member_id: int) -> str:
    """The registration subject of one member's learning-citizen registration."""
    return f"member:{member_id}"


MSG_SCHOOL_AGE = N_("There cannot be more school-age children than members ({members})")


def check_school_age(members: int, school_age: int) -> int:
    """School-age children are members too: never more of them than members."""
    if school_age > members:
        raise InputError(MSG_SCHOOL_AGE, {"members": members})
    return school_age
