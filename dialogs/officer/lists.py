"""The commune's open invitations and hamlet heads: lists a page at a time whose lines, pressed,
ask to be confirmed (withdraw the invitation, remove the head) or kept."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column
from aiogram_dialog.widgets.text import Text

from bot.i18n import N_, moment
from bot.services.errors import ServiceError
from bot.services.hamlets import hamlet_heads, open_invites, remove_hamlet_head, revoke_invite
from dialogs.offered import Choices
from dialogs.officer.common import COMMUNE, PICK, Pages, ToMenu, commune_name, hamlet_names, paged
from dialogs.states import OfficerSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    now,
    tell,
    uow_of,
)

OFFICER_OF = N_("officer of {commune}")
LINE_INVITE = N_("❌ {hamlet}, until {until}")
LINE_HEAD = N_("❌ {hamlet}: Telegram id {user}")


def _listed(manager: DialogManager, items: list[tuple[str, str]]) -> dict[str, Any]:
    """A list whose lines can be picked, then confirmed or kept, a page at a time."""
    picked = dict(items).get(str(manager.dialog_data.get(PICK)), "")
    return {
        "count": len(items),
        "asking": bool(picked),
        "listing": not picked,
        "pickable": not picked and bool(items),
        "picked": picked.removeprefix("❌ "),
        **paged(manager, items),
    }


def _take_pick(manager: DialogManager) -> str:
    """The line picked, forgotten once answered."""
    return str(manager.dialog_data.pop(PICK, "") or "")


def _until(manager: DialogManager, moment_: Any) -> str:
    data = manager.middleware_data
    return moment(moment_, data["i18n"].current_locale, data["settings"].zone)


async def get_invites(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    commune = dialog_manager.dialog_data[COMMUNE]
    names = await hamlet_names(uow, commune)
    names[commune] = gettext(OFFICER_OF).format(commune=await commune_name(uow, dialog_manager))
    invites = await open_invites(uow, acting_user(dialog_manager), commune, now())
    label = gettext(LINE_INVITE)
    until = {i.id: _until(dialog_manager, i.expires_at) for i in invites}
    items = [
        (str(i.id), label.format(hamlet=names.get(i.hamlet_code, ""), until=until[i.id]))
        for i in invites
    ]
    return {"commune": await commune_name(uow, dialog_manager), **_listed(dialog_manager, items)}


async def get_heads(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    commune = dialog_manager.dialog_data[COMMUNE]
    names = await hamlet_names(uow, commune)
    heads = await hamlet_heads(uow, acting_user(dialog_manager), commune, now())
    label = gettext(LINE_HEAD)
    items = [
        (f"{u}:{code}", label.format(hamlet=names.get(code, ""), user=u)) for u, code in heads
    ]
    headed = {code for _user, code in heads}
    vacant = [name for code, name in names.items() if code not in headed]  # by name
    return {
        "commune": await commune_name(uow, dialog_manager),
        "vacant": ", ".join(vacant),
        "has_vacant": bool(vacant),
        **_listed(dialog_manager, items),
    }


async def on_pick(_: CallbackQuery, __: Any, manager: DialogManager, item: str) -> None:
    manager.dialog_data[PICK] = item


async def on_keep(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data[PICK] = None


async def on_revoke(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    invite_id = int(_take_pick(manager) or 0)
    try:
        await revoke_invite(uow_of(manager), acting_user(manager), invite_id, now())
    except ServiceError as error:
        await tell(manager, callback, error)


async def on_remove(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    user_id, _sep, hamlet = _take_pick(manager).partition(":")
    try:
        await remove_hamlet_head(
            uow_of(manager), acting_user(manager), int(user_id or 0), hamlet, now()
        )
    except ServiceError as error:
        await tell(manager, callback, error)


def _pick_window(
    *texts: Text, ask: str, yes: str, on_yes: Any, state: State, getter: Any
) -> Window:
    """The list below `texts`; a line pressed asks `ask`: `yes` (`on_yes`), or keep it."""
    return Window(
        *texts,
        I18nFormat(ask, when="asking"),
        Choices(on_pick, when="listing"),
        Pages(),
        Column(
            Button(Label(yes), id="yes", on_click=on_yes, when="asking"),
            Button(Label("◀️ No, keep it"), id="no", on_click=on_keep, when="asking"),
            ToMenu(),
        ),
        UnexpectedText(),
        state=state,
        getter=getter,
    )


def invites_window() -> Window:
    return _pick_window(
        I18nFormat("📨 <b>Open invitations</b> in {commune}: {count}", when="listing"),
        I18nFormat(
            "Press one to withdraw it, for example if it was sent to the wrong person.",
            when="pickable",
        ),
        ask=N_("Withdraw the invitation for <b>{picked}</b>? Its link will stop working."),
        yes=N_("✅ Yes, withdraw"),
        on_yes=on_revoke,
        state=OfficerSG.invites,
        getter=get_invites,
    )


def heads_window() -> Window:
    return _pick_window(
        I18nFormat("👥 <b>Hamlet heads</b> in {commune}: {count}", when="listing"),
        I18nFormat("Hamlets without a head: {vacant}", when="has_vacant"),
        I18nFormat("Press a line to remove that person as hamlet head.", when="pickable"),
        ask=N_(
            "Remove <b>{picked}</b> as hamlet head? They will no longer see the hamlet's families."
        ),
        yes=N_("✅ Yes, remove"),
        on_yes=on_remove,
        state=OfficerSG.heads,
        getter=get_heads,
    )
