"""The outbox's rules and the pacer, with injected times: no sleeping."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.pacing import Pacer
from bot.domain.broadcasts import progress_of
from bot.domain.outbox import (
    FAIL_INTERRUPTED,
    SKIP_CANCELLED,
    SKIP_MUTED,
    SKIP_UNREACHABLE,
    Failure,
    OutboxState,
    QuietHours,
    RetryPolicy,
    after_failure,
    parse_quiet_hours,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
POLICY = RetryPolicy(max_attempts=3, backoff_base=2.0, backoff_cap=5.0, max_floods=4)


@pytest.mark.parametrize(
    ("failure", "attempts", "retry_after", "state", "wait"),
    [
        (Failure.FLOOD, 1, 7.0, OutboxState.QUEUED, 7.0),  # exactly retry_after
        (Failure.FLOOD, 4, 1.0, OutboxState.QUEUED, 1.0),
        (Failure.FLOOD, 5, 1.0, OutboxState.FAILED, None),  # flooded too often
        (Failure.TRANSIENT, 1, 0.0, OutboxState.QUEUED, 2.0),
        (Failure.TRANSIENT, 2, 0.0, OutboxState.QUEUED, 4.0),
        (Failure.TRANSIENT, 3, 0.0, OutboxState.FAILED, None),  # out of attempts
        (Failure.UNREACHABLE, 1, 0.0, OutboxState.SKIPPED, None),
        (Failure.REJECTED, 1, 0.0, OutboxState.FAILED, None),
        (Failure.UNCERTAIN, 1, 0.0, OutboxState.FAILED, None),  # may have arrived: never again
    ],
)
def test_after_failure(
    failure: Failure, attempts: int, retry_after: float, state: OutboxState, wait: float | None
) -> None:
    step = after_failure(failure, "why", attempts, NOW, POLICY, retry_after)
    assert step.state == state
    assert step.retry_at == (NOW + timedelta(seconds=wait) if wait is not None else None)
    assert step.reason == (SKIP_UNREACHABLE if failure is Failure.UNREACHABLE else "why")


def test_backoff_is_capped() -> None:
    assert [POLICY.backoff(n) for n in range(1, 5)] == [2.0, 4.0, 5.0, 5.0]


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=ZONE).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "quiet", "ends"),
    [
        (local(20, 59), False, local(20, 59)),
        (local(21, 0), True, local(7, 0) + timedelta(days=1)),
        (local(23, 30), True, local(7, 0) + timedelta(days=1)),
        (local(0, 0), True, local(7, 0)),
        (local(6, 59), True, local(7, 0)),
        (local(7, 0), False, local(7, 0)),
    ],
)
def test_quiet_hours_across_midnight(moment: datetime, quiet: bool, ends: datetime) -> None:
    hours = QuietHours()
    assert hours.contains(moment, ZONE) is quiet
    assert hours.ends_after(moment, ZONE) == ends


def test_quiet_hours_within_a_day_and_off() -> None:
    lunch = parse_quiet_hours("12:00-13:30")
    assert lunch.contains(local(12, 45), ZONE)
    assert not lunch.contains(local(13, 30), ZONE)
    assert lunch.ends_after(local(12, 0), ZONE) == local(13, 30)
    assert not parse_quiet_hours("off").contains(local(23), ZONE)
    assert parse_quiet_hours(" 22-06 ") == QuietHours(time(22), time(6))


@pytest.mark.parametrize("text", ["21:00-", "21:00", "late", "25:00-07:00"])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quiet_hours(text)


def test_global_rate_spaces_slots_evenly() -> None:
    pacer = Pacer(rate=25)
    slots = []
    now = 100.0
    for chat in range(5):
        now = max(now, pacer.next_slot())
        slots.append(now)
        pacer.take(chat, now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(slots)] == [0.04] * 4


def test_a_late_send_keeps_the_schedule() -> None:
    """Claiming a message takes a few milliseconds: that must not slow every send down."""
    pacer = Pacer(rate=25)
    pacer.take(1, 100.0)
    pacer.take(2, 100.05)  # 10 ms after its slot at 100.04
    assert pacer.next_slot() == pytest.approx(100.08)
    pacer.take(3, 105.0)  # after an idle spell the slots start again from now
    assert pacer.next_slot() == pytest.approx(105.04)


def test_the_sliding_second_holds_the_rate() -> None:
    pacer = Pacer(rate=30)
    for n in range(30):
        pacer.take(n, 10.0 + n * 0.01)
    # 30 calls in the last second: the next waits until the first leaves it.
    assert pacer.next_slot() == pytest.approx(10.0 + 1.005)


def test_replies_count_in_the_sliding_second() -> None:
    pacer = Pacer(rate=3)  # 3 calls a second
    pacer.take(1, 5.0)
    pacer.note_reply(5.1)
    pacer.note_reply(5.2)
    assert pacer.next_slot() == pytest.approx(6.005)


async def test_a_reply_waits_for_room_in_the_window_only() -> None:
    """Bulk's next slot is 33 ms away: a reply does not wait for it, only for the window."""
    pacer = Pacer(rate=30)
    clock = [10.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    pacer.take(1, 10.0)
    await pacer.reply_turn(lambda: clock[0], sleep)
    assert waits == []
    for _ in range(28):
        pacer.note_reply(10.5)
    await pacer.reply_turn(lambda: clock[0], sleep)  # the window is full until 11.005
    assert waits == [pytest.approx(1.005)]


def test_a_refused_call_frees_its_place() -> None:
    pacer = Pacer(rate=3)
    pacer.take(1, 5.0)
    pacer.take(2, 5.34)
    pacer.on_flood(2, 1.0, 5.35)
    assert pacer.next_slot() == pytest.approx(5.35)  # at once: neither window nor slot used


def test_a_lone_429_pauses_only_its_chat() -> None:
    pacer = Pacer(rate=30)
    assert pacer.on_flood(5, 3.0, 10.0) is False
    assert pacer.chat_ready_at(5) == 13.0
    assert pacer.next_slot() <= 10.0


def test_429s_for_several_chats_pause_everything() -> None:
    pacer = Pacer(rate=30)
    for chat in range(5):
        assert pacer.on_flood(chat, 2.0, 10.0 + chat * 0.1) is False
    assert pacer.on_flood(5, 4.0, 10.6) is True
    assert pacer.next_slot() == pytest.approx(14.6)


def test_429s_spread_out_stay_per_chat() -> None:
    pacer = Pacer(rate=30)
    for n, at in enumerate((10.0, 10.4, 10.8, 11.5, 12.0, 12.4, 13.0)):
        assert pacer.on_flood(n, 1.0, at) is False


def test_progress_folds_states_and_reasons() -> None:
    counts = {
        (OutboxState.SENT, ""): 7,
        (OutboxState.SKIPPED, SKIP_UNREACHABLE): 2,
        (OutboxState.SKIPPED, SKIP_MUTED): 1,
        (OutboxState.SKIPPED, SKIP_CANCELLED): 3,
        (OutboxState.FAILED, FAIL_INTERRUPTED): 1,
        (OutboxState.FAILED, "Bad Request: chat is deactivated"): 2,
        (OutboxState.QUEUED, "flood control: retry after 1s"): 4,
        (OutboxState.SENDING, ""): 1,
    }
    shown = progress_of(21, counts)
    assert (shown.sent, shown.unreachable, shown.stopped, shown.cancelled) == (7, 2, 1, 3)
    assert shown.failures == (("Bad Request: chat is deactivated", 2), (FAIL_INTERRUPTED, 1))
    assert (shown.failed, shown.waiting, shown.done) == (3, 5, 16)


def test_quiet_hours_default_is_nine_to_seven() -> None:
    assert QuietHours() == QuietHours(time(21), time(7))
