"""/stats in the service layer: numbers rolled up from hamlets to commune and province,
targets inherited, gaps and the ranking, and who may ask (forged area codes refused)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.areas import Area
from bot.domain.deadlines import Deadlines
from bot.domain.stats import Numbers
from bot.domain.status import Status
from bot.domain.users import Role, RoleGrant, User
from bot.services import stats as st
from bot.services.errors import NotAllowed, ServiceError
from storage.uow import SqlUnitOfWork
from tests.test_hamlet_services import (
    OFFICER_C1,
    OFFICER_C2,
    YEAR,
    ZONE,
    areas,  # noqa: F401  (fixture)
    audit,
    household,
    new_user,
    super_admin,
)

NOW = datetime(2026, 7, 2, 3, 0, tzinfo=UTC)  # 2 July: 182 days of the year have passed


async def seed(uow: SqlUnitOfWork) -> None:
    """C1: H1 with 4 households, H2 with 2; C2: H3 with 1. Mixed standings."""
    await household(uow, "An", "+84912000001", status=Status.RECOGNISED, account=11)
    await household(uow, "Bình", "+84912000002", status=Status.VERIFIED)
    await household(uow, "Cường", "+84912000003", status=Status.SELF_ASSESSED, score=(50, False))
    await household(uow, "Dung", "+84912000004", account=12, blocked=True)
    await household(uow, "Em", "+84912000005", hamlet="H2", status=Status.REGISTERED)
    await household(uow, "Giang", "+84912000006", hamlet="H2")
    await household(uow, "Hà", "+84912000007", hamlet="H3", status=Status.RECOGNISED)


@pytest.fixture
async def seeded(areas: SqlUnitOfWork) -> SqlUnitOfWork:  # noqa: F811
    await seed(areas)
    return areas


async def officer(uow: SqlUnitOfWork, user_id: int = OFFICER_C1) -> User:
    return await new_user(uow, user_id)


async def test_an_officers_commune_by_default_with_hamlets_rolled_up(
    seeded: SqlUnitOfWork,
) -> None:
    stats = await st.area_stats(seeded, await officer(seeded), None, YEAR, NOW, ZONE)

    assert stats.area.code == "C1"
    assert stats.numbers == Numbers(
        households=6,
        registered=4,
        self_assessed=3,
        passed=2,
        verified=2,
        recognised=1,
        unreachable=5,  # only An's account can be reached
    )
    assert {s.code: s.numbers.households for s in stats.below} == {"H1": 4, "H2": 2}


async def test_the_province_adds_up_its_communes(seeded: SqlUnitOfWork) -> None:
    stats = await st.area_stats(seeded, super_admin(), "P1", YEAR, NOW, ZONE)

    assert stats.numbers.households == 7
    assert stats.numbers.recognised == 2
    assert {s.code for s in stats.below} == {"C1", "C2"}


async def test_forgotten_households_still_count(seeded: SqlUnitOfWork) -> None:
    forgotten = await household(seeded, "Khánh", "+84912000008", status=Status.REGISTERED)
    await seeded.households.forget(forgotten, NOW)
    await seeded.commit()

    stats = await st.area_stats(seeded, super_admin(), "C1", YEAR, NOW, ZONE)

    assert stats.numbers.households == 7
    assert stats.numbers.registered == 5


async def test_another_years_registrations_do_not_count(seeded: SqlUnitOfWork) -> None:
    stats = await st.area_stats(seeded, super_admin(), "C1", YEAR - 1, NOW, ZONE)

    assert stats.numbers == Numbers(households=6, unreachable=5)
    assert stats.projection is None  # a past year has no pace to project


async def test_the_target_is_inherited_and_the_gap_counted_in_households(
    seeded: SqlUnitOfWork,
) -> None:
    await seeded.targets.set("P1", "gia_dinh", YEAR, 70)
    await seeded.targets.set("H2", "gia_dinh", YEAR, 100)
    await seeded.commit()

    stats = await st.area_stats(seeded, await officer(seeded), "C1", YEAR, NOW, ZONE)

    assert stats.target == 70  # the province's
    assert stats.to_recognise == 4  # 70% of 6 is 4.2: 5 households, 1 recognised
    assert stats.to_register == 1  # 4 registered of the 5 needed
    assert stats.below_targets == {"H1": 70, "H2": 100}


async def test_hamlets_are_ranked_from_the_furthest_behind(seeded: SqlUnitOfWork) -> None:
    await seeded.targets.set("C1", "gia_dinh", YEAR, 100)
    await seeded.commit()

    stats = await st.area_stats(seeded, await officer(seeded), "C1", YEAR, NOW, ZONE)

    # H1: 3 of 4 registered (1 to go); H2: 1 of 2 registered (1 to go, a lower share)
    assert [s.code for s in stats.below] == ["H2", "H1"]


async def test_the_projection_carries_the_pace_to_the_end_of_registration(
    seeded: SqlUnitOfWork,
) -> None:
    opens = datetime(2026, 1, 1, tzinfo=ZONE)
    closes = datetime(2026, 9, 1, tzinfo=ZONE)  # the last day is 31 August
    await seeded.registrations.set_deadlines(
        "C1",
        "gia_dinh",
        YEAR,
        Deadlines(registration_opens=opens, registration_closes=closes),
    )
    await seeded.commit()

    stats = await st.area_stats(seeded, await officer(seeded), "C1", YEAR, NOW, ZONE)

    assert stats.until.isoformat() == "2026-08-31"
    # 4 registrations in the 182 days from 1 January to 2 July; 60 days to go
    assert stats.projection == 4 + 4 * 60 // 182


async def test_without_a_registration_window_the_pace_runs_to_the_end_of_the_year(
    seeded: SqlUnitOfWork,
) -> None:
    stats = await st.area_stats(seeded, await officer(seeded), "C1", YEAR, NOW, ZONE)

    assert stats.until.isoformat() == "2026-12-31"
    assert stats.projection == 4 + 4 * 182 // 182


@pytest.mark.parametrize("code", ["C2", "H3", "P1", "NOPE"])
async def test_an_officer_cannot_see_beyond_their_commune(
    seeded: SqlUnitOfWork, code: str
) -> None:
    with pytest.raises(NotAllowed):
        await st.area_stats(seeded, await officer(seeded), code, YEAR, NOW, ZONE)

    refused = await audit(seeded, "refused")
    assert refused[-1]["attempted"] == "stats"
    assert refused[-1]["actor_id"] == OFFICER_C1


@pytest.mark.parametrize(
    "grants",
    [
        (),
        (RoleGrant(Role.HAMLET_HEAD, "H1"),),
        (RoleGrant(Role.HOUSEHOLD, None),),
        (RoleGrant(Role.COMMUNE_OFFICER, "C2"),),
    ],
)
async def test_only_officers_of_the_area_and_super_admins_see_stats(
    seeded: SqlUnitOfWork, grants: tuple[RoleGrant, ...]
) -> None:
    with pytest.raises(NotAllowed):
        await st.area_stats(seeded, User(7777, grants=grants), "C1", YEAR, NOW, ZONE)


async def test_an_officer_may_look_at_one_hamlet(seeded: SqlUnitOfWork) -> None:
    stats = await st.area_stats(seeded, await officer(seeded), "H2", YEAR, NOW, ZONE)

    assert stats.numbers.households == 2
    assert stats.below == ()


async def test_a_super_admin_without_an_area_gets_the_one_province(
    seeded: SqlUnitOfWork,
) -> None:
    stats = await st.area_stats(seeded, super_admin(), None, YEAR, NOW, ZONE)
    assert stats.area.code == "P1"


async def test_with_several_provinces_a_super_admin_is_asked_which(
    seeded: SqlUnitOfWork,
) -> None:
    await seeded.areas.upsert_many([Area("P2", "Tỉnh Khác", "province", None)])
    await seeded.commit()

    with pytest.raises(ServiceError) as refused:
        await st.area_stats(seeded, super_admin(), None, YEAR, NOW, ZONE)
    assert refused.value.msgid == st.MSG_WHICH_AREA


async def test_a_second_officer_sees_their_own_commune(seeded: SqlUnitOfWork) -> None:
    stats = await st.area_stats(seeded, await officer(seeded, OFFICER_C2), None, YEAR, NOW, ZONE)
    assert stats.area.code == "C2"
    assert stats.numbers.recognised == 1
