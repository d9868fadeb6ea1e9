"""The broadcast's audience and text: a group, for families a status, then the message,
kept in dialog_data; every getter checks the officer's scope over the area again."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button

from bot.domain.broadcasts import FAMILY_FILTERS, GROUP_LABELS, MAX_TEXT, AudienceSpec, Group
from bot.domain.hamlets import ListFilter
from bot.domain.parsers import InputError
from bot.i18n import number
from bot.services.broadcasts import checked_text
from bot.services.errors import ServiceError
from bot.services.scope import check_area
from dialogs.commune.common import area_code, start_on_area, year_of
from dialogs.hamlet.households import FILTER_LABELS
from dialogs.states import BroadcastSG
from dialogs.widgets import acting_user, explain, now, uow_of

GROUP = "_group"  # dialog_data: the Group's value
STATUS = "_status"  # dialog_data: the ListFilter's value (families only)
TEXT = "_text"  # dialog_data: the officer's text, checked and stripped
ACTION = "broadcast"  # what a refusal is audited as


def parse_text(text: str) -> str:
    """The service's check, as the ValueError a TextInput answers."""
    try:
        return checked_text(text)
    except ServiceError as refused:
        params = {k: v if isinstance(v, int) else str(v) for k, v in refused.params.items()}
        raise InputError(refused.msgid, params) from None


def spec_of(manager: DialogManager) -> AudienceSpec:
    data = manager.dialog_data
    status = ListFilter(data.get(STATUS, ListFilter.ALL))
    return AudienceSpec(area_code(manager), Group(data[GROUP]), status, year_of(manager))


def _label(manager: DialogManager, msgid: str) -> str:
    return explain(manager, msgid, html=False)


async def area_name(manager: DialogManager) -> str:
    path = await check_area(
        uow_of(manager), acting_user(manager), area_code(manager), ACTION, now()
    )
    return path[-1].name


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, __: int) -> None:
        await check_area(uow_of(manager), acting_user(manager), code, ACTION, now())

    await start_on_area(manager, check)


async def get_groups(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    items = [(group.value, _label(dialog_manager, GROUP_LABELS[group])) for group in Group]
    return {"area": await area_name(dialog_manager), "items": items}


async def get_statuses(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    items = [
        (which.value, _label(dialog_manager, FILTER_LABELS[which])) for which in FAMILY_FILTERS
    ]
    return {"year": str(year_of(dialog_manager)), "items": items}


def audience_label(manager: DialogManager) -> str:
    """The group, and for families the status chosen: translated labels only."""
    spec = spec_of(manager)
    label = _label(manager, GROUP_LABELS[spec.group])
    if spec.group == Group.FAMILIES and spec.status != ListFilter.ALL:
        label += " · " + _label(manager, FILTER_LABELS[spec.status])
    return label


async def get_text(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    locale = dialog_manager.middleware_data["i18n"].current_locale
    return {
        "audience": audience_label(dialog_manager),
        "area": await area_name(dialog_manager),
        "limit": number(MAX_TEXT, locale),
        "has_text": bool(dialog_manager.dialog_data.get(TEXT)),
    }


async def on_group(_: CallbackQuery, __: Any, manager: DialogManager, value: str) -> None:
    if value not in {group.value for group in Group}:  # forged callback data
        return
    group = Group(value)
    manager.dialog_data.update({GROUP: group.value, STATUS: ListFilter.ALL.value})
    await manager.switch_to(BroadcastSG.status if group == Group.FAMILIES else BroadcastSG.text)


async def on_status(_: CallbackQuery, __: Any, manager: DialogManager, value: str) -> None:
    if value not in {which.value for which in FAMILY_FILTERS}:  # forged callback data
        return
    manager.dialog_data[STATUS] = value
    await manager.switch_to(BroadcastSG.text)


async def on_text_back(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    families = manager.dialog_data.get(GROUP) == Group.FAMILIES.value
    await manager.switch_to(BroadcastSG.status if families else BroadcastSG.group)


async def on_text(_: Message, __: Any, manager: DialogManager, text: str) -> None:
    manager.dialog_data[TEXT] = text
    await manager.switch_to(BroadcastSG.confirm)
