"""What the clan and unit screens share: the commune at hand, a group's status, the buttons."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, StartMode
from aiogram_dialog.widgets.kbd import Start

from bot.domain.groups import UNIT_KIND_LABELS
from bot.domain.messages import N_
from bot.domain.registrations import Registration
from bot.domain.status import Status
from bot.services.areas import area_path
from dialogs.states import MainSG
from dialogs.widgets import Label, explain

COMMUNE = "commune"  # start_data: the commune a clan or unit is registered in

# Where a group's registration stands, in the words of its representative (the commune, not
# a hamlet head, checks a group's self-assessment).
GROUP_STATUS_LABELS = {
    Status.DRAFT: N_("not registered"),
    Status.REGISTERED: N_("registered, not self-assessed yet"),
    Status.SELF_ASSESSED: N_("self-assessed, waiting for the commune"),
    Status.VERIFIED: N_("checked by the commune, proposed for recognition"),
    Status.RETURNED: N_("returned by the commune: please check the answers"),
    Status.RECOGNISED: N_("🏅 recognised"),
    Status.NOT_RECOGNISED: N_("not recognised this year"),
}
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
    """This year's registration of a group, as its representative reads it (plain text)."""
    msgid = GROUP_STATUS_LABELS[registration.status] if registration else MSG_NOT_REGISTERED
    return explain(manager, msgid, html=False)


def kind_label(kind: str) -> str:
    """What kind of unit it is, in the user's language."""
    label = next((text for key, text in UNIT_KIND_LABELS.items() if key.value == kind), None)
    return gettext(label) if label else kind
