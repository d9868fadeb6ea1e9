"""The audit log as /audit shows it: who (a Telegram id, no name), what, when, where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.messages import N_

AUDIT_DEFAULT, AUDIT_MAX = 20, 100

# What each action is called on screen; an action without a label shows its own name.
ACTION_LABELS = {
    "set_target": N_("set a target"),
    "set_deadline": N_("set a deadline"),
    "recognise": N_("recognised households"),
    "decide": N_("decided on a self-assessment"),
    "invite": N_("invited a hamlet head"),
    "revoke_invite": N_("withdrew an invitation"),
    "head_appointed": N_("a hamlet head accepted"),
    "officer_appointed": N_("a commune officer accepted"),
    "head_removed": N_("removed a hamlet head"),
    "pledge_meeting": N_("recorded a pledge at a meeting"),
    "export": N_("exported a list"),
    "import": N_("imported a roster"),
    "refused": N_("was refused"),
    "register_proxy": N_("registered a family on its behalf"),
    "code_wrong": N_("typed a wrong household code"),
    "hamlet_add": N_("added a hamlet"),
    "hamlet_rename": N_("renamed a hamlet"),
    "hamlet_merge": N_("merged hamlets"),
    "hamlet_retire": N_("retired a hamlet"),
    "hamlet_restore": N_("restored a hamlet"),
    "broadcast": N_("sent a broadcast"),
    "broadcast_cancelled": N_("cancelled a broadcast"),
    "reminder_rule": N_("changed a reminder"),
}

# Detail keys worth showing, with their names on screen: codes, counts and numbers (the
# entries hold nothing personal).
DETAIL_LABELS: dict[str, str | None] = {
    "year": N_("year {value}"),
    "percent": N_("target {value}%"),
    "deadline": None,  # its own name says it
    "day": N_("day {value}"),
    "count": N_("{value} households"),
    "decision": N_("decision {value}"),
    "rows": N_("{value} rows"),
    "recipients": N_("{value} recipients"),
    "rule": N_("reminder {value}"),
    "active": N_("on or off: {value}"),
    "offset_days": N_("days from its date: {value}"),
    "hour": N_("at {value}:00"),
    "not_sent": N_("{value} not sent"),
    "status": None,
    "attempted": N_("tried: {value}"),
}


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    actor_id: int | None
    area_code: str | None
    details: dict[str, Any]

    def shown_details(self) -> list[tuple[str | None, Any]]:
        """(label msgid or None, value) of the details worth showing, in a fixed order."""
        return [
            (label, self.details[key])
            for key, label in DETAIL_LABELS.items()
            if key in self.details
        ]
