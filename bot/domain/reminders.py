"""Reminder rules as data: who is reminded, with which message, and when — a number of days
from one of the year's deadlines at a local hour, or weekly.

Pure: the caller passes `now`, the commune's zone and the occurrences already sent.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.criteria_model import Title
from bot.domain.deadlines import Deadline, Deadlines
from bot.domain.messages import N_


class Audience(StrEnum):
    """Who a rule reaches, within one commune and campaign year."""

    NOT_REGISTERED = "not_registered"
    REGISTERED_NOT_ASSESSED = "registered_not_assessed"
    HAMLET_HEADS = "hamlet_heads"
    COMMUNE_OFFICERS = "commune_officers"
    # Those who answer for a clan, unit or hamlet registered and not self-assessed: the
    # representative, or the hamlet's heads.
    GROUPS_NOT_ASSESSED = "groups_not_assessed"


MESSAGES: dict[str, str] = {
    "registration_opens": N_(
        "Registration for the “Learning family” title of {year} is open until {deadline}. "
        "Press /start and choose “📝 Register my family” — it takes a few minutes."
    ),
    "assessment_due": N_(
        "{name}: your family's self-assessment for {year} is due by {deadline}. "
        "Days left, including today: {days_left}. "
        "Press /start and choose “📋 Self-assessment”."
    ),
    "verification_digest": N_(
        "Households of {hamlet} waiting for your verification: {count}. "
        "Verification closes on {deadline}."
    ),
    "officer_digest": N_(
        "Verification for {year} closed on {deadline}. "
        "{commune}: {verified} verified, {waiting} still waiting, {returned} returned."
    ),
    "citizen_assessment_due": N_(
        "{name}: the “Learning citizen” self-assessments of your family for {year} are due "
        "by {deadline}. Days left, including today: {days_left}. "
        "Press /start and choose “📋 Self-assessment”."
    ),
    "clan_assessment_due": N_(
        "{name}: the clan's “Learning clan” self-assessment for {year} is due by {deadline}. "
        "Days left, including today: {days_left}. "
        "Press /start and choose “👥 Clans and units”."
    ),
    "hamlet_assessment_due": N_(
        "{name}: the hamlet's “Learning community” self-assessment for {year} is due by "
        "{deadline}. Days left, including today: {days_left}. "
        "Press /start and choose “🏘 Learning hamlet: self-assessment”."
    ),
    "unit_assessment_due": N_(
        "{name}: the “Learning unit” self-assessment for {year} is due by {deadline}. "
        "Days left, including today: {days_left}. "
        "Press /start and choose “👥 Clans and units”."
    ),
}
# The audience each message is written for (it has that audience's placeholders) ...
MESSAGE_AUDIENCE = {
    "registration_opens": Audience.NOT_REGISTERED,
    "assessment_due": Audience.REGISTERED_NOT_ASSESSED,
    "verification_digest": Audience.HAMLET_HEADS,
    "officer_digest": Audience.COMMUNE_OFFICERS,
    "citizen_assessment_due": Audience.REGISTERED_NOT_ASSESSED,
    "clan_assessment_due": Audience.GROUPS_NOT_ASSESSED,
    "hamlet_assessment_due": Audience.GROUPS_NOT_ASSESSED,
    "unit_assessment_due": Audience.GROUPS_NOT_ASSESSED,
}
# ... the title it is about, whose deadlines time it and whose registrations pick its
# audience ...
MESSAGE_TITLE = {
    "registration_opens": Title.GIA_DINH,
    "assessment_due": Title.GIA_DINH,
    "verification_digest": Title.GIA_DINH,
    "officer_digest": Title.GIA_DINH,
    "citizen_assessment_due": Title.CONG_DAN,
    "clan_assessment_due": Title.DONG_HO,
    "hamlet_assessment_due": Title.CONG_DONG,
    "unit_assessment_due": Title.DON_VI,
}
# ... and the deadline whose day fills its {deadline}, whatever the rule's anchor.
MESSAGE_DEADLINE = {
    "registration_opens": Deadline.REGISTRATION_CLOSES,
    "assessment_due": Deadline.ASSESSMENT_CLOSES,
    "verification_digest": Deadline.VERIFICATION_CLOSES,
    "officer_digest": Deadline.VERIFICATION_CLOSES,
    "citizen_assessment_due": Deadline.ASSESSMENT_CLOSES,
    "clan_assessment_due": Deadline.ASSESSMENT_CLOSES,
    "hamlet_assessment_due": Deadline.ASSESSMENT_CLOSES,
    "unit_assessment_due": Deadline.ASSESSMENT_CLOSES,
}
MAX_OFFSET = 60
GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class ReminderRule:
    """`offset_days` from the anchor's day (negative: before) at local `hour`; or, with no
    anchor, every `weekday` (0 = Monday) at `hour`."""

    key: str
    audience: Audience
    message: str
    anchor: Deadline | None
    offset_days: int
    hour: int
    weekday: int | None
    active: bool = True

    @property
    def title(self) -> str:
        """The title whose deadlines and registrations the rule goes by: its message's."""
        return MESSAGE_TITLE[self.message].value


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _latest_weekly(rule: ReminderRule, now: datetime, zone: ZoneInfo) -> datetime:
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - (rule.weekday or 0)) % 7)
    moment = _at(day, rule.hour, zone)
    return moment if moment <= now else _at(day - timedelta(days=7), rule.hour, zone)


