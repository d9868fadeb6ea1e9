"""/hamlets through the real dispatcher, in English: an officer adds, renames, merges, retires
and restores the commune's hamlets; families and invitations no longer see a retired one;
everyone else, and every forged button, is refused."""

from __future__ import annotations

import pytest
from aiogram.types import User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.users import Role
from dialogs.offered import MSG_NOT_OFFERED
from tests.support import audit_entries, grant, load_areas
from tests.test_commune_dialogs import roster
from tests.test_dialogs import AREAS, buttons
from tests.test_household_dialogs import Family
from tests.test_officer_dialogs import forge

OFFICER = User(id=10, is_bot=False, first_name="Officer", language_code="en")
HEAD = User(id=20, is_bot=False, first_name="Head", language_code="en")
FAMILY = User(id=30, is_bot=False, first_name="Family", language_code="en")
C1_HAMLETS = ["Thôn Đoài", "Thôn Đông", "Thôn Thượng"]


@pytest.fixture
async def chat(session_factory: async_sessionmaker[AsyncSession], redis_url: str | None):
    await load_areas(session_factory, AREAS + "H4,Xóm Tân,hamlet,C2\n")
    await grant(session_factory, OFFICER.id, Role.COMMUNE_OFFICER, "C1")
    await grant(session_factory, HEAD.id, Role.HAMLET_HEAD, "H1")
    await roster(session_factory, "H1", 8)  # Thôn Đông
    await roster(session_factory, "H2", 2)  # Thôn Đoài
    harness = Family(session_factory, redis_url)
    harness.as_user(OFFICER)
    yield harness
    await harness.close()


async def actions(chat: Family, action: str) -> list[dict[str, object]]:
    return [e for e in await audit_entries(chat.session_factory) if e["action"] == action]


async def offered_to_families(chat: Family) -> list[str]:
    """The hamlets of Xã Đông Hòa a family choosing its place can press."""
    chat.as_user(FAMILY)
    await chat.send("/start")
    await chat.click("📝 Register my family")
    if "Before we start" in chat.text():
        await chat.click("✅ I agree")
    chosen = await chat.click("📍 Choose commune and hamlet")
    if "🔄 Start over" in buttons(chosen):  # the place half chosen last time
        await chat.click("🔄 Start over")
    hamlets = await chat.click("Xã Đông Hòa")
    chat.as_user(OFFICER)
    return [label for label in buttons(hamlets) if label.startswith(("Thôn", "Xóm"))]


async def offered_for_invitations(chat: Family) -> list[str]:
    await chat.send("/start")
    await chat.click("🏛 Commune administration")
    hamlets = await chat.click("✉️ Invite a hamlet head")
    return [label for label in buttons(hamlets) if label.startswith(("Thôn", "Xóm"))]


async def test_the_officer_sees_the_communes_hamlets_and_adds_one(chat: Family) -> None:
    listed = await chat.send("/hamlets")
    assert "🏘 <b>Hamlets of Xã Đông Hòa</b>" in (listed.text or "")
    assert buttons(listed) == [*C1_HAMLETS, "➕ Add a hamlet", "⬅️ Back"]

    asked = await chat.click("➕ Add a hamlet")
    assert "A new hamlet in Xã Đông Hòa" in (asked.text or "")
    assert "Its code will be made up for you." in (asked.text or "")
    card = await chat.send("  xóm   Bến  ")

    assert "🏘 <b>Xóm Bến</b>" in (card.text or "")
    assert "Code: C1-04" in (card.text or "")
    assert "🏠 Households: 0" in (card.text or "")
    listed = await chat.click("⬅️ Back")
    assert "Xóm Bến" in buttons(listed)
    [added] = await actions(chat, "hamlet_add")
    assert (added["hamlet"], added["actor_id"]) == ("C1-04", OFFICER.id)


async def test_the_commune_menu_opens_the_hamlets_and_back(chat: Family) -> None:
    await chat.send("/start")
    await chat.click("🏛 Commune administration")

    listed = await chat.click("🏘 Hamlets")

    assert "🏘 <b>Hamlets of Xã Đông Hòa</b>" in (listed.text or "")
    menu = await chat.click("⬅️ Back")
    assert "🏛 <b>Xã Đông Hòa</b>" in (menu.text or "")


async def test_a_name_the_commune_has_is_refused_and_asked_again(chat: Family) -> None:
    await chat.send("/hamlets")
    await chat.click("➕ Add a hamlet")

    again = await chat.send("thon dong")

    assert chat.errors()[-1] == "Xã Đông Hòa already has a hamlet called Thôn Đông."
    assert "Type its name" in (again.text or "")
    assert await actions(chat, "hamlet_add") == []


async def test_the_officer_may_choose_the_code(chat: Family) -> None:
    await chat.send("/hamlets")
    await chat.click("➕ Add a hamlet")
    asked = await chat.click("🔢 Choose the code myself")
    assert "for example: C1-01" in (asked.text or "")
    await chat.send("xóm 4")
    assert "A code has at most 32 characters" in chat.errors()[-1]

    named = await chat.send("C1-X4")
    assert "Its code will be C1-X4." in (named.text or "")
    card = await chat.send("Xóm 4")

    assert "Code: C1-X4" in (card.text or "")


