"""A family's journey on real storage: register, link, members, self-assess, decide, privacy.

SQLite always, PostgreSQL too when HOCTAP_TEST_DATABASE_URL is set. What a later update would
see is read through a new unit of work, as the bot opens one session per update.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.criteria_files import shipped_criteria
from bot.domain.criteria_model import Indicator, LevelScoring, YesNoScoring
from bot.domain.deadlines import Deadlines
from bot.domain.households import CONSENT_VERSION, Household, HouseholdForm, Member
from bot.domain.registrations import Registration
from bot.domain.scoring import Answer, Level, Ratio, YesNo
from bot.domain.status import Status
from bot.domain.users import Role, RoleGrant, User
from bot.services import assessments as a
from bot.services import households as hh
from bot.services.areas import import_areas
from bot.services.criteria import load_criteria, parsed_criteria
from bot.services.errors import NotAllowed, ServiceError
from bot.services.ports import Delivery
from bot.services.privacy import forget_me, my_data
from storage.uow import SqlUnitOfWork

Factory = async_sessionmaker[AsyncSession]

NOW = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
YEAR = 2026
AREAS = """code,name,level,parent_code
P1,Tỉnh Minh Họa,province,
C1,Xã Đông Hòa,commune,P1
C2,Xã Tân Lập,commune,P1
H1,Thôn Đoài,hamlet,C1
H2,Thôn Đông,hamlet,C1
"""
HEAD_NAME = "Nguyễn Văn Bình"
PHONE = "+84912345678"
MEMBER_NAME = "Trần Thị Hoa"
ALICE, BOB = 1001, 1002
HEAD_H1, HEAD_H2 = 2001, 2002
SHIPPED = shipped_criteria()
GIA_DINH = parsed_criteria(SHIPPED["gia_dinh"])


class RecordingNotifier:
    """Captures what the family would be told, instead of sending it."""

    def __init__(self, blocked: frozenset[int] = frozenset()) -> None:
        self.sent: list[tuple[int, str, str, dict[str, Any]]] = []
        self.blocked = blocked

    async def notify(
        self, user_id: int, locale: str, msgid: str, params: dict[str, Any]
    ) -> Delivery:
        if user_id in self.blocked:
            return Delivery.UNREACHABLE
        self.sent.append((user_id, locale, msgid, params))
        return Delivery.SENT


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


def form(
    hamlet: str = "H1", phone: str = PHONE, members: int = 4, school_age: int = 2
) -> HouseholdForm:
    return HouseholdForm(hamlet, HEAD_NAME, phone, members, school_age, ("fund", "school", "x"))


async def new_user(
    uow: SqlUnitOfWork,
    user_id: int,
    *,
    consent: bool = True,
    language: str | None = None,
    grants: tuple[RoleGrant, ...] = (),
) -> User:
    await uow.users.add(User(id=user_id, language=language, grants=grants), NOW)
    await uow.commit()
    if consent:
        await hh.record_consent(uow, user_id, NOW)
    user = await uow.users.get(user_id)
    assert user is not None
    return user


async def registered(
    uow: SqlUnitOfWork, user_id: int = ALICE, **details: Any
) -> tuple[Household, Registration]:
    await new_user(uow, user_id)
    return await hh.register_household(uow, user_id, form(**details), year=YEAR, now=NOW)


async def linked(uow: SqlUnitOfWork, household: Household, user_id: int, **user: Any) -> None:
    await new_user(uow, user_id, **user)
    await hh.link_account(uow, user_id, household.code, NOW)


async def hamlet_head(uow: SqlUnitOfWork, user_id: int, area_code: str) -> User:
    return await new_user(uow, user_id, grants=(RoleGrant(Role.HAMLET_HEAD, area_code),))


def best(indicator: Indicator) -> Answer:
    scoring = indicator.scoring
    if isinstance(scoring, LevelScoring):
        return Level(max(scoring.options, key=lambda option: option.points).id)
    if isinstance(scoring, YesNoScoring):
        return YesNo(True)
    return Ratio(2, 2)


async def answer(
    uow: SqlUnitOfWork,
    registration_id: int,
    indicator_id: str,
    given: Answer,
    user_id: int = ALICE,
) -> a.Assessment:
    return await a.save_answer(
        uow, user_id, registration_id, indicator_id, given, shipped=SHIPPED, now=NOW
    )


async def answer_all(uow: SqlUnitOfWork, registration_id: int, user_id: int = ALICE) -> None:
    for indicator in GIA_DINH.indicators():
        await answer(uow, registration_id, indicator.id, best(indicator), user_id)


async def submitted(uow: SqlUnitOfWork, user_id: int = ALICE) -> Registration:
    _, registration = await registered(uow, user_id)
    await answer_all(uow, registration.id, user_id)
    await a.submit_assessment(uow, user_id, registration.id, shipped=SHIPPED, now=NOW)
    return registration


async def stored(factory: Factory, registration_id: int) -> Registration:
    async with later_unit(factory) as later:
        registration = await later.registrations.get(registration_id)
    assert registration is not None
    return registration


async def household_id_of(uow: SqlUnitOfWork, user_id: int) -> int | None:
    household = await hh.household_of(uow, user_id)
    return household.id if household else None


async def current_id(uow: SqlUnitOfWork, user_id: int) -> int | None:
    overview = await hh.overview(uow, user_id)
    current = overview.current("gia_dinh", YEAR) if overview else None
    return current.id if current else None


async def registered_titles(uow: SqlUnitOfWork, user_id: int) -> list[tuple[str, int]]:
    """Title and year of every registration of the user's household, sorted."""
    overview = await hh.overview(uow, user_id)
    return sorted((r.title, r.year) for r in overview.registrations) if overview else []


