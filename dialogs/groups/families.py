"""A clan's families, the second step of registering it: type part of a head's name, tick
the matches; the ticks are kept from one search to the next, and the chosen families stay
listed below the matches."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import ManagedMultiselect

from bot.services.errors import ServiceError
from bot.services.group_roster import Family, families_by_id, find_families
from bot.services.households import household_of
from dialogs.groups.common import commune_code, commune_name
from dialogs.hamlet.common import shown_number
from dialogs.widgets import acting_user, now, tell, uow_of

CHOSEN = "families"  # the Multiselect's id
MATCHES = 40  # families listed for one search, 8 a page
PAGE = 8


def ticked(manager: DialogManager) -> ManagedMultiselect[int]:
    widget: ManagedMultiselect[int] = manager.find(CHOSEN)  # type: ignore[assignment]
    return widget


async def on_start(_: Any, manager: DialogManager) -> None:
    """The representative's own family is in the clan unless they untick it."""
    own = await household_of(uow_of(manager), acting_user(manager).id)
    if own is not None:
        await ticked(manager).set_checked(own.id, True)


def family_label(family: Family) -> str:
    return f"{family.head_name} · {family.hamlet_name}"


async def get_families(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data, actor = dialog_manager.dialog_data, acting_user(dialog_manager)
    commune, typed = commune_code(dialog_manager), str(data.get("typed", ""))
    found = (
        await find_families(uow, actor, commune, typed, MATCHES + 1, now=now()) if typed else []
    )
    chosen = ticked(dialog_manager).get_checked()
    listed = found[:MATCHES]
    shown = {family.household_id for family in listed}
    rest = [household for household in chosen if household not in shown]
    listed += await families_by_id(uow, actor, commune, rest, now())
    return {
        "items": [(f.household_id, family_label(f)) for f in listed],
        "name": data.get("name", ""),
        "commune": await commune_name(dialog_manager),
        "typed": typed,
        "chosen": shown_number(dialog_manager, len(chosen)),
        "any_chosen": bool(chosen),
        "found": bool(found),
        "not_found": bool(typed) and not found,
        "more": len(found) > MATCHES,
        "limit": MATCHES,
    }


async def on_search(message: Message, _: Any, manager: DialogManager, typed: str) -> None:
    """Check the search (letters enough, the user's commune) before it replaces the last."""
    try:
        await find_families(
            uow_of(manager), acting_user(manager), commune_code(manager), typed, 1, now=now()
        )
    except ServiceError as error:
        await tell(manager, message, error)
        return
    manager.dialog_data["typed"] = typed


async def get_summary(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    chosen = ticked(dialog_manager).get_checked()
    families = await families_by_id(
        uow, acting_user(dialog_manager), commune_code(dialog_manager), chosen, now()
    )
    dialog_manager.dialog_data["_reviewed"] = True
    return {
        "name": dialog_manager.dialog_data.get("name", ""),
        "commune": await commune_name(dialog_manager),
        "count": shown_number(dialog_manager, len(families)),
        "families": "\n".join(f"• {family_label(f)}" for f in families),
    }
