"""The commune's decision recognising households proposed by their hamlet heads: its number
and date, as written on the paper the People's Committee signs. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.text import normalize_text

DECISION_NUMBER_MAX = 40
MSG_DECISION_NUMBER = N_(
    "Please type the decision number as it is written on the decision, for example: 125/QĐ-UBND"
)
MSG_REASON_NEEDED = N_("Please give the reason: the family will be told.")


@dataclass(frozen=True)
class Decision:
    number: str
    day: date


@dataclass(frozen=True)
class Proposal:
    """A household its hamlet head verified and proposed, waiting for the commune."""

    registration_id: int
    household_id: int
    head_name: str | None
    hamlet_code: str
    total: int | None
    hamlet_name: str = ""


def parse_decision_number(text: str) -> str:
    """A decision number such as "125/QĐ-UBND": some digits, at most 40 characters."""
    number = normalize_text(text)
    if not any(ch.isdigit() for ch in number) or len(number) > DECISION_NUMBER_MAX:
        raise InputError(MSG_DECISION_NUMBER)
    return number
