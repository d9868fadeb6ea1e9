"""The life of one registration: one household (or person) per year per title.

    draft -> registered -> self_assessed -> verified -> recognised | not_recognised
                                 |   ^
                                 v   |
                              returned

A family may also take back its self-assessment (self_assessed -> registered, "reopen") while
nobody has verified it yet and the commune's deadline has not come. The caller passes the
time: nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from bot.domain.messages import N_

__all__ = ["ALLOWED", "Status", "TransitionRefused", "allowed_targets", "transition"]


class Status(StrEnum):
    """Where a registration stands."""

    DRAFT = "draft"
    REGISTERED = "registered"
    SELF_ASSESSED = "self_assessed"
    VERIFIED = "verified"
    RETURNED = "returned"
    RECOGNISED = "recognised"
    NOT_RECOGNISED = "not_recognised"


ALLOWED: Mapping[Status, frozenset[Status]] = MappingProxyType(
    {
        Status.DRAFT: frozenset({Status.REGISTERED}),
        Status.REGISTERED: frozenset({Status.SELF_ASSESSED}),
        Status.SELF_ASSESSED: frozenset({Status.VERIFIED, Status.RETURNED, Status.REGISTERED}),
        Status.VERIFIED: frozenset({Status.RECOGNISED, Status.NOT_RECOGNISED}),
        Status.RETURNED: frozenset({Status.SELF_ASSESSED}),
        Status.RECOGNISED: frozenset(),
        Status.NOT_RECOGNISED: frozenset(),
    }
)

MSG_NOT_ALLOWED = N_("A registration that is {current} cannot become {target}")
MSG_REOPEN_CLOSED = N_("The self-assessment can no longer be changed: the deadline was {deadline}")

Params = dict[str, object]


class TransitionRefused(Exception):
    """A status change that the rules do not allow; `msgid` and `params` explain why.

    `params` may hold a datetime (the deadline), to be formatted in the user's locale.
    """

    # Not a frozen dataclass: Python code such as contextlib assigns __traceback__.
    def __init__(self, msgid: str, params: Params | None = None) -> None:
        self.msgid = msgid
        self.params: Params = dict(params or {})
        super().__init__(msgid.format(**self.params))


def allowed_targets(current: Status) -> frozenset[Status]:
    """Return the statuses `current` may move to, the deadline of a reopen aside."""
    return ALLOWED[current]


def transition(
    current: Status, target: Status, *, now: datetime, reopen_deadline: datetime | None = None
) -> Status:
    """Return `target` when `current` may move to it at `now`, else raise TransitionRefused.

    Reopening (self_assessed -> registered) is allowed strictly before `reopen_deadline`;
    None means the commune set no deadline. `now` and the deadline must both be aware.
    """
    if target not in ALLOWED[current]:
        raise TransitionRefused(MSG_NOT_ALLOWED, {"current": current, "target": target})
    reopening = (current, target) == (Status.SELF_ASSESSED, Status.REGISTERED)
    if reopening and reopen_deadline is not None and now >= reopen_deadline:
        raise TransitionRefused(MSG_REOPEN_CLOSED, {"deadline": reopen_deadline})
    return target
