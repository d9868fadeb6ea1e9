"""The commune's year in the service layer: targets (set, cleared, inherited), deadlines
(set in order, by officers only) and the limits the deadlines put on families and heads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.deadlines import (
    MSG_ORDER,
    MSG_REGISTRATION_CLOSED,
    MSG_REGISTRATION_NOT_OPEN,
    MSG_VERIFICATION_CLOSED,
    Deadline,
)
from bot.domain.status import Status
from bot.domain.users import Role, User
from bot.services import assessments as a
from bot.services import deadlines as dl
from bot.services import hamlets as hm
from bot.services import households as hh
from bot.services import targets as tg
from bot.services.errors import NotAllowed, ServiceError
from storage.uow import SqlUnitOfWork
from tests.test_hamlet_services import (
    ALICE,
    HEAD_H1,
    NOW,
    OFFICER_C1,
    OFFICER_C2,
    YEAR,
    ZONE,
    RecordingNotifier,
    areas,  # noqa: F401  (fixture)
    audit,
    household,
    new_user,
    registration_of,
    super_admin,
)
from tests.test_household_services import form

TODAY = NOW.astimezone(ZONE).date()  # 8 March 2026


async def officer(uow: SqlUnitOfWork, user_id: int = OFFICER_C1) -> User:
    """The officer (or head) with their grant, made on first use."""
    return await uow.users.get(user_id) or await new_user(uow, user_id)


# --- targets ----------------------------------------------------------------------------------


async def test_a_commune_target_applies_to_its_hamlets_unless_they_have_their_own(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    me = await officer(areas)
    await tg.set_target(areas, me, "C1", "gia_dinh", YEAR, 70, NOW)
    await tg.set_target(areas, me, "H2", "gia_dinh", YEAR, 90, NOW)

    lines = await tg.targets_of(areas, me, "C1", "gia_dinh", YEAR, NOW)

    assert [(line.area.code, line.own, line.applies) for line in lines] == [
        ("C1", 70, 70),
        ("H1", None, 70),
        ("H2", 90, 90),
    ]


async def test_clearing_a_target_inherits_again(areas: SqlUnitOfWork) -> None:  # noqa: F811
    admin = super_admin()
    await tg.set_target(areas, admin, "P1", "gia_dinh", YEAR, 70, NOW)
    await tg.set_target(areas, admin, "C1", "gia_dinh", YEAR, 80, NOW)

    await tg.set_target(areas, admin, "C1", "gia_dinh", YEAR, None, NOW)

    lines = await tg.targets_of(areas, admin, "C1", "gia_dinh", YEAR, NOW)
    assert (lines[0].own, lines[0].applies) == (None, 70)


async def test_every_target_change_is_audited_without_personal_data(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await tg.set_target(areas, await officer(areas), "C1", "gia_dinh", YEAR, 70, NOW)

    [entry] = await audit(areas, "set_target")
    assert entry["actor_id"] == OFFICER_C1
    assert (entry["area"], entry["year"], entry["percent"]) == ("C1", YEAR, 70)


@pytest.mark.parametrize("percent", [0, -5, 101])
async def test_a_target_is_a_percentage(areas: SqlUnitOfWork, percent: int) -> None:  # noqa: F811
    with pytest.raises(ServiceError) as refused:
        await tg.set_target(areas, await officer(areas), "C1", "gia_dinh", YEAR, percent, NOW)
    assert refused.value.msgid == tg.MSG_TARGET_RANGE
    assert await areas.targets.of(["C1"], "gia_dinh", YEAR) == {}


@pytest.mark.parametrize("code", ["C2", "H3", "P1"])
async def test_an_officer_sets_targets_in_their_commune_only(
    areas: SqlUnitOfWork,  # noqa: F811
    code: str,
) -> None:
    with pytest.raises(NotAllowed):
        await tg.set_target(areas, await officer(areas), code, "gia_dinh", YEAR, 70, NOW)
    assert await areas.targets.of([code], "gia_dinh", YEAR) == {}
    assert (await audit(areas, "refused"))[-1]["attempted"] == "set_target"


async def test_a_hamlet_head_cannot_set_targets(areas: SqlUnitOfWork) -> None:  # noqa: F811
    head = await new_user(areas, HEAD_H1)
    with pytest.raises(NotAllowed):
        await tg.set_target(areas, head, "H1", "gia_dinh", YEAR, 70, NOW)
    with pytest.raises(NotAllowed):
        await tg.targets_of(areas, head, "H1", "gia_dinh", YEAR, NOW)


# --- deadlines --------------------------------------------------------------------------------


async def set_day(uow: SqlUnitOfWork, which: Deadline, day: date | None, who: int = OFFICER_C1):
    actor = (
        await new_user(uow, who) if await uow.users.get(who) is None else await uow.users.get(who)
    )
    assert actor is not None
    return await dl.set_deadline(uow, actor, "C1", "gia_dinh", YEAR, which, day, NOW, ZONE)


async def test_an_officer_sets_the_years_deadlines_one_by_one(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await set_day(areas, Deadline.REGISTRATION_CLOSES, date(2026, 3, 31))
    await set_day(areas, Deadline.ASSESSMENT_CLOSES, date(2026, 11, 30))

    shown = await dl.deadlines_of(areas, await officer(areas), "C1", "gia_dinh", YEAR, NOW)

    assert shown.day(Deadline.REGISTRATION_CLOSES, ZONE) == date(2026, 3, 31)
    assert shown.day(Deadline.ASSESSMENT_CLOSES, ZONE) == date(2026, 11, 30)
    assert [e["deadline"] for e in await audit(areas, "set_deadline")] == [
        "registration_closes",
        "assessment_closes",
    ]


async def test_a_day_out_of_order_is_refused_and_changes_nothing(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await set_day(areas, Deadline.ASSESSMENT_CLOSES, date(2026, 11, 30))

    with pytest.raises(ServiceError) as refused:
        await set_day(areas, Deadline.VERIFICATION_CLOSES, date(2026, 11, 1))

    assert refused.value.msgid == MSG_ORDER
    assert refused.value.params["later"] == Deadline.VERIFICATION_CLOSES
    kept = await dl.deadlines_of(areas, await officer(areas), "C1", "gia_dinh", YEAR, NOW)
    assert kept.verification_closes is None


async def test_deadlines_are_a_communes(areas: SqlUnitOfWork) -> None:  # noqa: F811
    with pytest.raises(ServiceError) as refused:
        await dl.set_deadline(
            areas, super_admin(), "H1", "gia_dinh", YEAR, Deadline.REGISTRATION_CLOSES,
            date(2026, 3, 31), NOW, ZONE,
        )  # fmt: skip
    assert refused.value.msgid == dl.MSG_NOT_A_COMMUNE


async def test_another_communes_officer_cannot_set_them(areas: SqlUnitOfWork) -> None:  # noqa: F811
    with pytest.raises(NotAllowed):
        await set_day(areas, Deadline.REGISTRATION_CLOSES, date(2026, 3, 31), who=OFFICER_C2)
    assert (
        await areas.registrations.deadlines(["C1"], "gia_dinh", YEAR)
    ).registration_closes is None


# --- what the deadlines limit -----------------------------------------------------------------


async def test_registering_after_the_window_closed_is_refused(areas: SqlUnitOfWork) -> None:  # noqa: F811
    await set_day(areas, Deadline.REGISTRATION_CLOSES, TODAY - timedelta(days=1))
    await new_user(areas, ALICE, consent=True)

    with pytest.raises(ServiceError) as refused:
        await hh.register_household(areas, ALICE, form(), year=YEAR, now=NOW)

    assert refused.value.msgid == MSG_REGISTRATION_CLOSED
    assert await hh.household_of(areas, ALICE) is None


async def test_registering_on_the_last_day_is_still_allowed(areas: SqlUnitOfWork) -> None:  # noqa: F811
    await set_day(areas, Deadline.REGISTRATION_CLOSES, TODAY)
    await new_user(areas, ALICE, consent=True)

    await hh.register_household(areas, ALICE, form(), year=YEAR, now=NOW)

    assert await hh.household_of(areas, ALICE) is not None


async def test_pledges_at_a_meeting_before_the_window_opens_are_refused(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await set_day(areas, Deadline.REGISTRATION_OPENS, TODAY + timedelta(days=1))
    head = await new_user(areas, HEAD_H1)
    family = await household(areas, "Lê Văn Cường", "+84912000003")

    with pytest.raises(ServiceError) as refused:
        await hm.collect_pledges(areas, head, "H1", [family], TODAY, year=YEAR, now=NOW)

    assert refused.value.msgid == MSG_REGISTRATION_NOT_OPEN
    assert await registration_of(areas, family) is None


async def test_verifying_after_the_deadline_is_refused(areas: SqlUnitOfWork) -> None:  # noqa: F811
    await set_day(areas, Deadline.VERIFICATION_CLOSES, TODAY - timedelta(days=1))
    head = await new_user(areas, HEAD_H1)
    family = await household(areas, "Nguyễn Văn An", "+84912000001", status=Status.SELF_ASSESSED)
    registration = await registration_of(areas, family)

    with pytest.raises(ServiceError) as refused:
        await a.decide(areas, RecordingNotifier(), head, registration.id, Status.VERIFIED, NOW)

    assert refused.value.msgid == MSG_VERIFICATION_CLOSED
    assert (await registration_of(areas, family)).status == Status.SELF_ASSESSED


# --- officers invite colleagues -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "area"), [(HEAD_H1, "C1"), (OFFICER_C2, "C1"), (OFFICER_C1, "H1")]
)
async def test_only_an_officer_of_the_commune_invites_a_colleague_to_it(
    areas: SqlUnitOfWork,  # noqa: F811
    who: int,
    area: str,
) -> None:
    with pytest.raises(NotAllowed):
        await hm.create_officer_invite(areas, await officer(areas, who), area, NOW)
    assert (await audit(areas, "refused"))[-1]["attempted"] == "invite_officer"


async def test_accepting_an_officer_invitation_grants_the_commune_and_tells_the_inviter(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    created = await hm.create_officer_invite(areas, await officer(areas), "C1", NOW)
    notifier = RecordingNotifier()
    await new_user(areas, 7001)

    await hm.accept_invite(areas, notifier, 7001, created.token, NOW)

    colleague = await areas.users.get(7001)
    assert colleague is not None
    assert [(g.role, g.area_code) for g in colleague.grants] == [(Role.COMMUNE_OFFICER, "C1")]
    assert notifier.sent[0][0] == OFFICER_C1
    assert notifier.sent[0][2] == hm.MSG_OFFICER_APPOINTED
    with pytest.raises(ServiceError):  # single use
        await hm.accept_invite(areas, notifier, 7002, created.token, NOW)
