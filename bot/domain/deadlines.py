"""The year's deadlines a commune sets for a title: when families may register, until when
they may self-assess, and until when hamlet heads may verify.

An officer gives days; a window opens at the start of its first day and closes at the end of
its last day, in the commune's time zone. Pure: the caller passes `now` and the zone.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.messages import N_


class Deadline(StrEnum):
    """Each date an officer can set, by the name it is stored under."""

    REGISTRATION_OPENS = "registration_opens"
    REGISTRATION_CLOSES = "registration_closes"
    ASSESSMENT_OPENS = "assessment_opens"
    ASSESSMENT_CLOSES = "assessment_closes"
    VERIFICATION_CLOSES = "verification_closes"


OPENING = frozenset({Deadline.REGISTRATION_OPENS, Deadline.ASSESSMENT_OPENS})
DEADLINE_LABELS = {
    Deadline.REGISTRATION_OPENS: N_("Registration opens"),
    Deadline.REGISTRATION_CLOSES: N_("Registration closes"),
    Deadline.ASSESSMENT_OPENS: N_("Self-assessment opens"),
    Deadline.ASSESSMENT_CLOSES: N_("Self-assessment closes"),
    Deadline.VERIFICATION_CLOSES: N_("Verification closes"),
}

MSG_REGISTRATION_NOT_OPEN = N_("Registration for this year opens on {date}.")
MSG_REGISTRATION_CLOSED = N_("Registration for this year closed on {date}.")
MSG_VERIFICATION_CLOSED = N_("Verification for this year closed on {date}.")
MSG_ORDER = N_("“{later}” cannot come before “{earlier}”.")
MSG_WRONG_YEAR = N_("Please choose a day in {year} or {next_year}.")


@dataclass(frozen=True)
class Deadlines:
    """Moments (aware datetimes); None: not set, nothing is limited on that side."""

    registration_opens: datetime | None = None
    registration_closes: datetime | None = None
    assessment_opens: datetime | None = None
    assessment_closes: datetime | None = None
    verification_closes: datetime | None = None

    def get(self, which: Deadline) -> datetime | None:
        moment: datetime | None = getattr(self, which.value)
        return moment

    @staticmethod
    def first_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
        return moment.astimezone(zone).date() if moment else None

    @staticmethod
    def last_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
        """The last day a closing moment still lets in (it is the next day's start)."""
        return (moment - timedelta(microseconds=1)).astimezone(zone).date() if moment else None

    def day(self, which: Deadline, zone: ZoneInfo) -> date | None:
        """The day as the officer gave it."""
        moment = self.get(which)
        return self.first_day(moment, zone) if which in OPENING else self.last_day(moment, zone)


DEADLINES = tuple(Deadline(f.name) for f in fields(Deadlines))

# Pairs that must come in this order when both are set: (earlier, later).
ORDER = (
    (Deadline.REGISTRATION_OPENS, Deadline.REGISTRATION_CLOSES),
    (Deadline.ASSESSMENT_OPENS, Deadline.ASSESSMENT_CLOSES),
    (Deadline.REGISTRATION_OPENS, Deadline.ASSESSMENT_CLOSES),
    (Deadline.ASSESSMENT_CLOSES, Deadline.VERIFICATION_CLOSES),
)


def moment_of(which: Deadline, day: date, zone: ZoneInfo) -> datetime:
    """An opening is the start of its day; a closing is the start of the day after."""
    start = datetime.combine(day, time(), tzinfo=zone)
    return start if which in OPENING else start + timedelta(days=1)


@dataclass(frozen=True)
class DeadlineProblem:
    msgid: str
    earlier: Deadline | None = None
    later: Deadline | None = None


def with_day(
    deadlines: Deadlines, which: Deadline, day: date | None, year: int, zone: ZoneInfo
) -> tuple[Deadlines, DeadlineProblem | None]:
    """The deadlines with `which` set to `day` (None clears it), or the problem that stops it:
    a day outside the campaign year (or the next, for late deadlines), or one that breaks
    the order of the year."""
    if day is not None and day.year not in (year, year + 1):
        return deadlines, DeadlineProblem(MSG_WRONG_YEAR)
    changed = Deadlines(
        **{
            d.value: (moment_of(d, day, zone) if day else None) if d == which else deadlines.get(d)
            for d in DEADLINES
        }
    )
    for earlier, later in ORDER:
        first, second = changed.get(earlier), changed.get(later)
        if first is not None and second is not None and second <= first:
            return deadlines, DeadlineProblem(MSG_ORDER, earlier, later)
    return changed, None


def window_refusal(
    opens: datetime | None, closes: datetime | None, now: datetime
) -> tuple[bool, datetime] | None:
    """Why `now` is outside [opens, closes): (True, opens) before it opens, (False, closes)
    once it has closed; None inside."""
    if opens is not None and now < opens:
        return True, opens
    if closes is not None and now >= closes:
        return False, closes
    return None
