"""Reminders a commune's rules send, and the officers' changes to those rules.

The rules are the shipped defaults (bot/data/reminders.toml) with each commune's changes.
`run_due_reminders` is called every minute: for each commune with deadlines it asks the
domain what is due, records each occurrence as run (at most once, even across restarts or
two workers), then stores one outbox message per recipient in the same transaction.
Campaign years are calendar years in the commune's zone; last year's deadlines are looked
at too, since its verification may close in January.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.deadlines import Deadlines
from bot.domain.households import campaign_year
from bot.domain.messages import N_
from bot.domain.outbox import OutgoingMessage, Priority
from bot.domain.reminder_rules import with_changes
from bot.domain.reminder_settings import (
    MSG_DAYS,
    MSG_HOUR,
    ReminderRecipient,
    change_of,
    effective_rules,
    sendable,
)
from bot.domain.reminders import (
    MAX_OFFSET,
    MESSAGE_DEADLINE,
    MESSAGES,
    ReminderRule,
    days_left,
    due_now,
    next_occurrence,
)
from bot.domain.users import User
from bot.reminder_files import load_default_rules
from bot.services.errors import ServiceError
from bot.services.ports import Composer, UnitOfWork
from bot.services.scope import check_area

# Runs older than this cannot matter to what is due (an occurrence counts until its anchor).
RUNS_LOOKBACK = timedelta(days=MAX_OFFSET + 2)

MSG_NOT_A_COMMUNE = N_(
    "Reminders are set for a commune: type /reminders and the commune's code, for example "
    "/reminders {example}"
)
MSG_UNKNOWN_RULE = N_("This reminder does not exist.")
MSG_WEEKLY_DAYS = N_("A weekly reminder has no days to change, only its hour.")


@dataclass(frozen=True)
class RulePreview:
    """A rule's next run (UTC; None: not scheduled), whether the dates it needs are set,
    and how many messages it would send now."""

    rule: ReminderRule
    next_run: datetime | None
    deadline_set: bool
    audience: int


async def rules_of(
    uow: UnitOfWork, actor: User, commune_code: str, now: datetime
) -> tuple[ReminderRule, ...]:
    """The commune's rules: the shipped ones with its changes (officers of it only)."""
    await _check_commune(uow, actor, commune_code, "reminders", now)
    return await _rules(uow, commune_code)


async def change_rule(
    uow: UnitOfWork,
    actor: User,
    commune_code: str,
    key: str,
    *,
    now: datetime,
    active: bool | None = None,
    offset_days: int | None = None,
    hour: int | None = None,
) -> ReminderRule:
    """Switch a rule on or off, or move it (days from its date, local hour); a bad value is
    refused with the reason and nothing changes. Audited."""
    await _check_commune(uow, actor, commune_code, "reminder_rule", now)
    rule = _find(await _rules(uow, commune_code), key)
    changed = _validated(rule, active, offset_days, hour)
    await uow.reminder_rules.change(commune_code, key, change_of(changed), now, actor.id)
    asked = {"active": active, "offset_days": offset_days, "hour": hour}
    details = {
        "area": commune_code,
        "rule": key,
        **{k: v for k, v in asked.items() if v is not None},
    }
    await uow.audit.record("reminder_rule", None, details, now, actor_id=actor.id)
    await uow.commit()
    return changed


async def preview(
    uow: UnitOfWork,
    actor: User,
    commune_code: str,
    key: str,
    year: int,
    now: datetime,
    zone: ZoneInfo,
    default_locale: str = "vi",
) -> RulePreview:
    """When the rule runs next for `year`'s deadlines, and whom it would reach now."""
    await _check_commune(uow, actor, commune_code, "reminders", now)
    rule = _find(await _rules(uow, commune_code), key)
    deadlines = await uow.registrations.deadlines([commune_code], rule.title, year)
    upcoming = next_occurrence(rule, deadlines, now, zone) if rule.active else None
    if upcoming is not None and not sendable(rule, deadlines, upcoming):
        upcoming = None
    anchor_set = rule.anchor is None or deadlines.get(rule.anchor) is not None
    deadline_set = anchor_set and deadlines.get(MESSAGE_DEADLINE[rule.message]) is not None
    hamlets = await _hamlets(uow, commune_code)
    reached = await uow.reminder_rules.audience(
        rule.audience, rule.title, commune_code, hamlets, year, default_locale
    )
    return RulePreview(rule, upcoming, deadline_set, len(reached))