async def audit_actions(uow: SqlUnitOfWork) -> list[str]:
    return [entry["action"] for entry in await uow.audit.entries()]


# --- registering a household ---------------------------------------------------------------


async def test_registering_needs_consent(areas: SqlUnitOfWork) -> None:
    await new_user(areas, ALICE, consent=False)

    with pytest.raises(NotAllowed) as refused:
        await hh.register_household(areas, ALICE, form(), year=YEAR, now=NOW)

    assert refused.value.msgid == hh.MSG_NEEDS_CONSENT
    assert await hh.household_of(areas, ALICE) is None


async def test_registering_creates_the_household_and_its_pledge_for_the_year(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    household, registration = await registered(areas)

    assert (household.hamlet_code, household.head_name, household.phone) == (
        "H1",
        HEAD_NAME,
        PHONE,
    )
    assert (household.members_count, household.school_age_count) == (4, 2)
    assert (registration.subject, registration.title, registration.year) == (
        "household",
        "gia_dinh",
        YEAR,
    )
    assert registration.status == Status.REGISTERED
    assert registration.commitments == ("school", "fund")
    async with later_unit(session_factory) as later:
        assert await household_id_of(later, ALICE) == household.id
        assert await current_id(later, ALICE) == registration.id
        assert (await later.users.get(ALICE)) == User(
            ALICE, area_code="H1", consent_version=CONSENT_VERSION
        )


async def test_registering_is_audited_without_name_or_phone(areas: SqlUnitOfWork) -> None:
    household, _ = await registered(areas)

    entries = await areas.audit.entries()

    assert [(e["action"], e["household_id"], e["title"], e["year"]) for e in entries] == [
        ("register", household.id, "gia_dinh", YEAR)
    ]
    assert HEAD_NAME not in repr(entries)
    assert PHONE[3:] not in repr(entries)


async def test_an_account_registers_only_one_household(areas: SqlUnitOfWork) -> None:
    household, _ = await registered(areas)

    with pytest.raises(ServiceError) as refused:
        await hh.register_household(areas, ALICE, form(phone="+84987654321"), year=YEAR, now=NOW)

    assert refused.value.msgid == hh.MSG_ALREADY_IN_HOUSEHOLD
    assert await household_id_of(areas, ALICE) == household.id


async def test_the_same_phone_in_the_same_hamlet_is_refused(areas: SqlUnitOfWork) -> None:
    await registered(areas, ALICE)

    with pytest.raises(hh.PhoneAlreadyRegistered):
        await registered(areas, BOB)

    assert await hh.household_of(areas, BOB) is None


async def test_the_same_phone_in_another_hamlet_is_fine(areas: SqlUnitOfWork) -> None:
    first, _ = await registered(areas, ALICE, hamlet="H1")

    second, _ = await registered(areas, BOB, hamlet="H2")

    assert second.id != first.id
    assert second.code != first.code
    assert await household_id_of(areas, BOB) == second.id


@pytest.mark.parametrize(
    ("members", "school_age"),
    [
        pytest.param(2, 3, id="more-children-than-members"),
        pytest.param(0, 0, id="no-member"),
        pytest.param(3, -1, id="negative-children"),
    ],
)
async def test_counts_that_do_not_fit_together_are_refused(
    areas: SqlUnitOfWork, members: int, school_age: int
) -> None:
    with pytest.raises(ServiceError):
        await registered(areas, members=members, school_age=school_age)

    assert await hh.household_of(areas, ALICE) is None


@pytest.mark.parametrize("place", ["P1", "NOWHERE"], ids=["province", "unknown"])
async def test_a_household_lives_in_a_hamlet_or_commune(areas: SqlUnitOfWork, place: str) -> None:
    with pytest.raises(ServiceError):
        await registered(areas, hamlet=place)

    assert await hh.household_of(areas, ALICE) is None


# --- linking another phone -----------------------------------------------------------------


async def test_the_shown_code_links_a_second_phone_to_the_household(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    household, registration = await registered(areas, ALICE)

    await linked(areas, household, BOB)

    async with later_unit(session_factory) as later:
        assert await household_id_of(later, BOB) == household.id
        assert await household_id_of(later, ALICE) == household.id
        assert await current_id(later, BOB) == registration.id
        bob = await later.users.get(BOB)
    assert bob is not None
    assert bob.area_code == "H1"


async def test_a_wrong_code_links_nothing(areas: SqlUnitOfWork) -> None:
    household, _ = await registered(areas, ALICE)
    await new_user(areas, BOB)
    wrong = "ABCDEF" if household.code != "ABCDEF" else "GHJKLM"

    with pytest.raises(ServiceError):
        await hh.link_account(areas, BOB, wrong, NOW)

    assert await hh.household_of(areas, BOB) is None


async def test_a_forgotten_households_code_links_nothing(areas: SqlUnitOfWork) -> None:
    household, _ = await registered(areas, ALICE)
    await forget_me(areas, ALICE, NOW)
    await new_user(areas, BOB)

    with pytest.raises(ServiceError):
        await hh.link_account(areas, BOB, household.code, NOW)

    assert await hh.household_of(areas, BOB) is None


async def test_linking_needs_consent(areas: SqlUnitOfWork) -> None:
    household, _ = await registered(areas, ALICE)
    await new_user(areas, BOB, consent=False)

    with pytest.raises(NotAllowed):
        await hh.link_account(areas, BOB, household.code, NOW)

    assert await hh.household_of(areas, BOB) is None


# --- members -------------------------------------------------------------------------------


async def test_members_are_added_listed_and_removed(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    await registered(areas)
    hoa = await hh.add_member(areas, ALICE, MEMBER_NAME, 1980, NOW)
    an = await hh.add_member(areas, ALICE, "Nguyễn Văn An", 2012, NOW)

    async with later_unit(session_factory) as later:
        assert await hh.members_of(later, ALICE) == [
            Member(hoa.id, MEMBER_NAME, 1980),
            Member(an.id, "Nguyễn Văn An", 2012),
        ]
    await hh.remove_member(areas, ALICE, hoa.id)
    async with later_unit(session_factory) as later:
        assert await hh.members_of(later, ALICE) == [an]


async def test_members_need_a_household(areas: SqlUnitOfWork) -> None:
    await new_user(areas, ALICE)

    with pytest.raises(NotAllowed):
        await hh.add_member(areas, ALICE, MEMBER_NAME, 1980, NOW)


async def test_another_households_member_cannot_be_removed(areas: SqlUnitOfWork) -> None:
    await registered(areas, ALICE)
    await registered(areas, BOB, phone="+84987654321")
    bobs = await hh.add_member(areas, BOB, MEMBER_NAME, 1980, NOW)

    with pytest.raises(NotAllowed):
        await hh.remove_member(areas, ALICE, bobs.id)

    assert await hh.members_of(areas, BOB) == [bobs]


async def test_a_member_with_a_learning_citizen_registration_cannot_be_removed(
    areas: SqlUnitOfWork,
) -> None:
    await registered(areas)
    hoa = await hh.add_member(areas, ALICE, MEMBER_NAME, 1980, NOW)
    await a.citizen_registration(areas, ALICE, hoa.id, year=YEAR, now=NOW)

    with pytest.raises(ServiceError) as refused:
        await hh.remove_member(areas, ALICE, hoa.id)

    assert type(refused.value) is ServiceError
    assert await hh.members_of(areas, ALICE) == [hoa]


# --- learning citizens ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_year", "adult"),
    [(1960, True), (YEAR - 18, True), (YEAR - 17, False), (2015, False)],
    ids=["elder", "turns-18", "turns-17", "child"],
)
async def test_only_adults_register_as_learning_citizens(
    areas: SqlUnitOfWork, birth_year: int, adult: bool
) -> None:
    await registered(areas)
    member = await hh.add_member(areas, ALICE, MEMBER_NAME, birth_year, NOW)

    if adult:
        made = await a.citizen_registration(areas, ALICE, member.id, year=YEAR, now=NOW)
        assert (made.member_id, made.title, made.status) == (member.id, "cong_dan", "registered")
    else:
        with pytest.raises(ServiceError):
            await a.citizen_registration(areas, ALICE, member.id, year=YEAR, now=NOW)
    expected = [("cong_dan", YEAR), ("gia_dinh", YEAR)] if adult else [("gia_dinh", YEAR)]
    assert await registered_titles(areas, ALICE) == expected


async def test_a_forged_member_id_of_another_household_is_refused(areas: SqlUnitOfWork) -> None:
    await registered(areas, ALICE)
    await registered(areas, BOB, phone="+84987654321")
    bobs = await hh.add_member(areas, BOB, MEMBER_NAME, 1980, NOW)

    with pytest.raises(NotAllowed):
        await a.citizen_registration(areas, ALICE, bobs.id, year=YEAR, now=NOW)

    assert await registered_titles(areas, BOB) == [("gia_dinh", YEAR)]


async def test_a_member_has_one_learning_citizen_registration_a_year(
    areas: SqlUnitOfWork,
) -> None:
    await registered(areas)
    hoa = await hh.add_member(areas, ALICE, MEMBER_NAME, 1980, NOW)

    first = await a.citizen_registration(areas, ALICE, hoa.id, year=YEAR, now=NOW)
    again = await a.citizen_registration(areas, ALICE, hoa.id, year=YEAR, now=LATER)
    next_year = await a.citizen_registration(areas, ALICE, hoa.id, year=YEAR + 1, now=LATER)

    assert again.id == first.id
    assert next_year.id != first.id
    assert await registered_titles(areas, ALICE) == [
        ("cong_dan", YEAR),
        ("cong_dan", YEAR + 1),
        ("gia_dinh", YEAR),
    ]


# --- the criteria set an assessment uses ---------------------------------------------------


def gia_dinh_variant(version: str) -> str:
    shipped = SHIPPED["gia_dinh"]
    assert f'version = "{GIA_DINH.version}"' in shipped
    text = shipped.replace(f'version = "{GIA_DINH.version}"', f'version = "{version}"')
    return text.replace("pass_threshold = 80", "pass_threshold = 70")


async def test_an_assessment_keeps_the_criteria_set_it_started_with(
    areas: SqlUnitOfWork,
) -> None:
    _, started = await registered(areas, ALICE)
    before = await a.open_assessment(areas, ALICE, started.id, shipped=SHIPPED, now=NOW)

    loaded = await load_criteria(areas, gia_dinh_variant("dong-hoa-2026"), "C1", YEAR, NOW)
    after = await a.open_assessment(areas, ALICE, started.id, shipped=SHIPPED, now=LATER)

    assert before.registration.criteria_set_id is not None
    assert before.registration.criteria_set_id != loaded.id
    assert after.registration.criteria_set_id == before.registration.criteria_set_id
    assert (after.criteria.version, after.criteria.pass_threshold) == (GIA_DINH.version, 80)


async def test_a_new_registration_gets_the_set_loaded_for_its_area(
    areas: SqlUnitOfWork,
) -> None:
    _, started = await registered(areas, ALICE)
    await a.open_assessment(areas, ALICE, started.id, shipped=SHIPPED, now=NOW)
    loaded = await load_criteria(areas, gia_dinh_variant("dong-hoa-2026"), "C1", YEAR, NOW)

    _, newer = await registered(areas, BOB, hamlet="H2")
    opened = await a.open_assessment(areas, BOB, newer.id, shipped=SHIPPED, now=LATER)

    assert opened.registration.criteria_set_id == loaded.id
    assert (opened.criteria.version, opened.criteria.pass_threshold) == ("dong-hoa-2026", 70)


# --- answering -----------------------------------------------------------------------------


async def test_answers_are_kept_for_a_later_update(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, registration = await registered(areas)
    await answer(areas, registration.id, "1a", Ratio(3, 2))
    await answer(areas, registration.id, "1b", Level("no"))
    await answer(areas, registration.id, "2b", YesNo(True))

    async with later_unit(session_factory) as later:
        opened = await a.open_assessment(later, ALICE, registration.id, shipped=SHIPPED, now=NOW)

    assert opened.answers == {"1a": Ratio(3, 2), "1b": Level("no"), "2b": YesNo(True)}
    assert opened.result.indicator_points["2b"] == 10
    assert len(opened.result.missing) == len(GIA_DINH.indicators()) - 3


async def test_a_changed_answer_replaces_the_earlier_one(areas: SqlUnitOfWork) -> None:
    _, registration = await registered(areas)
    await answer(areas, registration.id, "3d", Level("neither"))

    changed = await answer(areas, registration.id, "3d", Level("both"))

    assert changed.answers == {"3d": Level("both")}


@pytest.mark.parametrize(
    ("indicator_id", "given"),
    [
        pytest.param("1b", Level("maybe"), id="unknown-option"),
        pytest.param("1a", Ratio(2, 3), id="part-above-count"),
        pytest.param("1a", Ratio(-1, 0), id="negative-count"),
        pytest.param("9z", YesNo(True), id="unknown-indicator"),
        pytest.param("2b", Level("yes"), id="wrong-kind"),
        pytest.param("2b", YesNo("yes"), id="yes-as-text"),  # type: ignore[arg-type]
    ],
)
async def test_an_answer_that_does_not_fit_is_refused_and_changes_nothing(
    areas: SqlUnitOfWork, session_factory: Factory, indicator_id: str, given: Answer
) -> None:
    _, registration = await registered(areas)
    await answer(areas, registration.id, "1b", Level("yes"))
    before = await stored(session_factory, registration.id)

    with pytest.raises(ServiceError) as refused:
        await answer(areas, registration.id, indicator_id, given)

    assert type(refused.value) is ServiceError
    assert await stored(session_factory, registration.id) == before


async def test_answering_another_households_registration_is_refused(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    await registered(areas, ALICE)
    _, bobs = await registered(areas, BOB, phone="+84987654321")

    with pytest.raises(NotAllowed):
        await answer(areas, bobs.id, "2b", YesNo(False), user_id=ALICE)

    assert (await stored(session_factory, bobs.id)).answers == {}


# --- submitting and reopening --------------------------------------------------------------


async def test_submitting_with_unanswered_questions_is_refused(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, registration = await registered(areas)
    await answer(areas, registration.id, "2b", YesNo(True))

    with pytest.raises(ServiceError) as refused:
        await a.submit_assessment(areas, ALICE, registration.id, shipped=SHIPPED, now=NOW)

    assert refused.value.params == {"count": len(GIA_DINH.indicators()) - 1}
    assert (await stored(session_factory, registration.id)).status == Status.REGISTERED


async def test_the_best_answers_pass_with_full_points(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, registration = await registered(areas)
    await answer_all(areas, registration.id)

    result = await a.submit_assessment(areas, ALICE, registration.id, shipped=SHIPPED, now=NOW)

    assert (result.passed, result.total) == (True, 100)
    kept = await stored(session_factory, registration.id)
    assert (kept.status, kept.total, kept.passed) == (Status.SELF_ASSESSED, 100, True)


async def test_a_submitted_assessment_cannot_be_changed(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration = await submitted(areas)

    with pytest.raises(ServiceError) as refused:
        await answer(areas, registration.id, "2b", YesNo(False))

    assert refused.value.msgid == a.MSG_LOCKED
    assert (await stored(session_factory, registration.id)).answers["2b"] == {"yes": True}


async def test_reopening_brings_it_back_with_the_answers_kept(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration = await submitted(areas)

    await a.reopen_assessment(areas, ALICE, registration.id, LATER)
    changed = await answer(areas, registration.id, "2b", YesNo(False))

    assert changed.registration.status == Status.REGISTERED
    assert changed.answers["2b"] == YesNo(False)
    assert len(changed.answers) == len(GIA_DINH.indicators())


async def test_reopening_before_the_deadline_is_allowed(
    areas: SqlUnitOfWork, request: pytest.FixtureRequest
) -> None:
    registration = await submitted(areas)
    await areas.registrations.set_deadlines(
        "C1", "gia_dinh", YEAR, Deadlines(assessment_closes=LATER)
    )
    await areas.commit()

    await a.reopen_assessment(areas, ALICE, registration.id, LATER - timedelta(seconds=1))

    reopened = await areas.registrations.get(registration.id)
    assert reopened is not None
    assert reopened.status == Status.REGISTERED


async def test_reopening_after_the_deadline_is_refused(
    areas: SqlUnitOfWork, session_factory: Factory, request: pytest.FixtureRequest
) -> None:
    registration = await submitted(areas)
    await areas.registrations.set_deadlines(
        "C1",
        "gia_dinh",
        YEAR,
        Deadlines(assessment_closes=NOW + timedelta(days=1)),
    )
    await areas.commit()

    with pytest.raises(ServiceError):
        await a.reopen_assessment(areas, ALICE, registration.id, LATER)

    assert (await stored(session_factory, registration.id)).status == Status.SELF_ASSESSED


async def test_a_window_opening_later_refuses_answers(
    areas: SqlUnitOfWork, session_factory: Factory, request: pytest.FixtureRequest
) -> None:
    _, registration = await registered(areas)
    await areas.registrations.set_deadlines(
        "C1", "gia_dinh", YEAR, Deadlines(assessment_opens=LATER)
    )
    await areas.commit()

    with pytest.raises(ServiceError) as refused:
        await answer(areas, registration.id, "2b", YesNo(True))

    assert refused.value.params == {"date": LATER}
    assert (await stored(session_factory, registration.id)).answers == {}


async def test_a_closed_window_refuses_answers(
    areas: SqlUnitOfWork, request: pytest.FixtureRequest
) -> None:
    _, registration = await registered(areas)
    await areas.registrations.set_deadlines(
        "H1", "gia_dinh", YEAR, Deadlines(assessment_closes=NOW)
    )
    await areas.commit()

    with pytest.raises(ServiceError) as refused:
        await answer(areas, registration.id, "2b", YesNo(True))

    assert refused.value.params == {"date": NOW}


# --- decisions by the hamlet head ----------------------------------------------------------


async def test_the_hamlet_head_verifies_and_every_phone_is_told_in_its_language(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration = await submitted(areas, ALICE)
    household = await hh.household_of(areas, ALICE)
    assert household is not None
    await linked(areas, household, BOB, language="en")
    head = await hamlet_head(areas, HEAD_H1, "H1")
    notifier = RecordingNotifier()

    await a.decide(areas, notifier, head, registration.id, Status.VERIFIED, LATER)

    assert (await stored(session_factory, registration.id)).status == Status.VERIFIED
    notice = a.STATUS_NOTICES[Status.VERIFIED]
    assert notifier.sent == [
        (ALICE, "vi", notice, {"comment": ""}),
        (BOB, "en", notice, {"comment": ""}),
    ]


@pytest.mark.parametrize(
    ("grant", "allowed"),
    [
        pytest.param(RoleGrant(Role.HAMLET_HEAD, "H1"), True, id="head-of-the-hamlet"),
        pytest.param(RoleGrant(Role.COMMUNE_OFFICER, "C1"), True, id="officer-of-the-commune"),
        pytest.param(RoleGrant(Role.SUPER_ADMIN), True, id="super-admin"),
        pytest.param(RoleGrant(Role.HAMLET_HEAD, "H2"), False, id="head-of-another-hamlet"),
        pytest.param(RoleGrant(Role.COMMUNE_OFFICER, "C2"), False, id="another-commune"),
        pytest.param(RoleGrant(Role.HOUSEHOLD, "H1"), False, id="a-household"),
    ],
)
async def test_only_someone_over_the_households_area_decides(
    areas: SqlUnitOfWork, session_factory: Factory, grant: RoleGrant, allowed: bool
) -> None:
    registration = await submitted(areas)
    actor = await new_user(areas, HEAD_H2, grants=(grant,))
    notifier = RecordingNotifier()

    if allowed:
        await a.decide(areas, notifier, actor, registration.id, Status.VERIFIED, LATER)
    else:
        with pytest.raises(NotAllowed):
            await a.decide(areas, notifier, actor, registration.id, Status.VERIFIED, LATER)

    expected = Status.VERIFIED if allowed else Status.SELF_ASSESSED
    assert (await stored(session_factory, registration.id)).status == expected
    assert len(notifier.sent) == (1 if allowed else 0)


async def test_a_return_tells_the_family_the_comment(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration = await submitted(areas)
    head = await hamlet_head(areas, HEAD_H1, "H1")
    notifier = RecordingNotifier()
    comment = "Xin bổ sung số cháu đi học"

    await a.decide(areas, notifier, head, registration.id, Status.RETURNED, LATER, comment=comment)

    returned = await stored(session_factory, registration.id)
    assert (returned.status, returned.last_comment()) == (Status.RETURNED, comment)
    assert notifier.sent == [
        (ALICE, "vi", a.STATUS_NOTICES[Status.RETURNED], {"comment": comment})
    ]


async def test_a_returned_assessment_can_be_answered_again(areas: SqlUnitOfWork) -> None:
    registration = await submitted(areas)
    head = await hamlet_head(areas, HEAD_H1, "H1")
    await a.decide(areas, RecordingNotifier(), head, registration.id, Status.RETURNED, LATER)

    changed = await answer(areas, registration.id, "2b", YesNo(False))

    assert changed.answers["2b"] == YesNo(False)


async def test_a_decision_the_status_does_not_allow_is_refused(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    _, registration = await registered(areas)
    head = await hamlet_head(areas, HEAD_H1, "H1")
    notifier = RecordingNotifier()

    with pytest.raises(ServiceError):
        await a.decide(areas, notifier, head, registration.id, Status.VERIFIED, LATER)

    assert (await stored(session_factory, registration.id)).status == Status.REGISTERED
    assert notifier.sent == []


async def test_reopening_is_not_a_decision_of_the_hamlet_head(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration = await submitted(areas)
    head = await hamlet_head(areas, HEAD_H1, "H1")
    notifier = RecordingNotifier()

    with pytest.raises(ServiceError):
        await a.decide(areas, notifier, head, registration.id, Status.REGISTERED, LATER)

    assert (await stored(session_factory, registration.id)).status == Status.SELF_ASSESSED


# --- privacy -------------------------------------------------------------------------------


async def test_my_data_shows_everything_stored_and_is_audited(areas: SqlUnitOfWork) -> None:
    household, registration = await registered(areas)
    await linked(areas, household, BOB)
    hoa = await hh.add_member(areas, ALICE, MEMBER_NAME, 1980, NOW)

    data = await my_data(areas, ALICE, LATER)

    assert data.household is not None
    assert (data.household.id, data.household.head_name) == (household.id, HEAD_NAME)
    assert data.members == [hoa]
    assert [r.id for r in data.registrations] == [registration.id]
    assert data.consent_version == CONSENT_VERSION
    assert [area.code for area in data.place] == ["P1", "C1", "H1"]
    assert data.linked_accounts == 2
    assert (await audit_actions(areas))[-1] == "show_data"


async def test_my_data_gives_the_consent_time(areas: SqlUnitOfWork) -> None:
    await registered(areas)

    data = await my_data(areas, ALICE, LATER)

    assert data.consent_at == NOW


async def test_forget_me_erases_names_phone_and_years_of_birth(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    household, _ = await registered(areas)
    hoa = await hh.add_member(areas, ALICE, MEMBER_NAME, 1980, NOW)

    await forget_me(areas, ALICE, LATER)

    async with later_unit(session_factory) as later:
        forgotten = await later.households.get(household.id)
        members = await later.households.members(household.id)
    assert forgotten is not None
    assert (forgotten.head_name, forgotten.phone) == (None, None)
    assert forgotten.forgotten_at is not None
    assert members == [Member(hoa.id, None, None)]


async def test_forget_me_unlinks_every_phone_and_drops_consent(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    household, _ = await registered(areas, ALICE)
    await linked(areas, household, BOB)

    await forget_me(areas, ALICE, LATER)

    async with later_unit(session_factory) as later:
        assert await hh.household_of(later, ALICE) is None
        assert await hh.household_of(later, BOB) is None
        assert await later.households.accounts(household.id) == []
        assert not await hh.has_consent(later, ALICE)
        assert not await hh.has_consent(later, BOB), "B's drafts may hold the names too"


async def test_recognition_is_the_communes_not_the_hamlet_heads(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration = await submitted(areas)
    head = await hamlet_head(areas, HEAD_H1, "H1")
    officer = await new_user(areas, HEAD_H2, grants=(RoleGrant(Role.COMMUNE_OFFICER, "C1"),))
    notifier = RecordingNotifier()
    await a.decide(areas, notifier, head, registration.id, Status.VERIFIED, LATER)

    with pytest.raises(NotAllowed):
        await a.decide(areas, notifier, head, registration.id, Status.RECOGNISED, LATER)
    await a.decide(areas, notifier, officer, registration.id, Status.RECOGNISED, LATER)

    assert (await stored(session_factory, registration.id)).status == Status.RECOGNISED
    assert notifier.sent[-1][2] == a.STATUS_NOTICES[Status.RECOGNISED]


async def test_forget_me_keeps_the_registrations_for_the_totals(
    areas: SqlUnitOfWork, session_factory: Factory
) -> None:
    registration = await submitted(areas)
    household = await hh.household_of(areas, ALICE)
    assert household is not None

    await forget_me(areas, ALICE, LATER)

    kept = await stored(session_factory, registration.id)
    assert (kept.status, kept.total, kept.passed) == (Status.SELF_ASSESSED, 100, True)
    async with later_unit(session_factory) as later:
        forgotten = await later.households.get(household.id)
    assert forgotten is not None
    assert (forgotten.hamlet_code, forgotten.members_count, forgotten.school_age_count) == (
        "H1",
        4,
        2,
    )


async def test_forget_me_is_audited_with_counts_only(areas: SqlUnitOfWork) -> None:
    household, _ = await registered(areas, ALICE)
    await linked(areas, household, BOB)
    await hh.add_member(areas, ALICE, MEMBER_NAME, 1980, NOW)
    await my_data(areas, ALICE, NOW)

    await forget_me(areas, ALICE, LATER)

    entries = await areas.audit.entries()
    forget = entries[-1]
    assert {key: forget[key] for key in forget if key != "at"} == {
        "action": "forget",
        "household_id": household.id,
        "actor_id": None,  # no Telegram id either
        "accounts": 2,
        "members": 1,
    }
    for personal in (HEAD_NAME, PHONE, PHONE[3:], MEMBER_NAME, "1980", str(ALICE), str(BOB)):
        assert personal not in repr(entries)
