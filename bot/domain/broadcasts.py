"""Broadcasts: who an officer writes to, and how far the sending has got. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.hamlets import ListFilter
from bot.domain.messages import N_
from bot.domain.outbox import SKIP_CANCELLED, SKIP_MUTED, SKIP_UNREACHABLE, OutboxState

MAX_TEXT = 3500  # Telegram's 4096, less the header and HTML escapes


class Group(StrEnum):
    """Who in the area a broadcast is for."""

    FAMILIES = "families"  # accounts linked to a household of the area
    HAMLET_HEADS = "hamlet_heads"
    OFFICERS = "officers"


GROUP_LABELS = {
    Group.FAMILIES: N_("👨‍👩‍👧 Families"),
    Group.HAMLET_HEADS: N_("🏘 Hamlet heads"),
    Group.OFFICERS: N_("🏛 Commune officers"),
}
# The statuses a family broadcast can be narrowed to (the hamlet list's filters).
FAMILY_FILTERS = (
    ListFilter.ALL,
    ListFilter.NOT_REGISTERED,
    ListFilter.REGISTERED,
    ListFilter.SELF_ASSESSED,
    ListFilter.RETURNED,
    ListFilter.RECOGNISED,
)


@dataclass(frozen=True)
class AudienceSpec:
    """An area and everything under it, a group, and for families a status this year."""

    area_code: str
    group: Group
    status: ListFilter = ListFilter.ALL
    year: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {"area": self.area_code, "group": self.group, "status": self.status, "year": self.year}
        )

    @classmethod
    def from_json(cls, text: str) -> AudienceSpec:
        data = json.loads(text)
        return cls(data["area"], Group(data["group"]), ListFilter(data["status"]), data["year"])


@dataclass(frozen=True)
class Recipient:
    user_id: int
    locale: str


@dataclass(frozen=True)
class ReportMessage:
    """The officer's message that shows a broadcast's progress."""

    chat_id: int
    message_id: int
    locale: str


@dataclass(frozen=True)
class Broadcast:
    id: int
    author_id: int
    area_code: str
    total: int
    cancelled: bool
    finished: bool
    report_chat_id: int | None
    report_message_id: int | None
    report_locale: str


@dataclass(frozen=True)
class Progress:
    """Where a broadcast's messages stand; `failures` counts failed ones by reason."""

    total: int
    sent: int = 0
    unreachable: int = 0
    stopped: int = 0  # recipients who sent /stop
    cancelled: int = 0
    failures: tuple[tuple[str, int], ...] = ()
    waiting: int = 0  # queued or in flight

    @property
    def failed(self) -> int:
        return sum(n for _, n in self.failures)

    @property
    def done(self) -> int:
        return self.total - self.waiting


def progress_of(total: int, counts: Mapping[tuple[str, str], int]) -> Progress:
    """Fold the outbox's (state, reason) counts of one broadcast into its progress."""
    skipped = {reason: n for (state, reason), n in counts.items() if state == OutboxState.SKIPPED}
    failures: dict[str, int] = {}
    for (state, reason), n in counts.items():
        if state == OutboxState.FAILED:
            failures[reason] = failures.get(reason, 0) + n
    return Progress(
        total=total,
        sent=counts.get((OutboxState.SENT, ""), 0),
        unreachable=skipped.get(SKIP_UNREACHABLE, 0),
        stopped=skipped.get(SKIP_MUTED, 0),
        cancelled=skipped.get(SKIP_CANCELLED, 0),
        failures=tuple(sorted(failures.items(), key=lambda item: (-item[1], item[0]))),
        waiting=sum(
            n
            for (state, _), n in counts.items()
            if state in (OutboxState.QUEUED, OutboxState.SENDING)
        ),
    )
