"""A registration: one household (or one member) for one title in one year, and its history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.scoring import Answer, Level, Ratio, YesNo
from bot.domain.status import Status

JsonAnswer = dict[str, Any]


@dataclass(frozen=True)
class StatusEvent:
    """A status reached, when, and (for a hamlet head's return) the comment given."""

    status: Status
    at: datetime
    comment: str | None = None


@dataclass(frozen=True)
class Registration:
    """Where one subject stands for one title this year, with its self-assessment so far."""

    id: int
    household_id: int | None  # None for a group's (clan, unit, hamlet): see `subject`
    subject: str
    title: str
    year: int
    status: Status
    commitments: tuple[str, ...] = ()
    criteria_set_id: int | None = None
    answers: Mapping[str, JsonAnswer] = field(default_factory=dict)
    total: int | None = None
    passed: bool | None = None
    events: tuple[StatusEvent, ...] = ()
    pledged_on: date | None = None  # at a hamlet meeting, recorded by `recorded_by`
    recorded_by: int | None = None
    assessed_by: int | None = None  # a hamlet head who filled it in at the family's request
    area_code: str | None = None  # where a group's registration belongs (None: a household's)

    @property
    def member_id(self) -> int | None:
        """The member a learning-citizen registration is for; None for the household's."""
        kind, _, number = self.subject.partition(":")
        return int(number) if kind == "member" and number.isdigit() else None

    def reached_at(self, status: Status) -> datetime | None:
        """When the registration last reached `status`, if it did."""
        times = [event.at for event in self.events if event.status == status]
        return max(times) if times else None

    def last_comment(self) -> str | None:
        """The most recent comment given with a status change (a return's reason)."""
        comments = [event for event in self.events if event.comment]
        return max(comments, key=lambda event: event.at).comment if comments else None

    @property
    def can_answer(self) -> bool:
        """Answers may change while registered, or after the hamlet head returned it."""
        return self.status in (Status.REGISTERED, Status.RETURNED)


def encode_answer(answer: Answer) -> JsonAnswer:
    """The JSON form of an answer, as kept in the database and in dialog data."""
    if isinstance(answer, YesNo):
        return {"yes": answer.value}
    if isinstance(answer, Level):
        return {"option": answer.option_id}
    return {"count": answer.count, "part": answer.part}


def decode_answers(data: Mapping[str, JsonAnswer]) -> dict[str, Answer]:
    """Answers by indicator id; a malformed entry is left out (the indicator is unanswered)."""
    answers: dict[str, Answer] = {}
    for indicator_id, value in data.items():
        answer = _decode(value)
        if answer is not None:
            answers[indicator_id] = answer
    return answers


def _decode(value: object) -> Answer | None:
    if not isinstance(value, dict):
        return None
    if "yes" in value:
        return YesNo(value["yes"])
    if "option" in value:
        return Level(str(value["option"]))
    if "count" in value and "part" in value:
        return Ratio(value["count"], value["part"])
    return None
