"""An area's numbers as lines of text: the same for a hamlet head's hamlet and for an
officer's commune or province, so both read them the same way."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.criteria_model import Title
from bot.domain.messages import N_
from bot.domain.stats import Numbers, share
from bot.i18n import percent
from dialogs.summaries import Writer

GIA_DINH = Title.GIA_DINH.value

STEP_LINES = (
    (N_("📝 Registered: {count} ({share})"), "registered"),
    (N_("📋 Self-assessed: {count} ({share})"), "self_assessed"),
    (N_("👍 Reaching the mark: {count} ({share})"), "passed"),
    (N_("✅ Confirmed by the hamlet head: {count} ({share})"), "verified"),
    (N_("🏅 Recognised by the commune: {count} ({share})"), "recognised"),
    (N_("📵 Not on Telegram: {count} ({share})"), "unreachable"),
)


@dataclass(frozen=True)
class Wording:
    """What a title's numbers are numbers of: its subjects, counted and still to go."""

    counted: str  # the denominator's line: {count}
    to_recognise: str  # {missing} more to be recognised to reach {target}
    to_register: str  # at least {missing} more must register
    verified: str  # who confirms before the commune decides: {count} ({share})
    axis: str  # a chart's axis: percent of what


_COMMUNE_VERIFIES = N_("✅ Verified by the commune: {count} ({share})")
WORDING = {
    Title.GIA_DINH.value: Wording(
        N_("🏠 Households: {count}"),
        N_("🎯 {missing} more households to be recognised to reach {target}."),
        N_("📝 At least {missing} more households must register for that."),
        STEP_LINES[3][0],
        N_("% of households"),
    ),
    Title.CONG_DAN.value: Wording(
        N_("👤 Members of the households: {count}"),
        N_("🎯 {missing} more citizens to be recognised to reach {target}."),
        N_("📝 At least {missing} more citizens must register for that."),
        STEP_LINES[3][0],
        N_("% of citizens"),
    ),
    Title.DONG_HO.value: Wording(
        N_("👥 Clans registered with the bot: {count}"),
        N_("🎯 {missing} more clans to be recognised to reach {target}."),
        N_("📝 At least {missing} more clans must register for that."),
        _COMMUNE_VERIFIES,
        N_("% of clans"),
    ),
    Title.CONG_DONG.value: Wording(
        N_("🏘 Hamlets: {count}"),
        N_("🎯 {missing} more hamlets to be recognised to reach {target}."),
        N_("📝 At least {missing} more hamlets must register for that."),
        _COMMUNE_VERIFIES,
        N_("% of hamlets"),
    ),
    Title.DON_VI.value: Wording(
        N_("🏢 Units confirmed by the commune: {count}"),
        N_("🎯 {missing} more units to be recognised to reach {target}."),
        N_("📝 At least {missing} more units must register for that."),
        _COMMUNE_VERIFIES,
        N_("% of units"),
    ),
}


def shown_share(part: int, whole: int, locale: str) -> str:
    return percent(share(part, whole) / 100, locale)


def add_numbers(lines: Writer, counts: Numbers, title: str = GIA_DINH) -> None:
    """The title's subjects (households...), then each step with its count and share."""
    wording = WORDING[title]
    lines.add(wording.counted, count=counts.households)
    for msgid, step in STEP_LINES:
        value = getattr(counts, step)
        shown = wording.verified if step == "verified" else msgid
        lines.add(shown, count=value, share=shown_share(value, counts.households, lines.locale))


def add_target(
    lines: Writer, target: int | None, missing: int | None, title: str = GIA_DINH
) -> None:
    """The target and how many subjects are still to be recognised to reach it."""
    if target is None or missing is None:
        lines.add(N_("🎯 No target is set for this year."))
        return
    shown = percent(target / 100, lines.locale)
    if missing == 0:
        lines.add(N_("🎯 The target, {target} recognised, is reached."), target=shown)
    else:
        lines.add(WORDING[title].to_recognise, missing=missing, target=shown)
