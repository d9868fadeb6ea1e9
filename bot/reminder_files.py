"""The reminder rules shipped with the bot: defaults until a commune changes them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.domain.reminder_rules import parse_rules
from bot.domain.reminders import ReminderRule

SHIPPED = Path(__file__).resolve().parent / "data" / "reminders.toml"


@cache
def load_default_rules() -> tuple[ReminderRule, ...]:
    """The shipped default rules (read once); ReminderRulesError if the file is broken."""
    return parse_rules(SHIPPED.read_text("utf-8"))
