"""The commune officer's hamlet heads: invitations (link and QR), the list, removal; and the
invitation's confirmation by the person invited.

An officer works on one commune at a time: the communes of their COMMUNE_OFFICER grants (a
grant on a district or province covers its communes); a super admin may choose any commune.
With a single commune the choice is skipped. The services check the scope again on each call.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, Select, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.domain.areas import Area, by_name, filter_areas
from bot.domain.hamlets import MSG_INVITE_INVALID, invite_link
from bot.domain.paging import paginate
from bot.domain.text import normalize_text
from bot.domain.users import Role, User, areas_with_role
from bot.i18n import N_, moment
from bot.qr import qr_png
from bot.services.areas import area_path, areas_below
from bot.services.errors import NotAllowed, ServiceError
from bot.services.hamlets import (
    accept_invite,
    create_invite,
    hamlet_heads,
    invite_for,
    open_invites,
    remove_hamlet_head,
    revoke_invite,
)
from bot.services.scope import refuse
from dialogs.states import InviteSG, MainSG, OfficerSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    bot_username,
    explain,
    notifier,
    now,
    on_unexpected_message,
    tell,
)

PER_PAGE = 8
MSG_OFFICERS_ONLY = N_("Sorry, this menu is for commune officers.")
MSG_INVITE_LINK = N_(
    "✉️ Invitation to become head of <b>{hamlet}</b>:\n{link}\n\n"
    "Send this link, or the QR code below, to that person only. "
    "It works once, until {expires}."
)
LINE_INVITE = N_("❌ {hamlet}, until {until}")
LINE_HEAD = N_("❌ {hamlet}: Telegram id {user}")
MSG_INVITE_QR = N_("QR code of the invitation for {hamlet}: open the phone's camera and scan it.")


def _uow(manager: DialogManager) -> Any:
    return manager.middleware_data["uow"]


async def _communes(uow: Any, user: User) -> list[Area]:
    """The communes the user may manage: under their officer grants, or all for a super
    admin."""
    if user.has_role(Role.SUPER_ADMIN):
        roots = [area.code for area in await areas_below(uow, None, "province")]
    else:
        roots = areas_with_role(user, Role.COMMUNE_OFFICER)
    found: dict[str, Area] = {}
    for code in roots:
        path = await area_path(uow, code)
        if path and path[-1].level == "commune":
            found[code] = path[-1]
        elif path:
            found.update((area.code, area) for area in await areas_below(uow, code, "commune"))
    return sorted(found.values(), key=by_name)


async def _hamlet_names(uow: Any, commune: str) -> dict[str, str]:
    return {area.code: area.name for area in await areas_below(uow, commune, "hamlet")}


def _paged(manager: DialogManager, items: list[tuple[str, str]]) -> dict[str, Any]:
    page = paginate(items, manager.dialog_data.get("_page", 0), PER_PAGE)
    return {
        "items": list(page.items),
        "empty": not items,
        "page": page.page + 1,
        "pages": page.pages,
        "has_prev": page.has_prev,
        "has_next": page.has_next,
    }


async def _commune_name(uow: Any, manager: DialogManager) -> str:
    path = await area_path(uow, manager.dialog_data["commune"])
    return path[-1].name if path else ""


async def get_menu(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    if data.get("commune"):
        name = await _commune_name(uow, dialog_manager)
        listed = {**_paged(dialog_manager, []), "empty": False}
        return {"chosen": True, "choosing": False, "commune": name, **listed}
    query = data.get("_query", "")
    communes = await _communes(uow, acting_user(dialog_manager))
    found = [(area.code, area.name) for area in filter_areas(communes, query)]
    return {"chosen": False, "choosing": True, "commune": "", **_paged(dialog_manager, found)}


async def get_hamlets(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    names = await _hamlet_names(uow, dialog_manager.dialog_data["commune"])
    return {
        "commune": await _commune_name(uow, dialog_manager),
        **_paged(dialog_manager, [*names.items()]),
    }


async def get_invited(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    path = await area_path(uow, dialog_manager.dialog_data["invited"])
    return {"hamlet": path[-1].name if path else ""}


def _until(manager: DialogManager, moment_: Any) -> str:
    data = manager.middleware_data
    return moment(moment_, data["i18n"].current_locale, data["settings"].zone)


def _listed(manager: DialogManager, items: list[tuple[str, str]]) -> dict[str, Any]:
    """A list whose lines can be picked, then confirmed or kept, a page at a time."""
    picked = dict(items).get(str(manager.dialog_data.get("_pick")), "")
    return {
        "count": len(items),
        "asking": bool(picked),
        "listing": not picked,
        "picked": picked.removeprefix("❌ "),
        **_paged(manager, items),
    }


async def get_invites(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    commune = dialog_manager.dialog_data["commune"]
    names = await _hamlet_names(uow, commune)
    invites = await open_invites(uow, acting_user(dialog_manager), commune, now())
    label = gettext(LINE_INVITE)
    until = {i.id: _until(dialog_manager, i.expires_at) for i in invites}
    items = [
        (str(i.id), label.format(hamlet=names.get(i.hamlet_code, ""), until=until[i.id]))
        for i in invites
    ]
    return {"commune": await _commune_name(uow, dialog_manager), **_listed(dialog_manager, items)}


async def get_heads(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    commune = dialog_manager.dialog_data["commune"]
    names = await _hamlet_names(uow, commune)
    heads = await hamlet_heads(uow, acting_user(dialog_manager), commune, now())
    label = gettext(LINE_HEAD)
    items = [
        (f"{u}:{code}", label.format(hamlet=names.get(code, ""), user=u)) for u, code in heads
    ]
    headed = {code for _user, code in heads}
    vacant = [name for code, name in names.items() if code not in headed]  # by name
    return {
        "commune": await _commune_name(uow, dialog_manager),
        "vacant": ", ".join(vacant),
        "has_vacant": bool(vacant),
        **_listed(dialog_manager, items),
    }


async def on_start(_: Any, manager: DialogManager) -> None:
    user = acting_user(manager)
    communes = await _communes(_uow(manager), user)
    if not communes:
        await refuse(_uow(manager), user, "officer_menu", now())
        event = manager.event
        if isinstance(event, Message | CallbackQuery):
            await tell(manager, event, NotAllowed(MSG_OFFICERS_ONLY))
        await manager.done(show_mode=ShowMode.SEND)
        return
    if len(communes) == 1:
        manager.dialog_data["commune"] = communes[0].code
    manager.dialog_data["_several"] = len(communes) > 1


async def on_commune(callback: CallbackQuery, _: Any, manager: DialogManager, code: str) -> None:
    user = acting_user(manager)
    if code not in {area.code for area in await _communes(_uow(manager), user)}:
        await refuse(_uow(manager), user, "officer_commune", now())
        await tell(manager, callback, NotAllowed(MSG_OFFICERS_ONLY))
        return
    manager.dialog_data.update({"commune": code, "_page": 0, "_query": ""})


async def on_filter(message: Message, widget: Any, manager: DialogManager, query: str) -> None:
    if manager.dialog_data.get("commune"):
        await on_unexpected_message(message, widget, manager)
        return
    manager.dialog_data.update({"_query": query, "_page": 0})


async def on_other_commune(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.update({"commune": None, "_page": 0, "_query": ""})


async def on_page(_: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = 1 if button.widget_id == "next" else -1
    manager.dialog_data["_page"] = manager.dialog_data.get("_page", 0) + step


async def on_leave_list(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.update({"_page": 0, "_pick": None})


async def on_invite(callback: CallbackQuery, _: Any, manager: DialogManager, hamlet: str) -> None:
    uow = _uow(manager)
    try:
        created = await create_invite(uow, acting_user(manager), hamlet, now())
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    bot: Bot = manager.middleware_data["bot"]
    path = await area_path(uow, hamlet)
    name = path[-1].name if path else hamlet
    link = invite_link(await bot_username(bot), created.token)
    params = {"hamlet": name, "link": link, "expires": created.invite.expires_at}
    chat = callback.message.chat.id if callback.message else callback.from_user.id
    await bot.send_message(chat, explain(manager, MSG_INVITE_LINK, params))
    photo = BufferedInputFile(qr_png(link), filename="invitation.png")
    await bot.send_photo(chat, photo, caption=explain(manager, MSG_INVITE_QR, {"hamlet": name}))
    manager.dialog_data.update({"invited": hamlet, "_page": 0})
    manager.show_mode = ShowMode.SEND  # below the link and the QR code
    await manager.switch_to(OfficerSG.invite_done)


async def on_pick(_: CallbackQuery, __: Any, manager: DialogManager, item: str) -> None:
    manager.dialog_data["_pick"] = item


async def on_keep(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data["_pick"] = None


async def on_revoke(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    picked = str(manager.dialog_data.pop("_pick", "") or "")
    try:
        await revoke_invite(_uow(manager), acting_user(manager), int(picked or 0), now())
    except ServiceError as error:
        await tell(manager, callback, error)


async def on_remove(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    user_id, _sep, hamlet = str(manager.dialog_data.pop("_pick", "") or "").partition(":")
    try:
        await remove_hamlet_head(
            _uow(manager), acting_user(manager), int(user_id or 0), hamlet, now()
        )
    except ServiceError as error:
        await tell(manager, callback, error)


def _pages() -> Row:
    return Row(
        Button(Label("◀️ Previous page"), id="prev", on_click=on_page, when="has_prev"),
        Button(Label("Next page ▶️"), id="next", on_click=on_page, when="has_next"),
    )


def _choices(on_click: Any, when: str | None = None) -> Column:
    return Column(
        Select(
            Format("{item[1]}"),
            id="item",
            item_id_getter=lambda item: item[0],
            items="items",
            on_click=on_click,
        ),
        when=when,
    )


def _to_menu() -> SwitchTo:
    return SwitchTo(Label("◀️ Back"), id="to_menu", state=OfficerSG.menu, on_click=on_leave_list)


def _menu() -> Window:
    return Window(
        I18nFormat("🏛 <b>Hamlet heads</b> of {commune}", when="chosen"),
        I18nFormat(
            "Invite a person to become head of a hamlet, see the open invitations, "
            "or the current hamlet heads.",
            when="chosen",
        ),
        I18nFormat("🏛 Which commune? Press it, or type part of its name.", when="choosing"),
        I18nFormat("Nothing matches. Try fewer letters.", when="empty"),
        _choices(on_commune, when="choosing"),
        _pages(),
        Column(
            SwitchTo(
                Label("✉️ Invite a hamlet head"),
                id="invite",
                state=OfficerSG.invite_hamlet,
                when="chosen",
            ),
            SwitchTo(
                Label("📨 Open invitations"), id="invites", state=OfficerSG.invites, when="chosen"
            ),
            SwitchTo(
                Label("👥 Current hamlet heads"), id="heads", state=OfficerSG.heads, when="chosen"
            ),
            Button(
                Label("🔄 Another commune"),
                id="other",
                on_click=on_other_commune,
                when=lambda d, _w, m: d["chosen"] and m.dialog_data.get("_several"),
            ),
            Cancel(Label("⬅️ Back")),
        ),
        TextInput(id="filter", type_factory=normalize_text, on_success=on_filter),
        state=OfficerSG.menu,
        getter=get_menu,
    )


def _invite_hamlet() -> Window:
    return Window(
        I18nFormat("✉️ Which hamlet of {commune} will the new head lead?"),
        I18nFormat("This commune has no hamlets in the list yet.", when="empty"),
        _choices(on_invite),
        _pages(),
        Column(_to_menu()),
        UnexpectedText(),
        state=OfficerSG.invite_hamlet,
        getter=get_hamlets,
    )


def _invite_done() -> Window:
    return Window(
        I18nFormat(
            "✅ The invitation for <b>{hamlet}</b> is above: a link and its QR code. "
            "When the person opens it and confirms, they become the hamlet's head and you "
            "get a message."
        ),
        Column(
            SwitchTo(
                Label("✉️ Invite another hamlet head"),
                id="again",
                state=OfficerSG.invite_hamlet,
            ),
            SwitchTo(Label("📨 Open invitations"), id="invites", state=OfficerSG.invites),
            _to_menu(),
        ),
        UnexpectedText(),
        state=OfficerSG.invite_done,
        getter=get_invited,
    )


def _invites() -> Window:
    return Window(
        I18nFormat("📨 <b>Open invitations</b> in {commune}: {count}", when="listing"),
        I18nFormat(
            "Press one to withdraw it, for example if it was sent to the wrong person.",
            when=lambda d, _w, _m: d["listing"] and not d["empty"],
        ),
        I18nFormat(
            "Withdraw the invitation for <b>{picked}</b>? Its link will stop working.",
            when="asking",
        ),
        _choices(on_pick, when="listing"),
        _pages(),
        Column(
            Button(Label("✅ Yes, withdraw"), id="yes", on_click=on_revoke, when="asking"),
            Button(Label("◀️ No, keep it"), id="no", on_click=on_keep, when="asking"),
            _to_menu(),
        ),
        UnexpectedText(),
        state=OfficerSG.invites,
        getter=get_invites,
    )


def _heads() -> Window:
    return Window(
        I18nFormat("👥 <b>Hamlet heads</b> in {commune}: {count}", when="listing"),
        I18nFormat("Hamlets without a head: {vacant}", when="has_vacant"),
        I18nFormat(
            "Press a line to remove that person as hamlet head.",
            when=lambda d, _w, _m: d["listing"] and not d["empty"],
        ),
        I18nFormat(
            "Remove <b>{picked}</b> as hamlet head? They will no longer see the hamlet's "
            "families.",
            when="asking",
        ),
        _choices(on_pick, when="listing"),
        _pages(),
        Column(
            Button(Label("✅ Yes, remove"), id="yes", on_click=on_remove, when="asking"),
            Button(Label("◀️ No, keep it"), id="no", on_click=on_keep, when="asking"),
            _to_menu(),
        ),
        UnexpectedText(),
        state=OfficerSG.heads,
        getter=get_heads,
    )


def officer_dialog() -> Dialog:
    return Dialog(
        _menu(), _invite_hamlet(), _invite_done(), _invites(), _heads(), on_start=on_start
    )


# --- the invited person --------------------------------------------------------------------


async def get_invitation(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    token = str((dialog_manager.start_data or {}).get("token", ""))  # type: ignore[union-attr]
    try:
        invite = await invite_for(uow, token, now())
    except ServiceError:
        return {"valid": False, "invalid": True, "hamlet": ""}
    path = await area_path(uow, invite.hamlet_code)
    return {"valid": True, "invalid": False, "hamlet": path[-1].name if path else ""}


async def get_appointed(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    path = await area_path(uow, dialog_manager.dialog_data["hamlet"])
    return {"hamlet": path[-1].name if path else ""}


async def on_accept(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    token = str((manager.start_data or {}).get("token", ""))  # type: ignore[union-attr]
    try:
        invite = await accept_invite(
            _uow(manager), notifier(manager), callback.from_user.id, token, now()
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        await manager.done(show_mode=ShowMode.SEND)
        return
    manager.dialog_data["hamlet"] = invite.hamlet_code
    await manager.switch_to(InviteSG.done)


def invite_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "🏘 Become head of <b>{hamlet}</b>?\n\n"
                "Your commune invited you. As hamlet head you see the hamlet's families, help "
                "those without a smartphone to register, and confirm their self-assessments.",
                when="valid",
            ),
            I18nFormat(MSG_INVITE_INVALID, when="invalid"),
            Column(
                Button(Label("✅ Yes, I accept"), id="accept", on_click=on_accept, when="valid"),
                Cancel(Label("❌ No, thank you"), when="valid"),
                Cancel(Label("🏠 Main menu"), id="menu", when="invalid"),
            ),
            UnexpectedText(),
            state=InviteSG.confirm,
            getter=get_invitation,
        ),
        Window(
            I18nFormat(
                "✅ You are now head of <b>{hamlet}</b>.\n"
                "Open /start → “🏘 My hamlet” to see its families."
            ),
            Start(Label("🏠 Main menu"), id="menu", state=MainSG.menu, mode=StartMode.RESET_STACK),
            UnexpectedText(),
            state=InviteSG.done,
            getter=get_appointed,
        ),
    )
