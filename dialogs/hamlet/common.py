"""What the hamlet head's screens share: the hamlet at hand, status icons, notes, Back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiogram.fsm.state import State
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.areas import place_label
from bot.domain.hamlets import HouseholdLine
from bot.domain.status import Status
from bot.i18n import number
from bot.services.areas import area_path
from dialogs.widgets import Label, explain

HAMLET = "hamlet"  # dialog_data: the code of the hamlet being worked on
NOTE = "_note"  # dialog_data: what the last action did, shown once on the next screen

STATUS_ICONS: dict[Status | None, str] = {
    None: "⚪",
    Status.DRAFT: "⚪",
    Status.REGISTERED: "📝",
    Status.SELF_ASSESSED: "📋",
    Status.VERIFIED: "✅",
    Status.RETURNED: "↩️",
    Status.RECOGNISED: "🏅",
    Status.NOT_RECOGNISED: "❌",
}
UNREACHABLE_ICON = "📵"


def hamlet_code(manager: DialogManager) -> str:
    return str(manager.dialog_data.get(HAMLET, ""))


async def place_of(manager: DialogManager) -> str:
    """The hamlet with its commune and province, as people say it."""
    return place_label(await area_path(manager.middleware_data["uow"], hamlet_code(manager)))


def locale(manager: DialogManager) -> str:
    return str(manager.middleware_data["i18n"].current_locale)


def shown_number(manager: DialogManager, value: int) -> str:
    return number(value, locale(manager))


def line_name(line: HouseholdLine) -> str:
    """The head's name, with a mark when the household is not reachable on Telegram."""
    mark = f" {UNREACHABLE_ICON}" if not line.reachable else ""
    return f"{line.head_name or '—'}{mark}"


def line_label(line: HouseholdLine) -> str:
    """A household's button: its status icon before the name."""
    return f"{STATUS_ICONS.get(line.status, '⚪')} {line_name(line)}"


def household_items(
    lines: Iterable[HouseholdLine], key: str = "id", *, icons: bool = True
) -> list[tuple[int, str]]:
    """Select items: (the line's `key` id, its label)."""
    label = line_label if icons else line_name
    return [(int(getattr(line, key)), label(line)) for line in lines]


def set_note(manager: DialogManager, msgid: str, **params: Any) -> None:
    manager.dialog_data[NOTE] = explain(manager, msgid, params)


def pop_note(manager: DialogManager) -> dict[str, Any]:
    note = manager.dialog_data.pop(NOTE, "")
    return {"note": note, "has_note": bool(note)}


def Note() -> Format:  # noqa: N802 - reads as a widget
    """The last action's result (already translated and escaped), above the screen's text."""
    return Format("{note}\n", when="has_note")


def BackTo(state: State, widget_id: str = "back") -> SwitchTo:  # noqa: N802 - reads as a widget
    return SwitchTo(Label("⬅️ Back"), id=widget_id, state=state)
