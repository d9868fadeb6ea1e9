"""The hamlet head's use cases on real storage: scope, invitations, claim codes, pledges at a
meeting, the household list, numbers and targets, reminders, self-assessment on behalf.

SQLite always, PostgreSQL too when HOCTAP_TEST_DATABASE_URL is set. What a later update would
see is read through a new unit of work, as the bot opens one session per update.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.hamlets import (
    CLAIM_TRIES_PER_HOUR,
    INVITE_DAYS,
    MSG_INVITE_INVALID,
    MSG_TOO_MANY_TRIES,
    PAGE_SIZE,
    ListFilter,
    Page,
)
from bot.domain.households import CODE_ALPHABET, CODE_LENGTH, HouseholdForm
from bot.domain.outbox import Priority
from bot.domain.stats import Numbers
from bot.domain.status import Status
from bot.domain.text import search_key
from bot.domain.users import Role, RoleGrant, User, with_env_admin
from bot.services import assessments as a
from bot.services import hamlets as hm
from bot.services import households as hh
from bot.services.areas import import_areas
from bot.services.errors import NotAllowed, ServiceError
from storage.outbox_models import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.test_household_services import GIA_DINH, SHIPPED, RecordingNotifier, best

Factory = async_sessionmaker[AsyncSession]
Action = Callable[[SqlUnitOfWork, User, "World"], Awaitable[object]]

NOW = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)  # 16:00 in Vietnam
LATER = NOW + timedelta(days=1)
YEAR = 2026
GIA_DINH_TITLE = "gia_dinh"
MEETING = date(2026, 3, 6)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AREAS = """code,name,level,parent_code
P1,Tỉnh Minh Họa,province,
C1,Xã Đông Hòa,commune,P1
C2,Xã Tân Lập,commune,P1
H1,Thôn Đoài,hamlet,C1
H2,Thôn Đông,hamlet,C1
H3,Thôn Tân,hamlet,C2
"""
ALICE, BOB, CAROL, DAVE = 1001, 1002, 1003, 1004
ERIC, FIONA, GUS = 1005, 1006, 1007  # reminders: two who sent /stop, one of hamlet H2
HEAD_H1, HEAD_H2, HEAD_H3 = 2001, 2002, 2003
OFFICER_C1, OFFICER_C2 = 3001, 3002
PLAIN, NEWCOMER, LATECOMER = 4001, 5001, 5002
ADMIN = 9001  # a super admin from ADMIN_IDS, never stored
GRANTS = {
    HEAD_H1: RoleGrant(Role.HAMLET_HEAD, "H1"),
    HEAD_H2: RoleGrant(Role.HAMLET_HEAD, "H2"),
    HEAD_H3: RoleGrant(Role.HAMLET_HEAD, "H3"),
    OFFICER_C1: RoleGrant(Role.COMMUNE_OFFICER, "C1"),
    OFFICER_C2: RoleGrant(Role.COMMUNE_OFFICER, "C2"),
}
PASSING = (90, True)


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
async def areas(uow: SqlUnitOfWork) -> SqlUnitOfWork:
    assert (await import_areas(uow, AREAS)).ok
    return uow


@asynccontextmanager
async def later_unit(factory: Factory) -> AsyncIterator[SqlUnitOfWork]:
    """A unit of work of a later update: it sees only what was committed."""
    async with factory() as session:
        yield SqlUnitOfWork(session)


async def new_user(
    uow: SqlUnitOfWork, user_id: int, *, consent: bool = False, language: str | None = None
) -> User:
    grants = (GRANTS[user_id],) if user_id in GRANTS else ()
    await uow.users.add(User(id=user_id, language=language, grants=grants), NOW)
    await uow.commit()
    if consent:
        await hh.record_consent(uow, user_id, NOW)
    user = await uow.users.get(user_id)
    assert user is not None
    return user


def super_admin() -> User:
    return with_env_admin(User(ADMIN), frozenset({ADMIN}))


async def household(
    uow: SqlUnitOfWork,
    name: str,
    phone: str,
    *,
    hamlet: str = "H1",
    status: Status | None = None,
    score: tuple[int, bool] = PASSING,
    account: int | None = None,
    blocked: bool = False,
) -> int:
    """A household as it stands this year, set straight in storage (no journey walked)."""
    form = HouseholdForm(hamlet, name, phone, 4, 2, ())
    made = await uow.households.add(form, await hh.free_code(uow), NOW)
    if status is not None:
        registration = await uow.registrations.add(made.id, "household", "gia_dinh", YEAR, (), NOW)
        if status != Status.REGISTERED:
            await uow.registrations.set_status(registration.id, status, NOW, score=score)
    if account is not None:
        await uow.users.add(User(id=account), NOW)
        await uow.households.link(account, made.id, NOW)
        if blocked:
            await uow.users.set_unreachable(account, NOW)
    await uow.commit()
    return made.id


async def registration_of(uow: SqlUnitOfWork, household_id: int) -> Any:
    return await uow.registrations.find(household_id, "household", "gia_dinh", YEAR)


async def audit(uow: SqlUnitOfWork, action: str) -> list[dict[str, Any]]:
    return [entry for entry in await uow.audit.entries() if entry["action"] == action]


TABLES = (
    "households",
    "household_accounts",
    "registrations",
    "registration_events",
    "invites",
    "user_roles",
    "reminders_sent",
    "outbox",
    "users",
)


async def snapshot(uow: SqlUnitOfWork) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a hamlet action could write, but the audit log's."""
    return {
        table: [
            tuple(row)
            for row in await uow.session.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
        ]
        for table in TABLES
    }


def names(page: Page) -> list[str | None]:
    return [line.head_name for line in page.lines]


# --- scope: every action, every kind of actor ----------------------------------------------


@dataclass(frozen=True)
class World:
    """What the scope table acts on: all of it in hamlet H1 of commune C1."""

    household: int  # self-assessed this year, ALICE's
    assessed: int  # its registration
    verified: int  # another household's registration, verified by the head
    unregistered: int
    invite: int  # open, to head H1, from the commune's officer