async def test_a_renamed_hamlet_keeps_its_households(chat: Family) -> None:
    await chat.send("/hamlets")
    card = await chat.click("Thôn Đông")
    assert "🏠 Households: 8" in (card.text or "")
    assert "👤 Hamlet heads: 1" in (card.text or "")
    await chat.click("✏️ Rename")

    card = await chat.send("Thôn Đông Bắc")

    assert "🏘 <b>Thôn Đông Bắc</b>" in (card.text or "")
    assert "Code: H1" in (card.text or "")
    assert "🏠 Households: 8" in (card.text or "")


async def test_merging_says_what_will_happen_then_moves_the_households(chat: Family) -> None:
    await chat.send("/hamlets")
    await chat.click("Thôn Đông")
    choices = await chat.click("🔀 Merge into another hamlet")
    assert buttons(choices) == ["Thôn Đoài", "Thôn Thượng", "⬅️ Back"]
    asked = await chat.click("Thôn Đoài")
    text = asked.text or ""
    assert "🔀 <b>Merge Thôn Đông into Thôn Đoài?</b>" in text
    assert "🏠 Households that move to Thôn Đoài: 8" in text
    assert "👤 Hamlet heads of Thôn Đông who lose that role: 1" in text
    assert "✉️ Open invitations to head Thôn Đông, withdrawn: 0" in text

    card = await chat.click("✅ Yes, merge")

    assert "🏘 <b>Thôn Đoài</b>" in (card.text or "")
    assert "🏠 Households: 10" in (card.text or "")
    listed = await chat.click("⬅️ Back")
    assert buttons(listed)[:3] == ["Thôn Đoài", "Thôn Thượng", "💤 Thôn Đông (retired)"]
    merged = await chat.click("💤 Thôn Đông (retired)")
    assert "🔀 Its households moved to Thôn Đoài." in (merged.text or "")
    stats = await chat.send("/stats")
    assert "🏠 Households: 10" in (stats.text or "")
    [entry] = await actions(chat, "hamlet_merge")
    assert (entry["hamlet"], entry["into"], entry["households"]) == ("H1", "H2", 8)
    chat.as_user(HEAD)
    assert "🏘 My hamlet" not in buttons(await chat.send("/start"))


async def test_a_hamlet_with_households_is_merged_not_retired(chat: Family) -> None:
    await chat.send("/hamlets")
    await chat.click("Thôn Đông")

    card = await chat.click("🗄 Retire")

    assert chat.errors()[-1] == (
        "Thôn Đông still has 8 households: merge it into another hamlet instead."
    )
    assert "🏘 <b>Thôn Đông</b>" in (card.text or "")


async def test_a_retired_hamlet_is_offered_to_no_one_until_restored(chat: Family) -> None:
    await chat.send("/hamlets")
    await chat.click("Thôn Thượng")
    asked = await chat.click("🗄 Retire")
    assert "🗄 <b>Retire Thôn Thượng?</b>" in (asked.text or "")
    card = await chat.click("✅ Yes, retire")
    assert "💤 Retired" in (card.text or "")
    assert "🔀 Merge into another hamlet" not in buttons(card)

    assert await offered_to_families(chat) == ["Thôn Đoài", "Thôn Đông"]
    assert await offered_for_invitations(chat) == ["Thôn Đoài", "Thôn Đông"]

    await chat.send("/hamlets")
    await chat.click("💤 Thôn Thượng (retired)")
    card = await chat.click("♻️ Restore")
    assert "💤 Retired" not in (card.text or "")
    assert await offered_to_families(chat) == C1_HAMLETS
    assert [e["hamlet"] for e in await actions(chat, "hamlet_retire")] == ["H3"]
    assert [e["hamlet"] for e in await actions(chat, "hamlet_restore")] == ["H3"]


@pytest.mark.parametrize("who", [HEAD, FAMILY])
async def test_everyone_else_is_told_the_command_is_for_officers(chat: Family, who: User) -> None:
    chat.as_user(who)

    assert await chat.command("/hamlets") == "This command is for commune officers."


async def test_another_communes_code_after_the_command_is_refused(chat: Family) -> None:
    answer = await chat.command("/hamlets C2")

    assert answer == "This area is outside the ones you look after."
    [refused] = await actions(chat, "refused")
    assert (refused["actor_id"], refused["attempted"]) == (OFFICER.id, "hamlets")


async def test_a_forged_hamlet_button_is_refused_and_written_down(chat: Family) -> None:
    await chat.send("/hamlets")

    await forge(chat, "hamlet:H4")

    assert chat.errors()[-1] == MSG_NOT_OFFERED
    [refused] = await actions(chat, "refused")
    assert (refused["actor_id"], refused["attempted"]) == (OFFICER.id, "choose:hamlet")


async def test_a_forged_merge_into_another_commune_moves_nothing(chat: Family) -> None:
    await chat.send("/hamlets")
    await chat.click("Thôn Đông")
    await chat.click("🔀 Merge into another hamlet")

    await forge(chat, "into:H4")

    assert chat.errors()[-1] == MSG_NOT_OFFERED
    assert await actions(chat, "hamlet_merge") == []
    [refused] = await actions(chat, "refused")
    assert refused["attempted"] == "choose:into"
    listed = await chat.send("/hamlets")
    assert buttons(listed)[:3] == C1_HAMLETS
