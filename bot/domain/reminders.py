"""Reminder rules as data: who is reminded, with which message, and when — a number of days
from one of the year's deadlines at a local hour, or weekly.

Pure: the caller passes `now`, the commune's zone and the occurrences already sent.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.deadlines import Deadline, Deadlines
from bot.domain.messages import N_


class Audience(StrEnum):
    """Who a rule reaches, within one commune and campaign year."""

    NOT_REGISTERED = "not_registered"
    REGISTERED_NOT_ASSESSED = "registered_not_assessed"
    HAMLET_HEADS = "hamlet_heads"
    COMMUNE_OFFICERS = "commune_officers"


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
}
# The audience each message is written for (it has that audience's placeholders) ...
MESSAGE_AUDIENCE = {
    "registration_opens": Audience.NOT_REGISTERED,
    "assessment_due": Audience.REGISTERED_NOT_ASSESSED,
    "verification_digest": Audience.HAMLET_HEADS,
    "officer_digest": Audience.COMMUNE_OFFICERS,
}
# ... and the deadline whose day fills its {deadline}, whatever the rule's anchor.
MESSAGE_DEADLINE = {
    "registration_opens": Deadline.REGISTRATION_CLOSES,
    "assessment_due": Deadline.ASSESSMENT_CLOSES,
    "verification_digest": Deadline.VERIFICATION_CLOSES,
    "officer_digest": Deadline.VERIFICATION_CLOSES,
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


class ReminderRulesError(Exception):
    """A rules file that cannot be used; `problems` name their place, e.g. `rules[2].hour`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


Check = Callable[[object], str | None]


def _whole(low: int, high: int) -> Check:
    def check(value: object) -> str | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be a whole number"
        return None if low <= value <= high else f"must be between {low} and {high}"

    return check


def _choice(kind: str, choices: Iterable[str]) -> Check:
    allowed = tuple(choices)

    def check(value: object) -> str | None:
        if not isinstance(value, str):
            return "must be text"
        known = ", ".join(allowed)
        return None if value in allowed else f'unknown {kind} "{value}" (known: {known})'

    return check


def _text(value: object) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be non-empty text"


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


HOUR, OFFSET = _whole(0, 23), _whole(-MAX_OFFSET, MAX_OFFSET)
# Field -> (required, check).
FIELDS: dict[str, tuple[bool, Check]] = {
    "key": (True, _text),
    "audience": (True, _choice("audience", Audience)),
    "message": (True, _choice("message", MESSAGES)),
    "anchor": (False, _choice("anchor", Deadline)),
    "offset_days": (False, OFFSET),
    "hour": (True, HOUR),
    "weekday": (False, _whole(0, 6)),
    "active": (False, _flag),
}


def _field_problems(where: str, table: Mapping[str, object]) -> list[str]:
    problems = [f"{where}.{name}: unknown field" for name in table if name not in FIELDS]
    for name, (required, check) in FIELDS.items():
        if name not in table:
            problems += [f"{where}.{name}: missing"] if required else []
        elif problem := check(table[name]):
            problems.append(f"{where}.{name}: {problem}")
    return problems


def _shape_problems(where: str, table: Mapping[str, object]) -> list[str]:
    anchored, weekly = "anchor" in table, "weekday" in table
    if anchored == weekly:
        return [f"{where}: a rule needs either anchor or weekday" + (", not both" * anchored)]
    if weekly and table.get("offset_days", 0) != 0:
        return [f"{where}.offset_days: a weekly rule takes no offset"]
    audience = MESSAGE_AUDIENCE[str(table["message"])]
    if audience != table["audience"]:
        return [f'{where}.message: "{table["message"]}" is written for audience {audience}']
    return []


def _rule_problems(index: int, table: object) -> list[str]:
    where = f"rules[{index}]"
    if not isinstance(table, dict):
        return [f"{where}: must be a [[rules]] table"]
    return _field_problems(where, table) or _shape_problems(where, table)


def _duplicate_problems(tables: list[object]) -> list[str]:
    first: dict[str, int] = {}
    problems = []
    for index, table in enumerate(tables):
        key = table.get("key") if isinstance(table, dict) else None
        if isinstance(key, str) and key in first:
            problems.append(f'rules[{index}].key: duplicate key "{key}" (see rules[{first[key]}])')
        elif isinstance(key, str):
            first[key] = index
    return problems


def _rule(table: dict[str, Any]) -> ReminderRule:
    anchor = table.get("anchor")
    return ReminderRule(
        key=table["key"],
        audience=Audience(table["audience"]),
        message=table["message"],
        anchor=Deadline(anchor) if anchor is not None else None,
        offset_days=table.get("offset_days", 0),
        hour=table["hour"],
        weekday=table.get("weekday"),
        active=table.get("active", True),
    )


def parse_rules(text: str) -> tuple[ReminderRule, ...]:
    """The rules of a TOML text of `[[rules]]` tables; every problem at once in a
    ReminderRulesError (a TOML syntax error is one problem)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ReminderRulesError([f"toml: {error}"]) from error
    tables = data.get("rules")
    problems = [f"{name}: unknown field" for name in data if name != "rules"]
    if not isinstance(tables, list):
        raise ReminderRulesError([*problems, "rules: must be a list of [[rules]] tables"])
    problems += [p for index, table in enumerate(tables) for p in _rule_problems(index, table)]
    problems += _duplicate_problems(tables)
    if problems:
        raise ReminderRulesError(problems)
    return tuple(_rule(table) for table in tables)


def with_changes(
    rule: ReminderRule,
    *,
    active: bool | None = None,
    offset_days: int | None = None,
    hour: int | None = None,
) -> ReminderRule:
    """The rule changed as a commune asks; ValueError naming the field (same wording as the
    file's problems) for an hour outside 0–23, an offset beyond ±60 days or any offset on a
    weekly rule."""
    if hour is not None and (problem := HOUR(hour)):
        raise ValueError(f"hour: {problem}")
    if offset_days is not None and rule.weekday is not None and offset_days != 0:
        raise ValueError("offset_days: a weekly rule takes no offset")
    if offset_days is not None and (problem := OFFSET(offset_days)):
        raise ValueError(f"offset_days: {problem}")
    return replace(
        rule,
        active=rule.active if active is None else active,
        offset_days=rule.offset_days if offset_days is None else offset_days,
        hour=rule.hour if hour is None else hour,
    )


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
    audience and anchor only the latest occurrence is sent; earlier ones are superseded and
    stay so. Callers must record each returned pair as done once it is sent."""
    due = []
    for rule in rules:
        moment = _occurrence(rule, deadlines, now, zone) if rule.active else None
        if moment is not None and moment <= now < _expiry(rule, moment, deadlines):
            due.append((rule, moment))
    latest: dict[tuple[Audience, Deadline | None], datetime] = {}
    for rule, moment in due:
        group = (rule.audience, rule.anchor)
        latest[group] = max(moment, latest.get(group, moment))
    sent = {(key, moment.astimezone(UTC)) for key, moment in done}
    return [
        (rule, moment)
        for rule, moment in due
        if moment == latest[(rule.audience, rule.anchor)] and (rule.key, moment) not in sent
    ]


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
