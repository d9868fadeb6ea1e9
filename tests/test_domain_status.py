"""Tests for bot.domain.status: the full matrix of status changes, and reopening's deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from bot.domain import status as st
from bot.domain.status import Status, TransitionRefused, allowed_targets, transition

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
S = Status
# The rules as the brief states them, written out rather than read from the module.
EXPECTED_ALLOWED = {
    (S.DRAFT, S.REGISTERED),
    (S.REGISTERED, S.SELF_ASSESSED),
    (S.SELF_ASSESSED, S.VERIFIED),
    (S.SELF_ASSESSED, S.RETURNED),
    (S.SELF_ASSESSED, S.REGISTERED),
    (S.RETURNED, S.SELF_ASSESSED),
    (S.VERIFIED, S.RECOGNISED),
    (S.VERIFIED, S.NOT_RECOGNISED),
}
ALL_PAIRS = list(product(Status, Status))


def pair_id(pair: tuple[Status, Status]) -> str:
    return f"{pair[0]}->{pair[1]}"


@pytest.mark.parametrize("pair", sorted(EXPECTED_ALLOWED), ids=pair_id)
def test_allowed_pairs(pair: tuple[Status, Status]) -> None:
    current, target = pair
    assert transition(current, target, now=NOW) is target
    assert target in allowed_targets(current)


@pytest.mark.parametrize(
    "pair", [pair for pair in ALL_PAIRS if pair not in EXPECTED_ALLOWED], ids=pair_id
)
def test_disallowed_pairs(pair: tuple[Status, Status]) -> None:
    current, target = pair
    with pytest.raises(TransitionRefused) as refused:
        transition(current, target, now=NOW, reopen_deadline=NOW + timedelta(days=1))
    assert refused.value.msgid == st.MSG_NOT_ALLOWED
    assert refused.value.params == {"current": current, "target": target}
    assert target not in allowed_targets(current)


def test_the_matrix_covers_every_pair() -> None:
    assert len(ALL_PAIRS) == len(Status) ** 2 == 49


@pytest.mark.parametrize(
    ("deadline", "allowed"),
    [
        pytest.param(None, True, id="no-deadline"),
        pytest.param(NOW + timedelta(seconds=1), True, id="just-before"),
        pytest.param(NOW, False, id="exactly-at-deadline"),
        pytest.param(NOW - timedelta(days=1), False, id="deadline-passed"),
    ],
)
def test_reopen_before_the_deadline(deadline: datetime | None, allowed: bool) -> None:
    if allowed:
        assert transition(S.SELF_ASSESSED, S.REGISTERED, now=NOW, reopen_deadline=deadline) is (
            S.REGISTERED
        )
        return
    with pytest.raises(TransitionRefused) as refused:
        transition(S.SELF_ASSESSED, S.REGISTERED, now=NOW, reopen_deadline=deadline)
    assert refused.value.msgid == st.MSG_REOPEN_CLOSED
    assert refused.value.params == {"deadline": deadline}


@pytest.mark.parametrize("current", [S.VERIFIED, S.RECOGNISED, S.NOT_RECOGNISED, S.RETURNED])
def test_no_reopen_once_verified_or_returned(current: Status) -> None:
    with pytest.raises(TransitionRefused):
        transition(current, S.REGISTERED, now=NOW, reopen_deadline=NOW + timedelta(days=30))


@pytest.mark.parametrize("pair", sorted(EXPECTED_ALLOWED - {(S.SELF_ASSESSED, S.REGISTERED)}))
def test_the_deadline_only_limits_reopening(pair: tuple[Status, Status]) -> None:
    current, target = pair
    assert transition(current, target, now=NOW, reopen_deadline=NOW - timedelta(days=1)) is target


def test_refusal_reads_in_english() -> None:
    refused = TransitionRefused(st.MSG_NOT_ALLOWED, {"current": S.DRAFT, "target": S.VERIFIED})
    assert str(refused) == "A registration that is draft cannot become verified"
    assert isinstance(refused, Exception)