def _occurrence(
    rule: ReminderRule, deadlines: Deadlines, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """An anchored rule's one occurrence; a weekly rule's latest at or before `now`."""
    if rule.anchor is None:
        return _latest_weekly(rule, now, zone)
    day = deadlines.day(rule.anchor, zone)
    return _at(day + timedelta(days=rule.offset_days), rule.hour, zone) if day else None


def _expiry(rule: ReminderRule, moment: datetime, deadlines: Deadlines) -> datetime:
    """Before its anchor an occurrence counts until the anchor; otherwise for GRACE."""
    anchor = deadlines.get(rule.anchor) if rule.anchor else None
    return anchor if anchor is not None and moment < anchor else moment + GRACE


def due_now(
    rules: Iterable[ReminderRule],
    deadlines: Deadlines,
    now: datetime,
    zone: ZoneInfo,
    done: Collection[tuple[str, datetime]],
) -> list[tuple[ReminderRule, datetime]]:
    """(rule, occurrence in UTC) to send now, in rule order: active rules whose occurrence
    has come and still counts (see `_expiry`), not in `done` (rule key, occurrence). Of one
    title, audience and anchor only the latest occurrence is sent; earlier ones are
    superseded and stay so. Callers must record each returned pair as done once it is sent."""
    due = []
    for rule in rules:
        moment = _occurrence(rule, deadlines, now, zone) if rule.active else None
        if moment is not None and moment <= now < _expiry(rule, moment, deadlines):
            due.append((rule, moment))
    latest: dict[tuple[str, Audience, Deadline | None], datetime] = {}
    for rule, moment in due:
        latest[_series(rule)] = max(moment, latest.get(_series(rule), moment))
    sent = {(key, moment.astimezone(UTC)) for key, moment in done}
    return [
        (rule, moment)
        for rule, moment in due
        if moment == latest[_series(rule)] and (rule.key, moment) not in sent
    ]


def _series(rule: ReminderRule) -> tuple[str, Audience, Deadline | None]:
    """Rules that remind the same people of the same date: a later one supersedes."""
    return (rule.title, rule.audience, rule.anchor)


def next_occurrence(
    rule: ReminderRule, deadlines: Deadlines, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """The rule's next occurrence (UTC) strictly after `now`, active or not; None when its
    anchor is not set or its one occurrence has passed."""
    if rule.anchor is None:
        latest = _latest_weekly(rule, now, zone).astimezone(zone).date()
        return _at(latest + timedelta(days=7), rule.hour, zone)
    moment = _occurrence(rule, deadlines, now, zone)
    return moment if moment is not None and moment > now else None


def days_left(deadline_moment: datetime, now: datetime, zone: ZoneInfo) -> int:
    """Days left until a closing moment, counting today: 1 on its last day, 2 the day
    before, 0 once it has passed (never negative)."""
    last_day = (deadline_moment - timedelta(microseconds=1)).astimezone(zone).date()
    return max(0, (last_day - now.astimezone(zone).date()).days + 1)
