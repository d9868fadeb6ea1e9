"""What the clan and unit screens share: the commune at hand, a group's status, the buttons."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, StartMode
from aiogram_dialog.widgets.kbd import Start

from bot.domain.groups import UNIT_KIND_LABELS
from bot.domain.messages import N_
from bot.domain.registrations import Registration
from bot.i18n import GROUP_STATUS_LABELS
from bot.services.areas import area_path
from dialogs.states import MainSG
from dialogs.widgets import Label, explain

COMMUNE = "commune"  # start_data: the commune a clan or unit is registered in

MSG_NOT_REGISTERED = N_("not registered for this year")


def MainMenu() -> Start:  # noqa: N802 - reads as a widget
    return Start(Label("🏠 Main menu"), id="menu", state=MainSG.menu, mode=StartMode.RESET_STACK)


def commune_code(manager: DialogManager) -> str:
    start_data: Any = manager.start_data or {}
    return str(start_data.get(COMMUNE, ""))


async def commune_name(manager: DialogManager) -> str:
    path = await area_path(manager.middleware_data["uow"], commune_code(manager))
    return path[-1].name if path else ""


def status_text(manager: DialogManager, registration: Registration | None) -> str:
    """This year's registration of a group in a group's words (the commune, not a hamlet head,
    checks it), as its representative and the commune read it (plain text)."""
    msgid = GROUP_STATUS_LABELS[registration.status] if registration else MSG_NOT_REGISTERED
    return explain(manager, msgid, html=False)


def kind_label(kind: str) -> str:
    """What kind of unit it is, in the user's language."""
    label = next((text for key, text in UNIT_KIND_LABELS.items() if key.value == kind), None)
    return gettext(label) if label else kind
