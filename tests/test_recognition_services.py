"""/recognize in the service layer: the commune recognises proposed households by one
decision, or declines one with a reason; families are told; nothing else is touched."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from bot.domain.recognition import MSG_REASON_NEEDED, Decision
from bot.domain.status import Status
from bot.domain.users import User
from bot.services import recognition as rc
from bot.services.errors import NotAllowed, ServiceError
from storage.uow import SqlUnitOfWork
from tests.test_hamlet_services import (
    HEAD_H1,
    NOW,
    OFFICER_C1,
    OFFICER_C2,
    YEAR,
    RecordingNotifier,
    areas,  # noqa: F401  (fixture)
    audit,
    household,
    new_user,
    registration_of,
)

DECISION = Decision("125/QĐ-UBND", date(2026, 12, 20))


async def officer(uow: SqlUnitOfWork, user_id: int = OFFICER_C1) -> User:
    return await uow.users.get(user_id) or await new_user(uow, user_id)


async def proposal(uow: SqlUnitOfWork, name: str, phone: str, **kwargs: object) -> int:
    """A verified household (with a linked account); its registration id."""
    family = await household(uow, name, phone, status=Status.VERIFIED, **kwargs)  # type: ignore[arg-type]
    return int((await registration_of(uow, family)).id)


async def status_of(uow: SqlUnitOfWork, registration_id: int) -> Status:
    registration = await uow.registrations.get(registration_id)
    assert registration is not None
    return registration.status


async def test_the_list_holds_the_communes_verified_households_only(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    an = await proposal(areas, "An", "+84912000001")
    binh = await proposal(areas, "Bình", "+84912000002", hamlet="H2")
    await proposal(areas, "Tân", "+84912000003", hamlet="H3")  # another commune
    await household(areas, "Cường", "+84912000004", status=Status.SELF_ASSESSED)

    found = await rc.proposed(areas, await officer(areas), "C1", YEAR, NOW)

    assert [p.registration_id for p in found] == [an, binh]
    assert [p.head_name for p in found] == ["An", "Bình"]


async def test_recognising_records_the_decision_and_tells_each_family(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    an = await proposal(areas, "An", "+84912000001", account=11)
    binh = await proposal(areas, "Bình", "+84912000002", account=12)
    kept = await proposal(areas, "Cúc", "+84912000003", account=13)
    notifier = RecordingNotifier()

    count = await rc.recognise(
        areas, notifier, await officer(areas), "C1", [an, binh], DECISION, year=YEAR, now=NOW
    )

    assert count == 2
    assert [await status_of(areas, r) for r in (an, binh, kept)] == [
        Status.RECOGNISED,
        Status.RECOGNISED,
        Status.VERIFIED,
    ]
    row = await areas.registrations.get(an)
    assert row is not None
    assert row.events[-1].comment == "125/QĐ-UBND"
    decided = await areas.session.execute(
        text("SELECT decision_no, decided_on FROM registrations WHERE id = :i"), {"i": an}
    )
    number, day = decided.one()
    assert number == "125/QĐ-UBND"
    assert str(day) == "2026-12-20"
    assert sorted(user for user, *_ in notifier.sent) == [11, 12]
    assert notifier.sent[0][2] == rc.MSG_RECOGNISED
    assert notifier.sent[0][3]["decision"] == "125/QĐ-UBND"
    [entry] = await audit(areas, "recognise")
    assert (entry["count"], entry["decision"], entry["actor_id"]) == (2, "125/QĐ-UBND", OFFICER_C1)


async def test_one_household_of_another_commune_stops_the_whole_decision(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    ours = await proposal(areas, "An", "+84912000001")
    theirs = await proposal(areas, "Tân", "+84912000003", hamlet="H3")

    with pytest.raises(NotAllowed):
        await rc.recognise(
            areas, RecordingNotifier(), await officer(areas), "C1", [ours, theirs], DECISION,
            year=YEAR, now=NOW,
        )  # fmt: skip

    assert await status_of(areas, ours) == Status.VERIFIED
    assert await status_of(areas, theirs) == Status.VERIFIED
    assert (await audit(areas, "refused"))[-1]["attempted"] == "recognise"


async def test_a_household_decided_meanwhile_is_explained_not_refused(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    ours = await proposal(areas, "An", "+84912000001")
    done = await proposal(areas, "Bình", "+84912000002")
    me = await officer(areas)
    await rc.recognise(areas, RecordingNotifier(), me, "C1", [done], DECISION, year=YEAR, now=NOW)

    with pytest.raises(ServiceError) as stale:
        await rc.recognise(
            areas, RecordingNotifier(), me, "C1", [ours, done], DECISION, year=YEAR, now=NOW
        )

    assert stale.value.msgid == rc.MSG_NO_LONGER_PROPOSED
    assert await status_of(areas, ours) == Status.VERIFIED


async def test_nothing_chosen_is_asked_again(areas: SqlUnitOfWork) -> None:  # noqa: F811
    with pytest.raises(ServiceError) as empty:
        await rc.recognise(
            areas,
            RecordingNotifier(),
            await officer(areas),
            "C1",
            [],
            DECISION,
            year=YEAR,
            now=NOW,
        )
    assert empty.value.msgid == rc.MSG_NONE_CHOSEN


@pytest.mark.parametrize("who", [HEAD_H1, OFFICER_C2])
async def test_only_the_communes_officers_recognise(
    areas: SqlUnitOfWork,  # noqa: F811
    who: int,
) -> None:
    ours = await proposal(areas, "An", "+84912000001")
    with pytest.raises(NotAllowed):
        await rc.recognise(
            areas, RecordingNotifier(), await officer(areas, who), "C1", [ours], DECISION,
            year=YEAR, now=NOW,
        )  # fmt: skip
    assert await status_of(areas, ours) == Status.VERIFIED


async def test_declining_tells_the_family_the_reason(areas: SqlUnitOfWork) -> None:  # noqa: F811
    ours = await proposal(areas, "An", "+84912000001", account=11)
    notifier = RecordingNotifier()

    await rc.decline(areas, notifier, await officer(areas), ours, "Chưa đủ sách báo", NOW)

    assert await status_of(areas, ours) == Status.NOT_RECOGNISED
    [(user, _, _, params)] = notifier.sent
    assert (user, params["comment"]) == (11, "Chưa đủ sách báo")


async def test_declining_without_a_reason_is_asked_again(areas: SqlUnitOfWork) -> None:  # noqa: F811
    ours = await proposal(areas, "An", "+84912000001")
    with pytest.raises(ServiceError) as refused:
        await rc.decline(areas, RecordingNotifier(), await officer(areas), ours, "  ", NOW)
    assert refused.value.msgid == MSG_REASON_NEEDED
    assert await status_of(areas, ours) == Status.VERIFIED