@pytest.fixture
async def world(areas: SqlUnitOfWork) -> World:
    for user_id in (*GRANTS, PLAIN):
        await new_user(areas, user_id)
    family = await household(
        areas, "Nguyễn Văn An", "+84912000001", status=Status.SELF_ASSESSED, account=ALICE
    )
    verified = await household(areas, "Trần Thị Bình", "+84912000002", status=Status.VERIFIED)
    unregistered = await household(areas, "Lê Văn Cường", "+84912000003")
    invite = await areas.invites.add("0" * 64, "H1", OFFICER_C1, NOW, NOW + timedelta(days=7))
    await areas.commit()
    assessed, confirmed = (
        await registration_of(areas, family),
        await registration_of(areas, verified),
    )
    return World(family, assessed.id, confirmed.id, unregistered, invite.id)


def proxy_form(hamlet: str = "H1", phone: str = "+84987000111") -> HouseholdForm:
    return HouseholdForm(hamlet, "Lê Thị Cúc", phone, 3, 1, ("school",))


HEADS, OFFICERS = frozenset({"head", "officer", "admin"}), frozenset({"officer", "admin"})

# action -> (the kinds of actor it is for, the call on hamlet H1 / commune C1)
ACTIONS: dict[str, tuple[frozenset[str], Action]] = {
    "create_invite": (OFFICERS, lambda uow, actor, w: hm.create_invite(uow, actor, "H1", NOW)),
    "open_invites": (OFFICERS, lambda uow, actor, w: hm.open_invites(uow, actor, "C1", NOW)),
    "revoke_invite": (
        OFFICERS,
        lambda uow, actor, w: hm.revoke_invite(uow, actor, w.invite, NOW),
    ),
    "hamlet_heads": (OFFICERS, lambda uow, actor, w: hm.hamlet_heads(uow, actor, "C1", NOW)),
    "remove_hamlet_head": (
        OFFICERS,
        lambda uow, actor, w: hm.remove_hamlet_head(uow, actor, HEAD_H1, "H1", NOW),
    ),
    "household_page": (
        HEADS,
        lambda uow, actor, w: hm.household_page(uow, actor, "H1", YEAR, NOW),
    ),
    "household_card": (
        HEADS,
        lambda uow, actor, w: hm.household_card(uow, actor, w.household, NOW),
    ),
    "register_by_proxy": (
        HEADS,
        lambda uow, actor, w: hm.register_by_proxy(
            uow, actor, proxy_form(), NOW, year=YEAR, now=NOW
        ),
    ),
    "collect_pledges": (
        HEADS,
        lambda uow, actor, w: hm.collect_pledges(
            uow, actor, "H1", [w.unregistered], MEETING, year=YEAR, now=NOW
        ),
    ),
    "to_verify": (HEADS, lambda uow, actor, w: hm.to_verify(uow, actor, "H1", YEAR, NOW)),
    "to_pledge": (HEADS, lambda uow, actor, w: hm.to_pledge(uow, actor, "H1", YEAR, NOW)),
    "hamlet_numbers": (
        HEADS,
        lambda uow, actor, w: hm.hamlet_numbers(uow, actor, "H1", YEAR, NOW),
    ),
    "remind_pending": (
        HEADS,
        lambda uow, actor, w: hm.remind_pending(
            uow, RecordingComposer(), actor, "H1", YEAR, NOW, ZONE
        ),
    ),
    "decide_verified": (
        HEADS,
        lambda uow, actor, w: a.decide(
            uow, RecordingNotifier(), actor, w.assessed, Status.VERIFIED, NOW
        ),
    ),
    "decide_returned": (
        HEADS,
        lambda uow, actor, w: a.decide(
            uow, RecordingNotifier(), actor, w.assessed, Status.RETURNED, NOW, comment="?"
        ),
    ),
    "decide_recognised": (
        OFFICERS,
        lambda uow, actor, w: a.decide(
            uow, RecordingNotifier(), actor, w.verified, Status.RECOGNISED, NOW
        ),
    ),
    "decide_not_recognised": (
        OFFICERS,
        lambda uow, actor, w: a.decide(
            uow, RecordingNotifier(), actor, w.verified, Status.NOT_RECOGNISED, NOW
        ),
    ),
}

# who -> (user id, kind): the kind says which actions they may take on H1
ACTORS = {
    "head-of-the-hamlet": (HEAD_H1, "head"),
    "head-of-another-hamlet": (HEAD_H2, ""),
    "officer-of-the-commune": (OFFICER_C1, "officer"),
    "officer-of-another-commune": (OFFICER_C2, ""),
    "super-admin": (ADMIN, "admin"),
    "plain-user": (PLAIN, ""),
    "the-family-itself": (ALICE, ""),
}


async def actor_named(uow: SqlUnitOfWork, who: str) -> User:
    user_id, _ = ACTORS[who]
    if user_id == ADMIN:
        return super_admin()
    user = await uow.users.get(user_id)
    assert user is not None
    return user


CASES = [(who, action) for who in ACTORS for action in ACTIONS]
ALLOWED = [(who, action) for who, action in CASES if ACTORS[who][1] in ACTIONS[action][0]]
REFUSED = [case for case in CASES if case not in ALLOWED]


@pytest.mark.parametrize(("who", "action"), ALLOWED)
async def test_an_actor_over_the_hamlet_may_act_on_it(
    areas: SqlUnitOfWork, world: World, who: str, action: str
) -> None:
    actor = await actor_named(areas, who)

    await ACTIONS[action][1](areas, actor, world)

    assert await audit(areas, "refused") == []


@pytest.mark.parametrize(("who", "action"), REFUSED)
async def test_an_actor_outside_the_hamlet_is_refused_and_it_is_written_down(
    areas: SqlUnitOfWork, world: World, who: str, action: str
) -> None:
    actor = await actor_named(areas, who)
    before = await snapshot(areas)

    with pytest.raises(NotAllowed):
        await ACTIONS[action][1](areas, actor, world)

    refused = await audit(areas, "refused")
    assert [(e["actor_id"], bool(e["attempted"])) for e in refused] == [(actor.id, True)]
    assert await snapshot(areas) == before


