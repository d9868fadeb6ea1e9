"""The commune officer invites hamlet heads (link and QR code), withdraws invitations and
removes heads; the invited person confirms. Through the real dispatcher, in English."""

from __future__ import annotations

import re

import pytest
from aiogram.methods import SendMessage, SendPhoto, SetMyCommands
from aiogram.types import InlineKeyboardButton, Message, Update, User
from aiogram_dialog.utils import CB_SEP
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.users import Role
from dialogs.offered import MSG_NOT_OFFERED
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries, grant, load_areas
from tests.test_dialogs import AREAS, buttons
from tests.test_household_dialogs import Family

OFFICER = User(id=10, is_bot=False, first_name="Officer", language_code="en")
LINK = re.compile(r"https://t\.me/hoctap_test_bot\?start=(inv_[A-Za-z0-9_-]+)")


def person(user_id: int) -> User:
    return User(id=user_id, is_bot=False, first_name=f"U{user_id}", language_code="en")


async def audit(chat: Family) -> list[dict[str, object]]:
    return await audit_entries(chat.session_factory)


async def forge(chat: Family, widget_data: str) -> None:
    """A callback the window never offered: the last window's context, any widget data."""
    message = chat.manager.last_message()
    intent = buttons_data(message)[0].split(CB_SEP)[0]
    button = InlineKeyboardButton(text="forged", callback_data=f"{intent}{CB_SEP}{widget_data}")
    chat.manager.reset_history()
    callback = chat.client._new_callback(message, button)
    await chat.dp.feed_update(chat.bot, Update(update_id=9000, callback_query=callback))


def buttons_data(message: Message) -> list[str]:
    markup = message.reply_markup
    assert markup is not None
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]  # type: ignore[union-attr]