async def run_due_reminders(
    uow: UnitOfWork,
    composer: Composer,
    now: datetime,
    zone: ZoneInfo,
    year: int | None = None,
    *,
    default_locale: str = "vi",
) -> int:
    """Store the messages of every reminder due now (of `year`, else of this campaign year
    and the last); the number stored. Each occurrence is recorded before its messages, and
    one already recorded is skipped."""
    this_year = campaign_year(now, zone)
    years = [year] if year is not None else [this_year - 1, this_year]
    defaults = load_default_rules()
    plans = []  # each title's rules go by that title's deadlines
    for title in dict.fromkeys(rule.title for rule in defaults):
        found = await uow.reminder_rules.communes_with_deadlines(title, years)
        plans += [(title, *plan) for plan in found]
    codes = sorted({code for _, code, _, _ in plans})
    changes = await uow.reminder_rules.changes(codes)
    runs = await uow.reminder_rules.runs(codes, now - RUNS_LOOKBACK)
    stored = 0
    for title, code, plan_year, deadlines in plans:
        rules = effective_rules(defaults, changes.get(code, {}))
        done = runs.setdefault(code, set())
        ready = [r for r in rules if r.title == title and sendable(r, deadlines, now)]
        for rule, occurrence in due_now(ready, deadlines, now, zone, done):
            if not _ran_that_day(done, rule.key, occurrence, zone):
                run = _Run(code, plan_year, deadlines, rule, occurrence)
                stored += await _send(uow, composer, run, now, zone, default_locale)
            done.add((rule.key, occurrence))
    if stored:
        composer.wake()
    return stored


@dataclass(frozen=True)
class _Run:
    commune_code: str
    year: int
    deadlines: Deadlines
    rule: ReminderRule
    occurrence: datetime


async def _send(
    uow: UnitOfWork,
    composer: Composer,
    run: _Run,
    now: datetime,
    zone: ZoneInfo,
    default_locale: str,
) -> int:
    """One occurrence: recorded first (skipped if it already was), then its messages."""
    rule, code = run.rule, run.commune_code
    hamlets = await _hamlets(uow, code)
    recipients = await uow.reminder_rules.audience(
        rule.audience, rule.title, code, hamlets, run.year, default_locale
    )
    if not await uow.reminder_rules.record_run(
        code, rule.key, run.occurrence, now, len(recipients)
    ):
        await uow.rollback()
        return 0
    shared = _shared_params(run, now, zone)
    messages = [
        OutgoingMessage(
            r.user_id,
            composer.compose(r.locale, MESSAGES[rule.message], {**shared, **_own_params(r)}),
            Priority.BULK,
            reminder=rule.key,
        )
        for r in recipients
    ]
    await uow.outbox.add_many(messages, now)
    await uow.commit()
    return len(messages)


def _shared_params(run: _Run, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """{year}, {deadline} (the day the message names) and {days_left} until it."""
    which = MESSAGE_DEADLINE[run.rule.message]
    moment = run.deadlines.get(which)
    day: date | None = run.deadlines.day(which, zone)
    return {
        "year": str(run.year),  # a year is not a number to group in thousands
        "deadline": day or "",
        "days_left": days_left(moment, now, zone) if moment else 0,
    }


def _own_params(recipient: ReminderRecipient) -> dict[str, Any]:
    """Each audience's placeholders; a message uses those of its own audience."""
    return {
        "name": recipient.name,
        "hamlet": recipient.name,
        "commune": recipient.name,
        "count": recipient.waiting,
        "waiting": recipient.waiting,
        "verified": recipient.verified,
        "returned": recipient.returned,
    }


def _ran_that_day(
    done: set[tuple[str, datetime]], key: str, occurrence: datetime, zone: ZoneInfo
) -> bool:
    """A rule whose hour was moved after it ran today does not run again today."""
    day = occurrence.astimezone(zone).date()
    return any(k == key and moment.astimezone(zone).date() == day for k, moment in done)


def _validated(
    rule: ReminderRule, active: bool | None, offset_days: int | None, hour: int | None
) -> ReminderRule:
    if offset_days is not None and rule.weekday is not None:
        raise ServiceError(MSG_WEEKLY_DAYS)
    try:
        with_changes(rule, hour=hour)
    except ValueError:
        raise ServiceError(MSG_HOUR) from None
    try:
        return with_changes(rule, active=active, offset_days=offset_days, hour=hour)
    except ValueError:
        raise ServiceError(MSG_DAYS, maximum=MAX_OFFSET) from None


def _find(rules: tuple[ReminderRule, ...], key: str) -> ReminderRule:
    found = next((rule for rule in rules if rule.key == key), None)
    if found is None:
        raise ServiceError(MSG_UNKNOWN_RULE)
    return found


async def _rules(uow: UnitOfWork, commune_code: str) -> tuple[ReminderRule, ...]:
    changes = await uow.reminder_rules.changes([commune_code])
    return effective_rules(load_default_rules(), changes.get(commune_code, {}))


async def _hamlets(uow: UnitOfWork, commune_code: str) -> list[str]:
    below = await uow.stats.areas_below(commune_code)
    return sorted(area.code for area in below if area.level == "hamlet")


async def _check_commune(
    uow: UnitOfWork, actor: User, code: str, action: str, now: datetime
) -> None:
    path = await check_area(uow, actor, code, action, now)
    if path[-1].level != "commune":
        communes = await uow.stats.areas_below(code)
        example = next((a.code for a in communes if a.level == "commune"), "")
        raise ServiceError(MSG_NOT_A_COMMUNE, example=example)
