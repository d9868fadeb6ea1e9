"""An area's numbers as lines of text: the same for a hamlet head's hamlet and for an
officer's commune or province, so both read them the same way."""

from __future__ import annotations

from bot.domain.messages import N_
from bot.domain.stats import Numbers, share
from bot.i18n import percent
from dialogs.summaries import Writer

STEP_LINES = (
    (N_("📝 Registered: {count} ({share})"), "registered"),
    (N_("📋 Self-assessed: {count} ({share})"), "self_assessed"),
    (N_("👍 Reaching the mark: {count} ({share})"), "passed"),
    (N_("✅ Confirmed by the hamlet head: {count} ({share})"), "verified"),
    (N_("🏅 Recognised by the commune: {count} ({share})"), "recognised"),
    (N_("📵 Not on Telegram: {count} ({share})"), "unreachable"),
)


def shown_share(part: int, whole: int, locale: str) -> str:
    return percent(share(part, whole) / 100, locale)


def add_numbers(lines: Writer, counts: Numbers) -> None:
    """Households, then each step with its count and share of the households."""
    lines.add(N_("🏠 Households: {count}"), count=counts.households)
    for msgid, step in STEP_LINES:
        value = getattr(counts, step)
        lines.add(msgid, count=value, share=shown_share(value, counts.households, lines.locale))


def add_target(lines: Writer, target: int | None, missing: int | None) -> None:
    """The target and how many households are still to be recognised to reach it."""
    if target is None or missing is None:
        lines.add(N_("🎯 No target is set for this year."))
        return
    shown = percent(target / 100, lines.locale)
    if missing == 0:
        lines.add(N_("🎯 The target, {target} recognised, is reached."), target=shown)
    else:
        lines.add(
            N_("🎯 {missing} more households to be recognised to reach {target}."),
            missing=missing,
            target=shown,
        )
