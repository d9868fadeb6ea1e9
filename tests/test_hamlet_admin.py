"""/hamlets in the service layer, on real storage: a commune's officers add, rename, merge,
retire and restore its hamlets; families no longer see a retired hamlet, history and numbers
keep it; every change is audited and every forged code refused.

SQLite always, PostgreSQL too when HOCTAP_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.domain.areas import MAX_CODE_LENGTH, Area
from bot.domain.hamlet_admin import (
    MSG_CODE,
    MSG_NAME_CHARACTERS,
    MSG_NAME_EXAMPLE,
    code_candidates,
    parse_hamlet_code,
    parse_hamlet_name,
)
from bot.domain.households import HouseholdForm
from bot.domain.parsers import InputError
from bot.domain.status import Status
from bot.domain.users import Role, User
from bot.services import hamlet_admin as ha
from bot.services import hamlets as hm
from bot.services import households as hh
from bot.services.areas import area_path, areas_below, import_areas
from bot.services.errors import NotAllowed, ServiceError
from bot.services.stats import area_stats
from bot.services.users import set_home_area
from storage.uow import SqlUnitOfWork
from tests.test_hamlet_services import (
    ADMIN,
    HEAD_H1,
    HEAD_H2,
    NOW,
    OFFICER_C1,
    OFFICER_C2,
    YEAR,
    ZONE,
    Factory,
    areas,  # noqa: F401  (fixture)
    audit,
    household,
    later_unit,
    new_user,
    snapshot,
    super_admin,
)

# --- the rules of names and codes (pure) ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Thôn Đông", "Thôn Đông"),
        ("  thôn   đông ", "Thôn đông"),  # only the first letter is made a capital
        ("Xóm 3", "Xóm 3"),
        ("tổ dân phố 5", "Tổ dân phố 5"),
        ("Tho\u0302n Đông", "Thôn Đông"),  # decomposed tones, as some keyboards send them
        ("Khu phố 2 (cũ)", "Khu phố 2 (cũ)"),
        ("Xóm Đình–Chùa", "Xóm Đình-Chùa"),
    ],
)
def test_a_hamlet_name_is_stored_normalised(typed: str, stored: str) -> None:
    assert parse_hamlet_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [("", MSG_NAME_EXAMPLE), ("12", MSG_NAME_EXAMPLE), ("Thôn <b>", MSG_NAME_CHARACTERS)],
)
def test_a_hamlet_name_that_cannot_be_one_is_refused(typed: str, msgid: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_hamlet_name(typed)
    assert refused.value.msgid == msgid


@pytest.mark.parametrize("typed", ["C1 X", "Đông-1", "X" * (MAX_CODE_LENGTH + 1), ""])
def test_a_typed_code_follows_the_area_lists_rules(typed: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_hamlet_code(typed)
    assert refused.value.msgid == MSG_CODE


def test_made_up_codes_count_on_from_the_commune_code_and_stay_short() -> None:
    made = code_candidates("26734", 3)
    assert [next(made), next(made)] == ["26734-03", "26734-04"]
    long_code = next(code_candidates("C" * MAX_CODE_LENGTH))
    assert len(long_code) == MAX_CODE_LENGTH
    assert long_code.endswith("-01")


# --- helpers -------------------------------------------------------------------------------


async def officer(uow: SqlUnitOfWork, user_id: int = OFFICER_C1) -> User:
    return await new_user(uow, user_id)


async def area_rows(uow: SqlUnitOfWork) -> list[tuple[Any, ...]]:
    result = await uow.session.execute(text("SELECT * FROM areas ORDER BY code"))
    return [tuple(row) for row in result]


async def picker(uow: SqlUnitOfWork, commune: str = "C1") -> list[str]:
    """The hamlets a family choosing its place (or an officer inviting a head) is offered."""
    return [a.name for a in await areas_below(uow, commune, "hamlet")]


async def listed(uow: SqlUnitOfWork, actor: User) -> list[tuple[str, bool]]:
    _, hamlets = await ha.commune_hamlets(uow, actor, "C1", NOW)
    return [(a.name, a.retired) for a in hamlets]


# --- add and rename ------------------------------------------------------------------------


async def test_an_officer_adds_a_hamlet_with_a_made_up_code(
    areas: SqlUnitOfWork,  # noqa: F811
    session_factory: Factory,
) -> None:
    actor = await officer(areas)

    added = await ha.add_hamlet(areas, actor, "C1", "  xóm   Bắc ", NOW)

    assert added == Area("C1-03", "Xóm Bắc", "hamlet", "C1")
    async with later_unit(session_factory) as later:
        assert await picker(later) == ["Thôn Đoài", "Thôn Đông", "Xóm Bắc"]
        assert [a.code for a in await area_path(later, "C1-03")] == ["P1", "C1", "C1-03"]
    [entry] = await audit(areas, "hamlet_add")
    assert (entry["commune"], entry["hamlet"], entry["actor_id"]) == ("C1", "C1-03", OFFICER_C1)


async def test_a_made_up_code_skips_codes_already_used(areas: SqlUnitOfWork) -> None:  # noqa: F811
    actor = await officer(areas)
    await ha.add_hamlet(areas, actor, "C1", "Xóm 3", NOW, code="C1-03")

    added = await ha.add_hamlet(areas, actor, "C1", "Xóm 4", NOW)

    assert added.code == "C1-04"


async def test_a_typed_code_is_kept_unless_already_used(areas: SqlUnitOfWork) -> None:  # noqa: F811
    actor = await officer(areas)

    assert (await ha.add_hamlet(areas, actor, "C1", "Xóm 3", NOW, code=" X3 ")).code == "X3"
    with pytest.raises(ServiceError) as taken:
        await ha.add_hamlet(areas, actor, "C1", "Xóm 4", NOW, code="H3")  # C2's hamlet
    assert taken.value.msgid == ha.MSG_CODE_TAKEN
    with pytest.raises(ServiceError) as wrong:
        await ha.add_hamlet(areas, actor, "C1", "Xóm 4", NOW, code="X 4")
    assert wrong.value.msgid == MSG_CODE


@pytest.mark.parametrize("name", ["thon doai", "THÔN ĐOÀI", "Thôn  Đoài", "Thon Đoai"])
async def test_a_name_the_commune_already_has_is_refused_whatever_its_accents(
    areas: SqlUnitOfWork,  # noqa: F811
    name: str,
) -> None:
    actor = await officer(areas)
    before = await area_rows(areas)

    with pytest.raises(ServiceError) as refused:
        await ha.add_hamlet(areas, actor, "C1", name, NOW)

    assert refused.value.msgid == ha.MSG_SAME_NAME
    assert refused.value.params == {"commune": "Xã Đông Hòa", "name": "Thôn Đoài"}
    assert await area_rows(areas) == before


async def test_another_communes_hamlet_name_may_be_used(areas: SqlUnitOfWork) -> None:  # noqa: F811
    added = await ha.add_hamlet(areas, await officer(areas), "C1", "Thôn Tân", NOW)

    assert added.parent_code == "C1"


async def test_a_hamlet_is_added_under_a_commune_only(areas: SqlUnitOfWork) -> None:  # noqa: F811
    with pytest.raises(ServiceError) as refused:
        await ha.add_hamlet(areas, super_admin(), "P1", "Xóm Mới", NOW)

    assert refused.value.msgid == ha.MSG_NOT_A_COMMUNE
    assert refused.value.params["example"] in {"C1", "C2"}


async def test_a_renamed_hamlet_keeps_its_code_households_and_history(
    areas: SqlUnitOfWork,  # noqa: F811
    session_factory: Factory,
) -> None:
    actor = await officer(areas)
    family = await household(areas, "Nguyễn Văn An", "+84912000001", status=Status.VERIFIED)
    history = await areas.registrations.of_household(family)

    renamed = await ha.rename_hamlet(areas, actor, "H1", "Thôn Đoài Thượng", NOW)

    assert renamed == Area("H1", "Thôn Đoài Thượng", "hamlet", "C1")
    async with later_unit(session_factory) as later:
        assert (await ha.hamlet_card(later, actor, "H1", NOW)).households == 1
        assert await later.registrations.of_household(family) == history
        assert "Thôn Đoài Thượng" in await picker(later)
    [entry] = await audit(areas, "hamlet_rename")
    assert (entry["hamlet"], entry["name"]) == ("H1", "Thôn Đoài Thượng")


async def test_a_rename_may_fix_the_accents_but_not_take_a_siblings_name(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    actor = await officer(areas)
    await ha.rename_hamlet(areas, actor, "H1", "Thon Doai", NOW)

    assert (await ha.rename_hamlet(areas, actor, "H1", "Thôn Đoài", NOW)).name == "Thôn Đoài"
    with pytest.raises(ServiceError) as refused:
        await ha.rename_hamlet(areas, actor, "H1", "thôn đông", NOW)
    assert refused.value.msgid == ha.MSG_SAME_NAME


# --- merge ---------------------------------------------------------------------------------


async def merge_world(uow: SqlUnitOfWork) -> dict[str, int]:
    """H1: three households (one of them with a year's history), a head, an open invitation
    and a user who said they live there; H2: one household and its own head."""
    families = {
        "verified": await household(uow, "An", "+84912000001", status=Status.VERIFIED),
        "registered": await household(uow, "Bình", "+84912000002", status=Status.REGISTERED),
        "plain": await household(uow, "Cường", "+84912000003", account=7001),
        "other": await household(uow, "Dung", "+84912000004", hamlet="H2"),
    }
    await new_user(uow, HEAD_H1)
    await new_user(uow, HEAD_H2)
    await uow.users.set_area(7001, "H1")
    await uow.invites.add("1" * 64, "H1", OFFICER_C1, NOW, NOW + timedelta(days=7))
    await uow.invites.add("2" * 64, "H2", OFFICER_C1, NOW, NOW + timedelta(days=7))
    await uow.commit()
    return families


async def test_merging_moves_the_households_and_ends_the_heads_and_invitations(
    areas: SqlUnitOfWork,  # noqa: F811
    session_factory: Factory,
) -> None:
    actor = await officer(areas)
    families = await merge_world(areas)
    history = await areas.registrations.of_household(families["verified"])
    plan, _ = await ha.merge_plan(areas, actor, "H1", "H2", NOW)

    done, into = await ha.merge_hamlets(areas, actor, "H1", "H2", NOW)

    assert (plan.households, plan.heads, plan.invites) == (3, 1, 1)
    assert (done.households, done.heads, done.invites) == (3, 1, 1)
    assert into.code == "H2"
    async with later_unit(session_factory) as later:
        for family in families.values():
            moved = await later.households.get(family)
            assert moved is not None
            assert moved.hamlet_code == "H2"
        assert await later.registrations.of_household(families["verified"]) == history
        gone = await ha.hamlet_card(later, actor, "H1", NOW)
        assert (gone.households, gone.heads, gone.hamlet.retired) == (0, 0, True)
        assert gone.merged_into is not None
        assert gone.merged_into.code == "H2"
        assert (await ha.hamlet_card(later, actor, "H2", NOW)).households == 4
        assert await later.users.holders(Role.HAMLET_HEAD, ["H1", "H2"]) == [(HEAD_H2, "H2")]
        assert [i.hamlet_code for i in await later.invites.open_in(["H1", "H2"], NOW)] == ["H2"]
        resident = await later.users.get(7001)
        assert resident is not None
        assert resident.area_code == "H2"
    [entry] = await audit(areas, "hamlet_merge")
    assert {k: entry[k] for k in ("hamlet", "into", "households", "heads", "invites")} == {
        "hamlet": "H1",
        "into": "H2",
        "households": 3,
        "heads": 1,
        "invites": 1,
    }


async def test_the_communes_numbers_do_not_change_with_a_merge(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    actor = await officer(areas)
    await merge_world(areas)
    before = await area_stats(areas, actor, "C1", YEAR, NOW, ZONE)

    await ha.merge_hamlets(areas, actor, "H1", "H2", NOW)

    after = await area_stats(areas, actor, "C1", YEAR, NOW, ZONE)
    assert after.numbers == before.numbers
    by_hamlet = {s.code: s.numbers.households for s in after.below}
    assert by_hamlet == {"H1": 0, "H2": 4}  # the merged hamlet stays in the numbers


class FailingInvites:
    """The invitations of a real unit of work, but withdrawing one fails (a lost connection)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def revoke(self, invite_id: int, now: Any) -> None:
        raise ConnectionError("lost")


async def test_a_merge_that_fails_halfway_leaves_everything_as_it_was(
    areas: SqlUnitOfWork,  # noqa: F811
    session_factory: Factory,
) -> None:
    actor = await officer(areas)
    await merge_world(areas)
    before = (await snapshot(areas), await area_rows(areas))
    areas.invites = FailingInvites(areas.invites)  # type: ignore[assignment]

    with pytest.raises(ConnectionError):
        await ha.merge_hamlets(areas, actor, "H1", "H2", NOW)
    await areas.rollback()  # as the end of the update does

    async with later_unit(session_factory) as later:
        assert (await snapshot(later), await area_rows(later)) == before
        assert await audit(later, "hamlet_merge") == []


@pytest.mark.parametrize(
    ("source", "target", "msgid"),
    [
        ("H1", "H1", ha.MSG_SAME_HAMLET),
        ("OLD", "H2", ha.MSG_RETIRED),
        ("H1", "OLD", ha.MSG_RETIRED),
    ],
)
async def test_a_merge_takes_two_different_hamlets_in_use(
    areas: SqlUnitOfWork,  # noqa: F811
    source: str,
    target: str,
    msgid: str,
) -> None:
    actor = await officer(areas)
    await ha.add_hamlet(areas, actor, "C1", "Xóm Cũ", NOW, code="OLD")
    await ha.retire_hamlet(areas, actor, "OLD", NOW)

    with pytest.raises(ServiceError) as refused:
        await ha.merge_hamlets(areas, actor, source, target, NOW)

    assert refused.value.msgid == msgid
    assert await audit(areas, "hamlet_merge") == []


async def test_a_merge_is_offered_only_into_the_communes_hamlets_in_use(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    actor = await officer(areas)
    await ha.add_hamlet(areas, actor, "C1", "Xóm Cũ", NOW, code="OLD")
    await ha.retire_hamlet(areas, actor, "OLD", NOW)

    hamlet, choices = await ha.merge_choices(areas, actor, "H1", NOW)

    assert (hamlet.code, [a.code for a in choices]) == ("H1", ["H2"])
    await ha.merge_hamlets(areas, actor, "H1", "H2", NOW)
    with pytest.raises(ServiceError) as alone:
        await ha.merge_choices(areas, actor, "H2", NOW)
    assert alone.value.msgid == ha.MSG_NO_OTHER


# --- retire and restore --------------------------------------------------------------------


async def test_a_hamlet_with_households_cannot_be_retired(areas: SqlUnitOfWork) -> None:  # noqa: F811
    actor = await officer(areas)
    await household(areas, "An", "+84912000001")
    before = await area_rows(areas)

    with pytest.raises(ServiceError) as refused:
        await ha.retire_hamlet(areas, actor, "H1", NOW)

    assert refused.value.msgid == ha.MSG_HAS_HOUSEHOLDS
    assert refused.value.params == {"name": "Thôn Đoài", "households": 1}
    assert await area_rows(areas) == before
    assert await audit(areas, "hamlet_retire") == []


async def test_a_retired_hamlet_is_no_longer_offered_but_kept_in_history_and_numbers(
    areas: SqlUnitOfWork,  # noqa: F811
    session_factory: Factory,
) -> None:
    actor = await officer(areas)
    await new_user(areas, HEAD_H2)
    await areas.invites.add("2" * 64, "H2", OFFICER_C1, NOW, NOW + timedelta(days=7))
    await areas.commit()

    done = await ha.retire_hamlet(areas, actor, "H2", NOW)

    assert (done.households, done.heads, done.invites) == (0, 1, 1)
    async with later_unit(session_factory) as later:
        assert await picker(later) == ["Thôn Đoài"]
        assert await listed(later, actor) == [("Thôn Đoài", False), ("Thôn Đông", True)]
        assert [a.code for a in await area_path(later, "H2")] == ["P1", "C1", "H2"]
        stats = await area_stats(later, actor, "C1", YEAR, NOW, ZONE)
        assert {s.code for s in stats.below} == {"H1", "H2"}
        assert await later.users.holders(Role.HAMLET_HEAD, ["H2"]) == []
        assert await later.invites.open_in(["H2"], NOW) == []
    [entry] = await audit(areas, "hamlet_retire")
    assert (entry["hamlet"], entry["heads"], entry["invites"]) == ("H2", 1, 1)


async def test_a_retired_hamlet_is_restored_from_its_card(
    areas: SqlUnitOfWork,  # noqa: F811
    session_factory: Factory,
) -> None:
    actor = await officer(areas)
    await ha.retire_hamlet(areas, actor, "H2", NOW)
    with pytest.raises(ServiceError) as again:
        await ha.retire_hamlet(areas, actor, "H2", NOW)
    assert again.value.msgid == ha.MSG_RETIRED

    restored = await ha.restore_hamlet(areas, actor, "H2", NOW)

    assert not restored.retired
    async with later_unit(session_factory) as later:
        assert await picker(later) == ["Thôn Đoài", "Thôn Đông"]
    [entry] = await audit(areas, "hamlet_restore")
    assert (entry["hamlet"], entry["actor_id"]) == ("H2", OFFICER_C1)
    with pytest.raises(ServiceError) as in_use:
        await ha.restore_hamlet(areas, actor, "H2", NOW)
    assert in_use.value.msgid == ha.MSG_NOT_RETIRED


async def test_a_retired_name_is_restored_not_added_again(areas: SqlUnitOfWork) -> None:  # noqa: F811
    actor = await officer(areas)
    await ha.retire_hamlet(areas, actor, "H2", NOW)

    with pytest.raises(ServiceError) as refused:
        await ha.add_hamlet(areas, actor, "C1", "Thôn Đông", NOW)

    assert refused.value.msgid == ha.MSG_SAME_NAME_RETIRED


async def test_a_retired_hamlets_name_is_not_given_to_another(areas: SqlUnitOfWork) -> None:  # noqa: F811
    actor = await officer(areas)
    await ha.retire_hamlet(areas, actor, "H2", NOW)

    with pytest.raises(ServiceError) as refused:
        await ha.rename_hamlet(areas, actor, "H1", "Thôn Đông", NOW)

    assert refused.value.msgid == ha.MSG_SAME_NAME_RETIRED


async def test_a_retired_hamlet_cannot_be_restored_under_a_name_taken_since(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    actor = await officer(areas)
    await ha.retire_hamlet(areas, actor, "H2", NOW)
    assert (await import_areas(areas, "code,name,level,parent_code\nH9,Thôn Đông,hamlet,C1\n")).ok

    with pytest.raises(ServiceError) as refused:
        await ha.restore_hamlet(areas, actor, "H2", NOW)

    assert refused.value.msgid == ha.MSG_SAME_NAME
    assert await listed(areas, actor) == [
        ("Thôn Đoài", False),
        ("Thôn Đông", False),
        ("Thôn Đông", True),
    ]


# --- scope ---------------------------------------------------------------------------------

Call = Callable[[SqlUnitOfWork, User], Awaitable[object]]
# each action on commune C1 or its hamlet H1
ACTIONS: dict[str, Call] = {
    "list": lambda uow, actor: ha.commune_hamlets(uow, actor, "C1", NOW),
    "card": lambda uow, actor: ha.hamlet_card(uow, actor, "H1", NOW),
    "add": lambda uow, actor: ha.add_hamlet(uow, actor, "C1", "Xóm Mới", NOW),
    "rename": lambda uow, actor: ha.rename_hamlet(uow, actor, "H1", "Xóm Mới", NOW),
    "merge_choices": lambda uow, actor: ha.merge_choices(uow, actor, "H1", NOW),
    "merge_plan": lambda uow, actor: ha.merge_plan(uow, actor, "H1", "H2", NOW),
    "merge": lambda uow, actor: ha.merge_hamlets(uow, actor, "H1", "H2", NOW),
    "retire": lambda uow, actor: ha.retire_hamlet(uow, actor, "H1", NOW),
    "restore": lambda uow, actor: ha.restore_hamlet(uow, actor, "H1", NOW),
}
# codes forged into buttons of C1's officer: another commune's, or not a hamlet at all
FORGED: dict[str, Call] = {
    "card of another commune's hamlet": lambda uow, a: ha.hamlet_card(uow, a, "H3", NOW),
    "rename a commune": lambda uow, a: ha.rename_hamlet(uow, a, "C1", "Xóm Mới", NOW),
    "retire a province": lambda uow, a: ha.retire_hamlet(uow, a, "P1", NOW),
    "restore an unknown code": lambda uow, a: ha.restore_hamlet(uow, a, "NOWHERE", NOW),
    "merge into another commune": lambda uow, a: ha.merge_hamlets(uow, a, "H1", "H3", NOW),
    "merge from another commune": lambda uow, a: ha.merge_plan(uow, a, "H3", "H1", NOW),
    "add to another commune": lambda uow, a: ha.add_hamlet(uow, a, "C2", "Xóm Mới", NOW),
}


async def refused_ones(uow: SqlUnitOfWork, actor: User, call: Call) -> list[int | None]:
    before = (await snapshot(uow), await area_rows(uow))
    with pytest.raises(NotAllowed):
        await call(uow, actor)
    assert (await snapshot(uow), await area_rows(uow)) == before
    return [e["actor_id"] for e in await audit(uow, "refused")]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", [OFFICER_C2, HEAD_H1])
async def test_only_the_communes_officers_act_on_its_hamlets(
    areas: SqlUnitOfWork,  # noqa: F811
    action: str,
    who: int,
) -> None:
    actor = await new_user(areas, who)

    assert await refused_ones(areas, actor, ACTIONS[action]) == [who]


@pytest.mark.parametrize("forged", FORGED)
async def test_a_forged_code_is_refused_and_written_down(
    areas: SqlUnitOfWork,  # noqa: F811
    forged: str,
) -> None:
    actor = await officer(areas)

    assert await refused_ones(areas, actor, FORGED[forged]) == [OFFICER_C1]


async def test_a_super_admin_may_act_anywhere_but_merges_within_one_commune(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    admin = super_admin()
    added = await ha.add_hamlet(areas, admin, "C2", "Xóm Mới", NOW)
    assert added.code == "C2-02"

    assert await refused_ones(areas, admin, FORGED["merge into another commune"]) == [ADMIN]


async def test_a_retired_hamlet_takes_no_new_family_no_resident_and_no_head(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    actor = await officer(areas)
    await ha.add_hamlet(areas, actor, "C1", "Xóm Cũ", NOW, code="OLD")
    await ha.retire_hamlet(areas, actor, "OLD", NOW)
    form = HouseholdForm("OLD", "Lê Văn Cường", "+84912000009", 3, 1, ())

    with pytest.raises(ServiceError):
        await hh.check_household_form(areas, form)
    with pytest.raises(ServiceError):
        await set_home_area(areas, actor.id, "OLD")
    with pytest.raises(ServiceError) as no_head:
        await hm.create_invite(areas, actor, "OLD", NOW)
    assert no_head.value.msgid == hm.MSG_HAMLET_RETIRED