# a commune's code where a hamlet's is expected, and the other way round
WRONG_LEVEL: dict[str, Callable[[SqlUnitOfWork, User], Awaitable[object]]] = {
    "household_page": lambda uow, actor: hm.household_page(uow, actor, "C1", YEAR, NOW),
    "to_verify": lambda uow, actor: hm.to_verify(uow, actor, "C1", YEAR, NOW),
    "hamlet_numbers": lambda uow, actor: hm.hamlet_numbers(uow, actor, "C1", YEAR, NOW),
    "create_invite": lambda uow, actor: hm.create_invite(uow, actor, "C1", NOW),
    "register_by_proxy": lambda uow, actor: hm.register_by_proxy(
        uow, actor, proxy_form("C1"), NOW, year=YEAR, now=NOW
    ),
    "collect_pledges": lambda uow, actor: hm.collect_pledges(
        uow, actor, "C1", [], MEETING, year=YEAR, now=NOW
    ),
    "remind_pending": lambda uow, actor: hm.remind_pending(
        uow, RecordingComposer(), actor, "C1", YEAR, NOW, ZONE
    ),
    "remove_hamlet_head": lambda uow, actor: hm.remove_hamlet_head(uow, actor, HEAD_H1, "C1", NOW),
    "open_invites-of-a-hamlet": lambda uow, actor: hm.open_invites(uow, actor, "H1", NOW),
    "hamlet_heads-of-a-hamlet": lambda uow, actor: hm.hamlet_heads(uow, actor, "H1", NOW),
}


@pytest.mark.parametrize("action", WRONG_LEVEL)
async def test_a_forged_area_code_of_the_wrong_level_is_refused(
    areas: SqlUnitOfWork, action: str
) -> None:
    officer = await new_user(areas, OFFICER_C1)  # oversees C1 and all its hamlets
    before = await snapshot(areas)

    with pytest.raises(NotAllowed):
        await WRONG_LEVEL[action](areas, officer)

    assert [e["actor_id"] for e in await audit(areas, "refused")] == [OFFICER_C1]
    assert await snapshot(areas) == before


@pytest.mark.parametrize("code", ["NOWHERE", "P1", ""])
async def test_even_a_super_admin_cannot_list_a_place_that_is_no_hamlet(
    areas: SqlUnitOfWork, code: str
) -> None:
    with pytest.raises(NotAllowed):
        await hm.household_page(areas, super_admin(), code, YEAR, NOW)

    assert [e["actor_id"] for e in await audit(areas, "refused")] == [ADMIN]


async def test_a_forged_household_id_that_does_not_exist_is_refused(areas: SqlUnitOfWork) -> None:
    head = await new_user(areas, HEAD_H1)

    with pytest.raises(NotAllowed):
        await hm.household_card(areas, head, 424242, NOW)

    assert [(e["actor_id"], e["household_id"]) for e in await audit(areas, "refused")] == [
        (HEAD_H1, 424242)
    ]


