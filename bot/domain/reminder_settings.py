"""A commune's reminders as it runs them: the shipped rules with its own changes, who a
reminder reaches, and the days an officer reads and types ("when 14 days are left before
“Self-assessment closes”").

A closing deadline's day is its last day, and it closes at the end of that day: its last
day is "the day before" it closes, and the next day "the day after". So officers' days are
never 0 for a closing deadline; an opening deadline counts from its first day ("on the day").
Pure: no clock, no storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.deadlines import OPENING, Deadlines
from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.reminders import MAX_OFFSET, MESSAGE_DEADLINE, Audience, ReminderRule
from bot.domain.status import Status

MSG_DAYS = N_(
    "Please type a number of days from -{maximum} to {maximum}, for example: -14 for two "
    "weeks before"
)
MSG_DAYS_CLOSING = N_(
    "For a closing date, type -1 for its last day or 1 for the day after it closes"
)
MSG_HOUR = N_("Please type an hour from 0 to 23, for example: 8")
# What officers call each message's rules, and whom each audience is.
RULE_NAMES = {
    "registration_opens": N_("Registration is open"),
    "assessment_due": N_("Self-assessment reminder"),
    "verification_digest": N_("Households waiting, to hamlet heads"),
    "officer_digest": N_("Verification summary, to officers"),
    "citizen_assessment_due": N_("Learning citizens: self-assessment reminder"),
    "clan_assessment_due": N_("Clans: self-assessment reminder"),
    "hamlet_assessment_due": N_("Hamlets: self-assessment reminder"),
    "unit_assessment_due": N_("Units: self-assessment reminder"),
}
AUDIENCE_LABELS = {
    Audience.NOT_REGISTERED: N_("families not registered this year"),
    Audience.REGISTERED_NOT_ASSESSED: N_("families registered but not yet self-assessed"),
    Audience.HAMLET_HEADS: N_("hamlet heads with households waiting for verification"),
    Audience.COMMUNE_OFFICERS: N_("the commune's officers"),
    Audience.GROUPS_NOT_ASSESSED: N_(
        "those who answer for a clan, unit or hamlet registered but not yet self-assessed"
    ),
}
# When a rule runs, in words; placeholders {days}, {deadline} (its label), {weekday}, {hour}.
MSG_WEEKLY = N_("Every {weekday}, {hour}")
MSG_DAYS_LEFT = N_("When {days} days are left before “{deadline}”, {hour}")
MSG_LAST_DAY = N_("On the last day before “{deadline}”, {hour}")
MSG_BEFORE = N_("{days} days before “{deadline}”, {hour}")
MSG_DAY_BEFORE = N_("The day before “{deadline}”, {hour}")
MSG_ON_THE_DAY = N_("On the day of “{deadline}”, {hour}")
MSG_DAY_AFTER = N_("The day after “{deadline}”, {hour}")
MSG_AFTER = N_("{days} days after “{deadline}”, {hour}")

# Families the self-assessment reminder is for: registered, or returned to fill in again.
NOT_ASSESSED = (Status.REGISTERED, Status.RETURNED)
# What an officer's digest counts as verified: everything the hamlet heads passed on.
VERIFIED = (Status.VERIFIED, Status.RECOGNISED, Status.NOT_RECOGNISED)


@dataclass(frozen=True)
class RuleChange:
    """A commune's own values for a shipped rule (stored whole, whatever it changed)."""

    active: bool
    offset_days: int
    hour: int


@dataclass(frozen=True)
class ReminderRecipient:
    """One message of a reminder. `name`: the household head's name for a family, the
    hamlet's for a hamlet head, the commune's for an officer; the counts are of households
    this year (a hamlet's for its head, the commune's for an officer)."""

    user_id: int
    locale: str
    name: str = ""
    waiting: int = 0
    verified: int = 0
    returned: int = 0


def effective_rules(
    shipped: Iterable[ReminderRule], changes: Mapping[str, RuleChange]
) -> tuple[ReminderRule, ...]:
    """The shipped rules with the commune's changes; a weekly rule keeps no offset."""
    rules = []
    for rule in shipped:
        change = changes.get(rule.key)
        if change is not None:
            offset = change.offset_days if rule.weekday is None else 0
            rule = replace(rule, active=change.active, offset_days=offset, hour=change.hour)
        rules.append(rule)
    return tuple(rules)


def change_of(rule: ReminderRule) -> RuleChange:
    return RuleChange(rule.active, rule.offset_days, rule.hour)


def sendable(rule: ReminderRule, deadlines: Deadlines, now: datetime) -> bool:
    """Whether the rule's message can be written (the deadline it names is set) and, for a
    weekly rule, still means something (that deadline has not passed)."""
    named = deadlines.get(MESSAGE_DEADLINE[rule.message])
    return named is not None and (rule.anchor is not None or now < named)


def officer_days(rule: ReminderRule) -> int | None:
    """The rule's days as officers read them: negative before its date, positive after;
    None for a weekly rule."""
    if rule.anchor is None:
        return None
    if rule.anchor in OPENING or rule.offset_days > 0:
        return rule.offset_days
    return rule.offset_days - 1


def offset_for_days(rule: ReminderRule, days: int) -> int:
    """The rule's `offset_days` for the days an officer typed (see `officer_days`)."""
    if rule.anchor is None or rule.anchor in OPENING or days > 0:
        return days
    if days == 0:
        raise InputError(MSG_DAYS_CLOSING)
    return days + 1


def when_msgid(rule: ReminderRule) -> str:
    """How to say when the rule runs; {days} is the size of `officer_days`."""
    days = officer_days(rule)
    if days is None:
        return MSG_WEEKLY
    if rule.anchor not in OPENING and days < 0:
        return MSG_LAST_DAY if days == -1 else MSG_DAYS_LEFT
    by_day = {-1: MSG_DAY_BEFORE, 0: MSG_ON_THE_DAY, 1: MSG_DAY_AFTER}
    return by_day.get(days) or (MSG_BEFORE if days < 0 else MSG_AFTER)


def parse_days(text: str) -> int:
    """A signed number of days, "-14", "+1" or "3", within ±MAX_OFFSET."""
    typed = text.strip().replace("−", "-").replace(" ", "")
    try:
        days = int(typed)
    except ValueError:
        raise InputError(MSG_DAYS, {"maximum": MAX_OFFSET}) from None
    if not -MAX_OFFSET <= days <= MAX_OFFSET:
        raise InputError(MSG_DAYS, {"maximum": MAX_OFFSET})
    return days


def parse_hour(text: str) -> int:
    """An hour of the day, "8", "08" or "8:00"."""
    typed = text.strip().lower().removesuffix("h").removesuffix(":00").strip()
    # isdecimal, not isdigit: int() refuses "²", a digit that is not a decimal one.
    if not (typed.isdecimal() and len(typed) <= 2) or not 0 <= int(typed) <= 23:
        raise InputError(MSG_HOUR)
    return int(typed)
