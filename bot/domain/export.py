"""A household as the spreadsheets list it: one row each, for a hamlet head's list and for the
commune's, with the same rules for what each column holds.

Pure: no clock, no storage, no framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.stats import SELF_ASSESSED_OR_LATER
from bot.domain.status import Status


@dataclass(frozen=True)
class ExportRow:
    """One household as the export lists it; a datetime is shown as its local day."""

    head_name: str
    hamlet: str
    members: int
    phone: str
    registered_on: date | None  # the meeting's day for a pledge, else when it registered
    score: int | None
    status: Status | None  # this year's; None: not registered
    passed: bool | None
    recognised_on: date | None  # the commune's decision's day, else when it was recorded
    decision_number: str | None = None


@dataclass(frozen=True)
class ExportSource:
    """What storage reads for one household's row, before the rules below apply."""

    head_name: str | None
    hamlet: str
    members: int
    phone: str | None
    status: Status | None
    pledged_on: date | None
    registered_at: datetime | None
    total: int | None
    passed: bool | None
    recognised_at: datetime | None
    decided_on: date | None
    decision_number: str | None


def export_row(source: ExportSource) -> ExportRow:
    """The score and its verdict only once the self-assessment was submitted; the day of
    registration is the meeting's for a pledge; recognition is dated by the decision."""
    submitted = source.status in SELF_ASSESSED_OR_LATER
    return ExportRow(
        head_name=source.head_name or "",
        hamlet=source.hamlet,
        members=source.members,
        phone=source.phone or "",
        registered_on=source.pledged_on or source.registered_at,
        score=source.total if submitted else None,
        status=source.status,
        passed=source.passed if submitted else None,
        recognised_on=source.decided_on or source.recognised_at,
        decision_number=source.decision_number,
    )


@dataclass(frozen=True)
class GroupExportRow:
    """A clan, unit or hamlet registered for its title this year, as the export lists it."""

    title: str
    name: str
    status: Status
    score: int | None  # once the self-assessment was submitted
    passed: bool | None
    recognised_on: date | None  # the commune's decision's day, else when it was recorded
    decision_number: str | None = None