async def test_a_head_cannot_decide_on_a_registration_of_another_hamlet(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    head = await new_user(areas, HEAD_H1)
    theirs = await household(areas, "Đỗ Văn Đông", "+84912000009", hamlet="H2", account=BOB)
    await areas.registrations.add(theirs, "household", "gia_dinh", YEAR, (), NOW)
    registration = await registration_of(areas, theirs)
    await areas.registrations.set_status(registration.id, Status.SELF_ASSESSED, NOW)
    await areas.commit()
    notifier = RecordingNotifier()

    with pytest.raises(NotAllowed):
        await a.decide(areas, notifier, head, registration.id, Status.VERIFIED, NOW)

    async with later_unit(session_factory) as later:
        assert (await registration_of(later, theirs)).status == Status.SELF_ASSESSED
    assert notifier.sent == []
    assert [(e["actor_id"], e["household_id"]) for e in await audit(areas, "refused")] == [
        (HEAD_H1, theirs)
    ]


async def test_a_decision_on_a_registration_that_does_not_exist_changes_nothing(
    areas: SqlUnitOfWork,
) -> None:
    head = await new_user(areas, HEAD_H1)

    with pytest.raises(ServiceError):
        await a.decide(areas, RecordingNotifier(), head, 424242, Status.VERIFIED, NOW)


def test_the_hamlet_menu_opens_for_the_hamlets_a_user_heads() -> None:
    head = User(HEAD_H1, grants=(GRANTS[HEAD_H1], GRANTS[OFFICER_C1], GRANTS[HEAD_H2]))

    assert hm.hamlets_of(head) == ["H1", "H2"]
    assert hm.hamlets_of(super_admin()) == []


# --- invitations ---------------------------------------------------------------------------


async def officer_and_invite(
    uow: SqlUnitOfWork, *, days: int | None = None, language: str | None = None
) -> tuple[User, hm.NewInvite]:
    officer = await uow.users.get(OFFICER_C1) or await new_user(uow, OFFICER_C1, language=language)
    return officer, await hm.create_invite(uow, officer, "H1", NOW, days)


async def test_an_invitation_stores_only_the_hash_of_its_token(areas: SqlUnitOfWork) -> None:
    _, new = await officer_and_invite(areas)

    result = await areas.session.execute(text("SELECT * FROM invites"))
    stored = [dict(row._mapping) for row in result]

    assert len(stored) == 1
    assert stored[0]["token_hash"] == hashlib.sha256(new.token.encode()).hexdigest()
    assert all(new.token not in str(value) for value in stored[0].values())
    assert new.invite.expires_at == NOW + timedelta(days=INVITE_DAYS)
    assert [e["actor_id"] for e in await audit(areas, "invite")] == [OFFICER_C1]
    assert new.token not in repr(await areas.audit.entries())


async def test_an_accepted_invitation_makes_a_hamlet_head_and_tells_the_officer(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, new = await officer_and_invite(areas, language="en")
    await new_user(areas, NEWCOMER)
    notifier = RecordingNotifier()

    await hm.accept_invite(areas, notifier, NEWCOMER, new.token, LATER)

    async with later_unit(session_factory) as later:
        head = await later.users.get(NEWCOMER)
        assert head is not None
        assert hm.hamlets_of(head) == ["H1"]
        assert (await later.invites.get(new.invite.id)).used_by == NEWCOMER  # type: ignore[union-attr]
    assert notifier.sent == [(OFFICER_C1, "en", hm.MSG_HEAD_APPOINTED, {"hamlet": "Thôn Đoài"})]
    assert [e["actor_id"] for e in await audit(areas, "head_appointed")] == [NEWCOMER]


async def used(uow: SqlUnitOfWork, new: hm.NewInvite) -> tuple[str, datetime]:
    await new_user(uow, NEWCOMER)
    await hm.accept_invite(uow, RecordingNotifier(), NEWCOMER, new.token, NOW)
    return new.token, LATER


async def expired(uow: SqlUnitOfWork, new: hm.NewInvite) -> tuple[str, datetime]:
    return new.token, new.invite.expires_at


async def revoked(uow: SqlUnitOfWork, new: hm.NewInvite) -> tuple[str, datetime]:
    officer = await uow.users.get(OFFICER_C1)
    assert officer is not None
    await hm.revoke_invite(uow, officer, new.invite.id, NOW)
    return new.token, LATER


async def wrong(uow: SqlUnitOfWork, new: hm.NewInvite) -> tuple[str, datetime]:
    return new.token[::-1], LATER


@pytest.mark.parametrize("spoil", [used, expired, revoked, wrong])
async def test_a_used_expired_revoked_or_wrong_invitation_tells_nothing_and_grants_nothing(
    areas: SqlUnitOfWork,
    session_factory: Factory,
    spoil: Callable[[SqlUnitOfWork, hm.NewInvite], Awaitable[tuple[str, datetime]]],
) -> None:
    _, new = await officer_and_invite(areas)
    token, when = await spoil(areas, new)
    await new_user(areas, LATECOMER)
    notifier = RecordingNotifier()

    with pytest.raises(ServiceError) as seen:
        await hm.invite_for(areas, token, when)
    with pytest.raises(ServiceError) as refused:
        await hm.accept_invite(areas, notifier, LATECOMER, token, when)

    assert (seen.value.msgid, seen.value.params) == (MSG_INVITE_INVALID, {})
    assert (refused.value.msgid, refused.value.params) == (MSG_INVITE_INVALID, {})
    assert notifier.sent == []
    async with later_unit(session_factory) as later:
        assert hm.hamlets_of(await later.users.get(LATECOMER)) == []  # type: ignore[arg-type]


async def test_an_invitation_works_until_it_expires(areas: SqlUnitOfWork) -> None:
    _, new = await officer_and_invite(areas, days=2)
    await new_user(areas, NEWCOMER)

    just_before = new.invite.expires_at - timedelta(seconds=1)
    invite = await hm.accept_invite(areas, RecordingNotifier(), NEWCOMER, new.token, just_before)

    assert invite.id == new.invite.id


async def test_open_invitations_lists_only_the_communes_open_ones(areas: SqlUnitOfWork) -> None:
    officer, kept = await officer_and_invite(areas)
    _, taken = await officer_and_invite(areas)
    _, withdrawn = await officer_and_invite(areas)
    await officer_and_invite(areas, days=1)  # expires before the listing
    await new_user(areas, NEWCOMER)
    await hm.accept_invite(areas, RecordingNotifier(), NEWCOMER, taken.token, NOW)
    await hm.revoke_invite(areas, officer, withdrawn.invite.id, NOW)
    other = await new_user(areas, OFFICER_C2)
    await hm.create_invite(areas, other, "H3", NOW)

    listed = await hm.open_invites(areas, officer, "C1", NOW + timedelta(days=2))

    assert [invite.id for invite in listed] == [kept.invite.id]
    assert [i.hamlet_code for i in await hm.open_invites(areas, other, "C2", NOW)] == ["H3"]


async def test_a_forged_invitation_id_revokes_nothing(areas: SqlUnitOfWork) -> None:
    officer, new = await officer_and_invite(areas)

    with pytest.raises(ServiceError):
        await hm.revoke_invite(areas, officer, new.invite.id + 100, NOW)

    assert (await hm.invite_for(areas, new.token, NOW)).id == new.invite.id


async def test_the_officer_lists_and_removes_the_communes_hamlet_heads(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    officer = await new_user(areas, OFFICER_C1)
    for head in (HEAD_H1, HEAD_H2, HEAD_H3):
        await new_user(areas, head)

    assert await hm.hamlet_heads(areas, officer, "C1", NOW) == [(HEAD_H1, "H1"), (HEAD_H2, "H2")]
    await hm.remove_hamlet_head(areas, officer, HEAD_H1, "H1", NOW)

    async with later_unit(session_factory) as later:
        assert await hm.hamlet_heads(later, officer, "C1", NOW) == [(HEAD_H2, "H2")]
        assert hm.hamlets_of(await later.users.get(HEAD_H1)) == []  # type: ignore[arg-type]
    assert [e["actor_id"] for e in await audit(areas, "head_removed")] == [OFFICER_C1]
    with pytest.raises(ServiceError):
        await hm.remove_hamlet_head(areas, officer, HEAD_H1, "H1", NOW)
    with pytest.raises(ServiceError):
        await hm.remove_hamlet_head(areas, officer, HEAD_H2, "H1", NOW)  # heads H2, not H1


# --- registration by proxy and claim codes -------------------------------------------------


async def by_proxy(uow: SqlUnitOfWork) -> tuple[User, int, str]:
    head = await new_user(uow, HEAD_H1)
    made, _ = await hm.register_by_proxy(
        uow, head, proxy_form(), NOW - timedelta(hours=1), year=YEAR, now=NOW
    )
    assert made.claim_code is not None
    return head, made.id, made.claim_code


async def test_a_head_registers_a_family_without_a_phone_and_gets_a_claim_code(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, household_id, code = await by_proxy(areas)

    assert len(code) == CODE_LENGTH
    assert set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("0O1I")
    async with later_unit(session_factory) as later:
        made = await later.households.get(household_id)
        assert made is not None
        assert (made.claim_code, made.consent_by) == (code, HEAD_H1)
        assert made.consent_at == NOW - timedelta(hours=1)
        assert made.code != code
        assert await later.households.accounts(household_id) == []
        registration = await registration_of(later, household_id)
        assert (registration.status, registration.commitments) == (Status.REGISTERED, ("school",))
    assert [(e["actor_id"], e["household_id"]) for e in await audit(areas, "register_proxy")] == [
        (HEAD_H1, household_id)
    ]


async def test_the_family_claims_its_household_once_with_the_code(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, household_id, code = await by_proxy(areas)
    await new_user(areas, ALICE, consent=True)
    await new_user(areas, BOB, consent=True)

    claimed = await hh.link_account(areas, ALICE, code, LATER)
    with pytest.raises(ServiceError) as again:
        await hh.link_account(areas, BOB, code, LATER)

    assert claimed.id == household_id
    assert again.value.msgid == hh.MSG_WRONG_CODE
    async with later_unit(session_factory) as later:
        assert (await later.households.get(household_id)).claim_code is None  # type: ignore[union-attr]
        assert await later.households.accounts(household_id) == [ALICE]
        assert (await later.users.get(ALICE)).area_code == "H1"  # type: ignore[union-attr]
        assert await later.households.of_user(BOB) is None
    assert [e["actor_id"] for e in await audit(areas, "code_wrong")] == [BOB]


async def test_too_many_wrong_codes_lock_claiming_for_an_hour(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, household_id, code = await by_proxy(areas)
    await new_user(areas, BOB, consent=True)
    for minute in range(CLAIM_TRIES_PER_HOUR):  # 0, O, 1, I are in no code
        with pytest.raises(ServiceError) as wrong_code:
            await hh.link_account(areas, BOB, f"O0I1{minute:02d}", NOW + timedelta(minutes=minute))
        assert wrong_code.value.msgid == hh.MSG_WRONG_CODE

    for minute in (CLAIM_TRIES_PER_HOUR, 59):
        with pytest.raises(ServiceError) as locked:
            await hh.link_account(areas, BOB, code, NOW + timedelta(minutes=minute))
        assert locked.value.msgid == MSG_TOO_MANY_TRIES
    async with later_unit(session_factory) as later:
        assert (await later.households.get(household_id)).claim_code == code  # type: ignore[union-attr]

    an_hour_after = NOW + timedelta(hours=1, minutes=CLAIM_TRIES_PER_HOUR - 1)
    claimed = await hh.link_account(areas, BOB, code, an_hour_after)

    assert claimed.id == household_id


# --- pledges at a meeting ------------------------------------------------------------------


async def test_pledges_at_a_meeting_register_the_households_not_yet_registered(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    head = await new_user(areas, HEAD_H1)
    first = await household(areas, "Nguyễn Văn An", "+84912000001")
    second = await household(areas, "Trần Thị Bình", "+84912000002")
    already = await household(areas, "Lê Văn Cường", "+84912000003", status=Status.REGISTERED)

    report = await hm.collect_pledges(
        areas, head, "H1", [first, second, already, first], MEETING, year=YEAR, now=NOW
    )

    assert report == hm.PledgeReport(recorded=2, already=1)
    async with later_unit(session_factory) as later:
        for pledged in (first, second):
            registration = await registration_of(later, pledged)
            assert (registration.status, registration.pledged_on, registration.recorded_by) == (
                Status.REGISTERED,
                MEETING,
                HEAD_H1,
            )
        registration = await registration_of(later, already)
        assert (registration.pledged_on, registration.recorded_by) == (None, None)
    pledges = await audit(areas, "pledge_meeting")
    assert sorted((e["household_id"], e["actor_id"]) for e in pledges) == [
        (first, HEAD_H1),
        (second, HEAD_H1),
    ]


@pytest.mark.parametrize("stranger", ["another-hamlet", "no-such-household"])
async def test_pledges_with_one_household_from_elsewhere_record_nothing(
    areas: SqlUnitOfWork, session_factory: Factory, stranger: str
) -> None:
    head = await new_user(areas, HEAD_H1)
    ours = await household(areas, "Nguyễn Văn An", "+84912000001")
    theirs = (
        await household(areas, "Đỗ Văn Đông", "+84912000009", hamlet="H2")
        if stranger == "another-hamlet"
        else 424242
    )
    before = await snapshot(areas)

    with pytest.raises(NotAllowed):
        await hm.collect_pledges(areas, head, "H1", [ours, theirs], MEETING, year=YEAR, now=NOW)

    async with later_unit(session_factory) as later:
        assert await snapshot(later) == before
    assert [(e["actor_id"], e["household_id"]) for e in await audit(areas, "refused")] == [
        (HEAD_H1, theirs)
    ]
    assert await audit(areas, "pledge_meeting") == []


# --- what the head sees: to verify, numbers, targets ---------------------------------------


async def test_to_verify_lists_the_hamlets_self_assessed_households(areas: SqlUnitOfWork) -> None:
    head = await new_user(areas, HEAD_H1)
    waiting = await household(areas, "Nguyễn Văn An", "+84912000001", status=Status.SELF_ASSESSED)
    await household(areas, "Trần Thị Bình", "+84912000002", status=Status.REGISTERED)
    await household(areas, "Lê Văn Cường", "+84912000003", status=Status.VERIFIED)
    await household(areas, "Đỗ Văn Đông", "+84912000009", hamlet="H2", status=Status.SELF_ASSESSED)

    lines = await hm.to_verify(areas, head, "H1", YEAR, NOW)

    assert [(line.id, line.status) for line in lines] == [(waiting, Status.SELF_ASSESSED)]
    assert lines[0].registration_id is not None


async def numbered_hamlet(uow: SqlUnitOfWork) -> User:
    """Eleven households in H1 at every step (three on Telegram), three in H2."""
    rows: list[tuple[Status | None, bool, int | None]] = [
        (None, False, ALICE),
        (None, False, None),
        (Status.REGISTERED, False, BOB),
        (Status.REGISTERED, False, None),
        (Status.SELF_ASSESSED, True, CAROL),
        (Status.SELF_ASSESSED, False, None),
        (Status.RETURNED, True, None),
        (Status.VERIFIED, True, None),
        (Status.RECOGNISED, True, None),
        (Status.RECOGNISED, True, None),
        (Status.NOT_RECOGNISED, True, None),
    ]
    for index, (status, passed, account) in enumerate(rows):
        await household(
            uow,
            f"Hộ {index}",
            f"+8491200{index:04d}",
            status=status,
            score=(90 if passed else 40, passed),
            account=account,
        )
    for index in range(3):
        await household(
            uow, f"Hộ {index}", f"+8491200{index:04d}", hamlet="H2", status=Status.RECOGNISED
        )
    return await new_user(uow, HEAD_H1)


async def test_the_numbers_count_each_household_at_every_step_it_passed(
    areas: SqlUnitOfWork,
) -> None:
    head = await numbered_hamlet(areas)

    numbers = await hm.hamlet_numbers(areas, head, "H1", YEAR, NOW)

    assert numbers == hm.HamletNumbers(
        Numbers(
            households=11,
            registered=9,
            self_assessed=7,
            passed=6,
            verified=4,
            recognised=2,
            unreachable=8,
        ),
        target=70,  # the national one: no area set its own
        missing=6,  # 8 of 11, 2 so far
    )


@pytest.mark.parametrize(
    ("targets", "target", "missing"),
    [
        pytest.param({"C1": 50}, 50, 4, id="the-communes-inherited"),  # 6 of 11, 2 so far
        pytest.param({"C1": 50, "H1": 20}, 20, 1, id="the-hamlets-own-first"),  # 3 of 11
        pytest.param({"C1": 10}, 10, 0, id="reached"),
        pytest.param({"C2": 50, "H2": 90}, 70, 6, id="elsewhere-only-the-national"),
    ],
)
async def test_the_target_says_how_many_more_households_to_recognise(
    areas: SqlUnitOfWork, targets: dict[str, int], target: int | None, missing: int | None
) -> None:
    head = await numbered_hamlet(areas)
    for code, percent in targets.items():
        await areas.targets.set(code, "gia_dinh", YEAR, percent)
    await areas.targets.set("C1", "gia_dinh", YEAR + 1, 100)  # another year's
    await areas.commit()

    numbers = await hm.hamlet_numbers(areas, head, "H1", YEAR, NOW)

    assert (numbers.target, numbers.missing) == (target, missing)


# --- reminders -----------------------------------------------------------------------------


class RecordingComposer:
    """Writes `[locale] msgid` with the params filled in, and counts the sender's wake-ups."""

    def __init__(self) -> None:
        self.wakes = 0

    def compose(self, locale: str, msgid: str, params: dict[str, Any]) -> str:
        return f"[{locale}] {msgid.format(**params)}"

    def wake(self) -> None:
        self.wakes += 1


async def outbox(factory: Factory) -> list[tuple[int, str, int, str, str | None]]:
    """(chat id, text, priority, state, reminder) of every committed outbox message."""
    async with later_unit(factory) as later:
        rows = await later.session.execute(
            select(
                OutboxRow.chat_id,
                OutboxRow.text,
                OutboxRow.priority,
                OutboxRow.state,
                OutboxRow.reminder,
            ).order_by(OutboxRow.chat_id, OutboxRow.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


@dataclass(frozen=True)
class Pending:
    unregistered: int  # ALICE's phone, and ERIC's, who sent /stop
    blocked: int  # registered; BOB blocked the bot
    returned: int  # DAVE's phone, in English
    offline: int  # no phone linked
    stopped: int  # FIONA's phone; she sent /stop
    assessed: int  # CAROL's phone: nothing to remind


async def pending_hamlet(uow: SqlUnitOfWork) -> Pending:
    await household(uow, "Đỗ Văn Đông", "+84912000009", hamlet="H2", account=GUS)
    pending = Pending(
        await household(uow, "Nguyễn Văn An", "+84912000001", account=ALICE),
        await household(
            uow,
            "Trần Thị Bình",
            "+84912000002",
            status=Status.REGISTERED,
            account=BOB,
            blocked=True,
        ),
        await household(
            uow, "Phạm Văn Dũng", "+84912000004", status=Status.RETURNED, account=DAVE
        ),
        await household(uow, "Vũ Thị Giang", "+84912000005"),
        await household(uow, "Hồ Thị Phương", "+84912000006", account=FIONA),
        await household(
            uow, "Lê Văn Cường", "+84912000003", status=Status.SELF_ASSESSED, account=CAROL
        ),
    )
    await uow.users.add(User(id=ERIC), NOW)
    await uow.households.link(ERIC, pending.unregistered, NOW)
    for user_id in (ERIC, FIONA):
        await uow.users.set_muted(user_id, NOW)
    await uow.users.set_language(DAVE, "en")
    await uow.commit()
    return pending


async def test_reminders_are_queued_in_each_language_and_the_rest_listed_to_visit(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    hamlet = await pending_hamlet(areas)
    head = await new_user(areas, HEAD_H1)
    composer = RecordingComposer()

    report = await hm.remind_pending(areas, composer, head, "H1", YEAR, NOW, ZONE)

    reminder = hm.MSG_REMINDER.format(year=YEAR)
    assert await outbox(session_factory) == [
        (ALICE, f"[vi] {reminder}", Priority.BULK, "queued", "hamlet_remind"),
        (DAVE, f"[en] {reminder}", Priority.BULK, "queued", "hamlet_remind"),
    ]
    assert (report.queued, report.already_today) == (2, 0)
    assert sorted(line.id for line in report.unreachable) == sorted(
        [hamlet.blocked, hamlet.offline, hamlet.stopped]
    )
    assert composer.wakes == 1
    assert [(e["hamlet"], e["sent"]) for e in await audit(areas, "remind")] == [("H1", 2)]


async def test_a_household_is_reminded_at_most_once_a_day_in_vietnam(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    await pending_hamlet(areas)
    head = await new_user(areas, HEAD_H1)
    composer = RecordingComposer()
    await hm.remind_pending(areas, composer, head, "H1", YEAR, NOW, ZONE)

    evening = NOW + timedelta(hours=6)  # 22:00 in Vietnam, the same day
    again = await hm.remind_pending(areas, composer, head, "H1", YEAR, evening, ZONE)
    after_midnight = NOW + timedelta(hours=8)  # 00:00 in Vietnam, 17:00 the same day in UTC
    next_day = await hm.remind_pending(areas, composer, head, "H1", YEAR, after_midnight, ZONE)

    assert (again.queued, again.already_today, again.unreachable) == (0, 5, ())
    assert (next_day.queued, next_day.already_today, len(next_day.unreachable)) == (2, 0, 3)
    assert [row[0] for row in await outbox(session_factory)] == [ALICE, ALICE, DAVE, DAVE]
    assert composer.wakes == 2  # nothing new to send in the evening


# --- the household list --------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    head: User
    ids: frozenset[int]  # every household of H1


# name -> (status this year, account: None none, False reachable, True blocked)
HAMLET_H1: dict[str, tuple[Status | None, bool | None]] = {
    "Nguyễn Văn An": (None, False),
    "Trần Thị Bình": (Status.REGISTERED, False),
    "Lê Văn Cúc": (Status.SELF_ASSESSED, False),
    "Phạm Dũng": (Status.VERIFIED, False),
    "Đỗ Thị Đào": (Status.RETURNED, False),
    "Nguyễn Thị Giang": (Status.RECOGNISED, False),
    "Hoàng Văn Hà": (Status.NOT_RECOGNISED, False),
    "Vũ Khánh": (None, None),
    "Bùi Thị Mai": (Status.REGISTERED, True),
}
AN_PHONE = "+84912345678"


@pytest.fixture
async def listed(areas: SqlUnitOfWork) -> Listed:
    ids = set()
    for index, (name, (status, blocked)) in enumerate(HAMLET_H1.items()):
        phone = AN_PHONE if index == 0 else f"+8498765430{index}"
        account = None if blocked is None else 7000 + index
        ids.add(
            await household(
                areas, name, phone, status=status, account=account, blocked=bool(blocked)
            )
        )
    await household(areas, "Nguyễn Văn Nam", "+84912345679", hamlet="H2", account=7100)
    await household(areas, "Nguyễn Văn Ninh", "+84912345670", hamlet="H3")
    return Listed(await new_user(areas, HEAD_H1), frozenset(ids))


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        (ListFilter.ALL, sorted(HAMLET_H1, key=lambda name: search_key(name))),
        (ListFilter.NOT_REGISTERED, ["Nguyễn Văn An", "Vũ Khánh"]),
        (ListFilter.REGISTERED, ["Bùi Thị Mai", "Trần Thị Bình"]),
        (ListFilter.SELF_ASSESSED, ["Lê Văn Cúc"]),
        (ListFilter.VERIFIED, ["Phạm Dũng"]),
        (ListFilter.RETURNED, ["Đỗ Thị Đào"]),
        (ListFilter.RECOGNISED, ["Hoàng Văn Hà", "Nguyễn Thị Giang"]),  # the commune decided
        (ListFilter.UNREACHABLE, ["Bùi Thị Mai", "Vũ Khánh"]),
    ],
    ids=lambda value: value.value if isinstance(value, ListFilter) else "",
)
async def test_the_list_filters_by_step_and_by_reach(
    listed: Listed, areas: SqlUnitOfWork, which: ListFilter, expected: list[str]
) -> None:
    page = await hm.household_page(areas, listed.head, "H1", YEAR, NOW, which=which)

    assert names(page) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("nguyen", ["Nguyễn Thị Giang", "Nguyễn Văn An"], id="without-diacritics"),
        pytest.param("NGUYỄN", ["Nguyễn Thị Giang", "Nguyễn Văn An"], id="with-diacritics"),
        pytest.param("  dao ", ["Đỗ Thị Đào"], id="d-for-đ-and-spaces"),
        pytest.param("thi b", ["Trần Thị Bình"], id="across-words"),
        pytest.param("0912", ["Nguyễn Văn An"], id="phone-from-0"),
        pytest.param("+84 912 345", ["Nguyễn Văn An"], id="phone-international"),
        pytest.param("345678", ["Nguyễn Văn An"], id="phone-end"),
        pytest.param("Nam", [], id="another-hamlets-name"),
        pytest.param("%", [], id="no-wildcard"),
        pytest.param("_", [], id="no-single-wildcard"),
        pytest.param("", sorted(HAMLET_H1, key=lambda name: search_key(name)), id="empty"),
    ],
)
async def test_search_finds_by_name_without_diacritics_or_by_phone(
    listed: Listed, areas: SqlUnitOfWork, query: str, expected: list[str]
) -> None:
    page = await hm.household_page(areas, listed.head, "H1", YEAR, NOW, query=query)

    assert names(page) == expected


async def test_search_and_filter_narrow_together(listed: Listed, areas: SqlUnitOfWork) -> None:
    page = await hm.household_page(
        areas, listed.head, "H1", YEAR, NOW, which=ListFilter.NOT_REGISTERED, query="nguyen"
    )

    assert names(page) == ["Nguyễn Văn An"]
    assert page.lines[0].phone == AN_PHONE
    assert (page.lines[0].status, page.lines[0].reachable) == (None, True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(max_size=100), number=st.integers(-5, 5))
async def test_search_never_fails_nor_leaves_the_hamlet(
    listed: Listed, areas: SqlUnitOfWork, query: str, number: int
) -> None:
    page = await hm.household_page(areas, listed.head, "H1", YEAR, NOW, query=query, number=number)

    assert {line.id for line in page.lines} <= listed.ids
    assert len(page.lines) <= min(PAGE_SIZE, page.total)
    assert 0 <= page.number < page.pages


async def test_the_list_goes_by_pages_of_ten_and_clamps_a_page_past_the_end(
    areas: SqlUnitOfWork,
) -> None:
    head = await new_user(areas, HEAD_H1)
    for index in range(23):
        await household(areas, f"Hộ {index + 1:02d}", f"+849120000{index:02d}")

    first = await hm.household_page(areas, head, "H1", YEAR, NOW)
    last = await hm.household_page(areas, head, "H1", YEAR, NOW, number=2)
    beyond = await hm.household_page(areas, head, "H1", YEAR, NOW, number=9)
    before = await hm.household_page(areas, head, "H1", YEAR, NOW, number=-1)

    assert names(first) == [f"Hộ {n:02d}" for n in range(1, 11)]
    assert (first.total, first.pages, first.number) == (23, 3, 0)
    assert names(last) == ["Hộ 21", "Hộ 22", "Hộ 23"]
    assert (beyond.number, beyond.lines) == (2, last.lines)
    assert (before.number, before.lines) == (0, first.lines)


async def test_an_empty_list_has_one_empty_page(areas: SqlUnitOfWork) -> None:
    head = await new_user(areas, HEAD_H1)

    page = await hm.household_page(areas, head, "H1", YEAR, NOW, number=3)

    assert (page.lines, page.total, page.number, page.pages) == ((), 0, 0, 1)


async def test_the_card_shows_the_household_its_pledges_and_linked_phones(
    listed: Listed, areas: SqlUnitOfWork
) -> None:
    an = (await hm.household_page(areas, listed.head, "H1", YEAR, NOW, query=AN_PHONE)).lines[0]
    binh = (await hm.household_page(areas, listed.head, "H1", YEAR, NOW, query="binh")).lines[0]

    card_an = await hm.household_card(areas, listed.head, an.id, NOW)
    card_binh = await hm.household_card(areas, listed.head, binh.id, NOW)

    assert (
        card_an.household.head_name,
        card_an.accounts,
        card_an.current(GIA_DINH_TITLE, YEAR),
    ) == (
        "Nguyễn Văn An",
        1,
        None,
    )
    current = card_binh.current(GIA_DINH_TITLE, YEAR)
    assert current is not None
    assert (current.id, current.status) == (binh.registration_id, Status.REGISTERED)


# --- a self-assessment filled in by the hamlet head ----------------------------------------


async def family_of_h1(uow: SqlUnitOfWork) -> int:
    """ALICE's family registered itself in H1; the id of its registration this year."""
    await new_user(uow, ALICE, consent=True)
    _, registration = await hh.register_household(
        uow, ALICE, HouseholdForm("H1", "Nguyễn Văn An", AN_PHONE, 4, 2, ()), year=YEAR, now=NOW
    )
    return registration.id


async def fill_in(uow: SqlUnitOfWork, user_id: int, registration_id: int) -> a.Assessment:
    opened = await a.open_assessment(uow, user_id, registration_id, shipped=SHIPPED, now=NOW)
    for indicator in GIA_DINH.indicators():
        await a.save_answer(
            uow, user_id, registration_id, indicator.id, best(indicator), shipped=SHIPPED, now=NOW
        )
    await a.submit_assessment(uow, user_id, registration_id, shipped=SHIPPED, now=NOW)
    return opened


@pytest.mark.parametrize("staff", [HEAD_H1, OFFICER_C1], ids=["hamlet-head", "commune-officer"])
async def test_the_head_fills_in_the_self_assessment_on_the_familys_behalf(
    areas: SqlUnitOfWork, session_factory: Factory, staff: int
) -> None:
    registration_id = await family_of_h1(areas)
    await new_user(areas, staff)

    opened = await fill_in(areas, staff, registration_id)

    assert opened.on_behalf
    async with later_unit(session_factory) as later:
        submitted = await later.registrations.get(registration_id)
    assert submitted is not None
    assert (submitted.status, submitted.assessed_by) == (Status.SELF_ASSESSED, staff)
    assert [e["actor_id"] for e in await audit(areas, "assess_on_behalf")] == [staff]


async def test_the_family_submitting_itself_is_not_on_behalf(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration_id = await family_of_h1(areas)

    opened = await fill_in(areas, ALICE, registration_id)

    assert not opened.on_behalf
    async with later_unit(session_factory) as later:
        submitted = await later.registrations.get(registration_id)
    assert submitted is not None
    assert (submitted.status, submitted.assessed_by) == (Status.SELF_ASSESSED, None)
    assert await audit(areas, "assess_on_behalf") == []


async def test_the_family_resubmitting_after_the_head_clears_on_behalf(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration_id = await family_of_h1(areas)
    await new_user(areas, HEAD_H1)
    await fill_in(areas, HEAD_H1, registration_id)

    await a.reopen_assessment(areas, ALICE, registration_id, NOW)
    await a.submit_assessment(areas, ALICE, registration_id, shipped=SHIPPED, now=NOW)

    async with later_unit(session_factory) as later:
        submitted = await later.registrations.get(registration_id)
    assert submitted is not None
    assert submitted.assessed_by is None


async def test_a_head_of_another_hamlet_cannot_fill_in_the_self_assessment(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration_id = await family_of_h1(areas)
    await new_user(areas, HEAD_H2)
    indicator = GIA_DINH.indicators()[0]

    with pytest.raises(NotAllowed):
        await a.open_assessment(areas, HEAD_H2, registration_id, shipped=SHIPPED, now=NOW)
    with pytest.raises(NotAllowed):
        await a.save_answer(
            areas,
            HEAD_H2,
            registration_id,
            indicator.id,
            best(indicator),
            shipped=SHIPPED,
            now=NOW,
        )
    with pytest.raises(NotAllowed):
        await a.submit_assessment(areas, HEAD_H2, registration_id, shipped=SHIPPED, now=NOW)

    async with later_unit(session_factory) as later:
        kept = await later.registrations.get(registration_id)
    assert kept is not None
    assert (kept.status, kept.answers, kept.assessed_by) == (Status.REGISTERED, {}, None)
    refused = await audit(areas, "refused")
    assert {(e["actor_id"], e["attempted"]) for e in refused} == {(HEAD_H2, "assess")}
