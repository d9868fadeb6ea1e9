"""Lists of things someone may act on (households, hamlets, groups, reminder rules...): a
press on an item the window does not offer is refused before any handler or getter sees it.

Such a press is forged callback data, or a list that changed since it was shown. Either way
the item is not taken: the refusal is written down (ids only), the user is told, and the
window is shown again as it now is. The services still check every action; this keeps a
forged id from reaching a handler, where it could be stored for later or shown by a getter
in the place of an allowed one.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.api.protocols import DialogProtocol
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.kbd import Column, Multiselect, Select
from aiogram_dialog.widgets.text import Format

from bot.domain.messages import N_
from bot.services.scope import refuse
from dialogs.widgets import acting_user, now, tell, uow_of

T = TypeVar("T")
MSG_NOT_OFFERED = N_("That choice is not on the list (any more). Here is the list as it is now.")


async def _refused(
    select: Select[Any],
    callback: CallbackQuery,
    item_id: str,
    dialog: DialogProtocol,
    manager: DialogManager,
) -> bool:
    """True, after writing it down and telling the user, when `item_id` is not offered."""
    window = cast(Window, cast(Dialog, dialog).windows[manager.current_context().state])
    data = await window.load_data(dialog, manager)
    offered = {str(select.item_id_getter(item)) for item in select.items_getter(data)}
    if item_id in offered:
        return False
    actor, action = acting_user(manager).id, f"choose:{select.widget_id}"
    error = await refuse(uow_of(manager), actor, action, now(), None, MSG_NOT_OFFERED)
    await tell(manager, callback, error)
    return True


class OfferedSelect(Select[T]):
    """A Select that takes only the items its window offers right now."""

    async def _process_item_callback(
        self, callback: CallbackQuery, data: str, dialog: DialogProtocol, manager: DialogManager
    ) -> bool:
        if await _refused(self, callback, data, dialog, manager):
            return True
        return await super()._process_item_callback(callback, data, dialog, manager)


class OfferedMultiselect(OfferedSelect[T], Multiselect[T]):
    """A Multiselect that ticks only the items its window offers right now."""


def Choices(  # noqa: N802 - reads as a widget
    on_click: Any, when: WhenCondition = None, widget_id: str = "item"
) -> Column:
    """The getter's `items`, (id, label) pairs, a button each in one column."""
    return Column(
        OfferedSelect(
            Format("{item[1]}"),
            id=widget_id,
            item_id_getter=lambda item: item[0],
            items="items",
            on_click=on_click,
        ),
        when=when,
    )
