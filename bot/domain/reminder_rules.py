"""Reminder rules files: every problem of a file named by its place (`rules[2].hour`), and
the changes a commune may make to a rule, checked the same way. Pure."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from bot.domain.deadlines import Deadline
from bot.domain.reminders import MAX_OFFSET, MESSAGE_AUDIENCE, MESSAGES, Audience, ReminderRule


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