@pytest.fixture
async def chat(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    await load_areas(session_factory, AREAS + "H4,Xóm Tân,hamlet,C2\n")
    await grant(session_factory, OFFICER.id, Role.COMMUNE_OFFICER, "C1")
    harness = Family(session_factory, redis_url)
    harness.as_user(OFFICER)
    yield harness
    await harness.close()


async def _invite(chat: Family, hamlet: str) -> str:
    """The officer invites a head for `hamlet`; the token of the link sent."""
    chat.as_user(OFFICER)
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    hamlets = await chat.click("✉️ Invite a hamlet head")
    assert buttons(hamlets)[:3] == ["Thôn Đoài", "Thôn Đông", "Thôn Thượng"]
    assert "Xóm Tân" not in buttons(hamlets)
    sent = len(chat.session.calls)
    await chat.click(hamlet)
    calls = chat.session.calls[sent:]
    texts = [c.text for c in calls if isinstance(c, SendMessage)]
    photos = [c for c in calls if isinstance(c, SendPhoto)]
    assert len(photos) == 1, calls
    assert hamlet in str(photos[0].caption)
    found = LINK.search(texts[0])
    assert found, texts
    assert "It works once" in texts[0]
    assert "is above" in chat.text()
    return found.group(1)


async def test_an_invited_person_becomes_hamlet_head_and_the_officer_is_told(
    chat: Family,
) -> None:
    token = await _invite(chat, "Thôn Đông")
    chat.as_user(person(50))
    asked = await chat.send(f"/start {token}")
    assert "Become head of <b>Thôn Đông</b>?" in (asked.text or "")
    sent = len(chat.session.calls)
    done = await chat.click("✅ Yes, I accept")
    assert "You are now head of <b>Thôn Đông</b>" in (done.text or "")
    told = [c for c in chat.session.calls[sent:] if isinstance(c, SendMessage)]
    assert [c.chat_id for c in told] == [OFFICER.id]
    # The officer never chose a language in the bot: told in their Telegram's, English.
    assert "a new hamlet head accepted your invitation" in told[0].text
    menu = await chat.click("🏠 Main menu")
    assert "🏘 My hamlet" in buttons(menu)

    chat.as_user(person(51))
    menu = await chat.send(f"/start {token}")
    assert "This invitation link cannot be used" in chat.errors()[-1]
    assert "Main menu" in (menu.text or "")
    async with chat.session_factory() as session:
        stranger = await SqlUnitOfWork(session).users.get(51)
    assert stranger is not None
    assert not stranger.has_role(Role.HAMLET_HEAD)


async def test_declining_changes_nothing_and_the_link_still_works(chat: Family) -> None:
    token = await _invite(chat, "Thôn Đoài")
    chat.as_user(person(50))
    await chat.send(f"/start {token}")
    menu = await chat.click("❌ No, thank you")
    assert "Main menu" in (menu.text or "")
    assert "🏘 My hamlet" not in buttons(menu)
    asked = await chat.send(f"/start {token}")
    assert "Become head of" in (asked.text or "")


async def test_a_withdrawn_invitation_no_longer_works(chat: Family) -> None:
    token = await _invite(chat, "Thôn Đoài")
    listed = await chat.click("📨 Open invitations")
    assert "Open invitations</b> in Xã Đông Hòa: 1" in (listed.text or "")
    asked = await chat.click("❌ Thôn Đoài")
    assert "Withdraw the invitation for <b>Thôn Đoài" in (asked.text or "")
    kept = await chat.click("◀️ No, keep it")
    assert ": 1" in (kept.text or "")
    await chat.click("❌ Thôn Đoài")
    emptied = await chat.click("✅ Yes, withdraw")
    assert ": 0" in (emptied.text or "")
    chat.as_user(person(52))
    await chat.send(f"/start {token}")
    assert "This invitation link cannot be used" in chat.errors()[-1]


async def test_the_officer_lists_and_removes_hamlet_heads(chat: Family) -> None:
    await grant(chat.session_factory, 20, Role.HAMLET_HEAD, "H1")
    await grant(chat.session_factory, 21, Role.HAMLET_HEAD, "H2")
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    heads = await chat.click("👥 Current hamlet heads")
    assert "Hamlets without a head: Thôn Thượng" in (heads.text or "")
    assert "❌ Thôn Đông: Telegram id 20" in buttons(heads)
    assert "❌ Thôn Đoài: Telegram id 21" in buttons(heads)
    asked = await chat.click("❌ Thôn Đông: Telegram id 20")
    assert "Remove <b>Thôn Đông: Telegram id 20</b> as hamlet head?" in (asked.text or "")
    kept = await chat.click("◀️ No, keep it")
    assert "Thôn Đông: Telegram id 20" in " ".join(buttons(kept))
    await chat.click("❌ Thôn Đông: Telegram id 20")
    removed = await chat.click("✅ Yes, remove")
    assert "Telegram id 20" not in " ".join(buttons(removed))
    assert "Hamlets without a head: Thôn Đông, Thôn Thượng" in (removed.text or "")
    chat.as_user(person(20))
    menu = await chat.send("/start")
    assert "🏘 My hamlet" not in buttons(menu)
    assert any(e["action"] == "head_removed" for e in await audit(chat))


async def test_a_hamlet_head_cannot_open_the_officer_menu(chat: Family) -> None:
    await grant(chat.session_factory, 20, Role.HAMLET_HEAD, "H1")
    chat.as_user(person(20))
    menu = await chat.send("/start")
    assert "🏛 Commune administration" not in buttons(menu)
    await forge(chat, "officer")
    assert "this menu is for commune officers" in chat.errors()[-1]
    assert "Main menu" in chat.text()
    refused = [e for e in await audit(chat) if e["action"] == "refused"]
    assert [(e["actor_id"], e["attempted"]) for e in refused] == [(20, "officer_menu")]


async def test_an_invitation_for_another_communes_hamlet_is_refused(chat: Family) -> None:
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    await chat.click("✉️ Invite a hamlet head")
    await forge(chat, "item:H4")
    assert chat.errors()[-1] == MSG_NOT_OFFERED
    assert not any(isinstance(c, SendPhoto) for c in chat.session.calls)
    refused = [e for e in await audit(chat) if e["action"] == "refused"]
    assert [(e["actor_id"], e["attempted"]) for e in refused] == [(OFFICER.id, "choose:item")]
    assert not any(e["action"] == "invite" for e in await audit(chat))


async def test_a_super_admin_chooses_the_commune_first(chat: Family) -> None:
    chat.as_user(person(777))
    await chat.send("/start")
    communes = await chat.click("🏛 Commune administration")
    assert "Which commune?" in (communes.text or "")
    assert {"Xã Đông Hòa", "Xã Tân Lập"} <= set(buttons(communes))
    filtered = await chat.send("tan lap")
    assert buttons(filtered)[0] == "Xã Tân Lập"
    menu = await chat.click("Xã Tân Lập")
    assert "🏛 <b>Xã Tân Lập</b>" in (menu.text or "")
    hamlets = await chat.click("✉️ Invite a hamlet head")
    assert buttons(hamlets)[0] == "Xóm Tân"
    await chat.click("◀️ Back")
    again = await chat.click("🔄 Another commune")
    assert "Which commune?" in (again.text or "")


# --- a colleague invited as commune officer -------------------------------------------------


async def test_an_officer_invites_a_colleague_who_becomes_officer_of_the_commune(
    chat: Family,
) -> None:
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    sent = len(chat.session.calls)
    menu = await chat.click("✉️ Invite a commune officer")
    texts = [c.text for c in chat.session.calls[sent:] if isinstance(c, SendMessage)]
    found = LINK.search(texts[0])
    assert found, texts
    assert "officer of <b>Xã Đông Hòa</b>" in texts[0]
    assert "🏛 <b>Xã Đông Hòa</b>" in (menu.text or "")  # the menu again, below the link

    chat.as_user(person(60))
    asked = await chat.send(f"/start {found.group(1)}")
    assert "Become an officer of <b>Xã Đông Hòa</b>?" in (asked.text or "")
    sent = len(chat.session.calls)
    done = await chat.click("✅ Yes, I accept")
    assert "You are now an officer of <b>Xã Đông Hòa</b>" in (done.text or "")
    menus = [c for c in chat.session.calls[sent:] if isinstance(c, SetMyCommands)]
    assert {c.scope.chat_id for c in menus} == {60}  # type: ignore[union-attr]
    assert "stats" in [command.command for command in menus[0].commands]
    menu = await chat.click("🏠 Main menu")
    assert "🏛 Commune administration" in buttons(menu)
    stats = await chat.send("/stats")
    assert "📊 <b>Xã Đông Hòa," in (stats.text or "")
    appointed = [e for e in await audit(chat) if e["action"] == "officer_appointed"]
    assert appointed[-1]["actor_id"] == 60


async def test_an_open_officer_invitation_is_listed_and_can_be_withdrawn(chat: Family) -> None:
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    await chat.click("✉️ Invite a commune officer")
    listed = await chat.click("📨 Open invitations")
    assert any("officer of Xã Đông Hòa" in b for b in buttons(listed))
