"""Clans, units and hamlets as subjects of their titles, in the service layer: registering,
confirming membership, the facts the bot fills in (live, then as submitted), who may act
for a group, and the commune's review through the same code as households'."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.criteria_files import shipped_criteria
from bot.domain.criteria_model import Title
from bot.domain.facts import Fact, Share
from bot.domain.groups import GroupKind, group_of
from bot.domain.recognition import Decision
from bot.domain.scoring import Level, Ratio, YesNo
from bot.domain.status import Status
from bot.domain.users import User
from bot.services import assessments as sa
from bot.services import group_review as rv
from bot.services import groups as gr
from bot.services.errors import NotAllowed, ServiceError
from storage.uow import SqlUnitOfWork
from tests.test_hamlet_services import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    HEAD_H1,
    HEAD_H2,
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

SHIPPED = shipped_criteria()
LATER = NOW + timedelta(days=2)
CLAN_NAME = "Họ Nguyễn Văn – chi 2"
GOOD_CLAN_ANSWERS = {"2b": YesNo(True), "3a": YesNo(True), "3b": YesNo(True), "3c": Level("yes")}


async def user(uow: SqlUnitOfWork, user_id: int) -> User:
    return await uow.users.get(user_id) or await new_user(uow, user_id, consent=True)


async def family(
    uow: SqlUnitOfWork, name: str, phone: str, *, hamlet: str = "H1", **kwargs: object
) -> int:
    return await household(uow, name, phone, hamlet=hamlet, **kwargs)  # type: ignore[arg-type]


async def clan_of_three(uow: SqlUnitOfWork) -> tuple[gr.ClanRegistered, list[int]]:
    """Alice's clan: her family (H1) and Bob's (H2, another hamlet) and Carol's (H1)."""
    alice = await family(uow, "An", "+84912000001", account=ALICE, status=Status.RECOGNISED)
    bob = await family(uow, "Bình", "+84912000002", hamlet="H2", account=BOB)
    carol = await family(uow, "Cúc", "+84912000003", account=CAROL, status=Status.REGISTERED)
    await uow.users.set_consent(ALICE, 1, NOW)
    await uow.commit()
    registered = await gr.register_clan(
        uow, await user(uow, ALICE), CLAN_NAME, "C1", [alice, bob, carol], year=YEAR, now=NOW
    )
    return registered, [alice, bob, carol]


async def test_anyone_registered_registers_a_clan_across_hamlets_and_only_their_own_family_is_in(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, (alice, bob, carol) = await clan_of_three(areas)

    assert registered.clan.name == "Họ Nguyễn Văn - chi 2"
    assert registered.asked == (alice, bob, carol)
    members = {m.household_id: m.confirmed for m in await areas.clans.members(registered.clan.id)}
    assert members == {alice: True, bob: False, carol: False}
    assert registered.registration.status == Status.REGISTERED
    assert registered.registration.household_id is None
    assert registered.registration.area_code == "C1"
    assert group_of(registered.registration.subject) is not None
    [entry] = await audit(areas, "clan_registered")
    assert (entry["clan"], entry["asked"], entry["actor_id"]) == (registered.clan.id, 3, ALICE)


async def test_a_household_of_another_commune_or_clan_is_not_asked(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    _, (_, bob, _) = await clan_of_three(areas)
    elsewhere = await family(areas, "Tân", "+84912000009", hamlet="H3")
    dave = await new_user(areas, DAVE, consent=True)

    second = await gr.register_clan(
        areas, dave, "Họ Trần", "C1", [bob, elsewhere, 999_999], year=YEAR, now=NOW
    )

    assert second.asked == ()
    assert second.in_other_clan == (bob,)
    assert second.outside == (elsewhere, 999_999)


async def test_a_clan_needs_a_real_commune_a_clean_name_and_consent(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    dave = await new_user(areas, DAVE, consent=True)
    with pytest.raises(ServiceError):
        await gr.register_clan(areas, dave, "Họ Lê", "H1", [], year=YEAR, now=NOW)
    with pytest.raises(ServiceError):
        await gr.register_clan(areas, dave, "<b>Họ</b>", "C1", [], year=YEAR, now=NOW)
    with pytest.raises(NotAllowed):
        await gr.register_clan(areas, User(PLAIN_ID), "Họ Lê", "C1", [], year=YEAR, now=NOW)
    assert await areas.clans.of_commune("C1") == []


PLAIN_ID = 4444


async def test_a_member_family_confirms_with_one_tap_and_a_forged_clan_is_refused(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, (_, bob, _) = await clan_of_three(areas)
    clan = registered.clan

    assert await gr.pending_clan(areas, BOB) == clan
    with pytest.raises(NotAllowed):
        await gr.confirm_clan(areas, BOB, clan.id + 1, NOW)
    assert (await audit(areas, "refused"))[-1]["attempted"] == "confirm_clan"
    assert await gr.confirm_clan(areas, BOB, clan.id, NOW) == clan
    assert await gr.pending_clan(areas, BOB) is None
    assert (await areas.clans.membership(bob)).confirmed  # type: ignore[union-attr]


async def test_the_clan_share_counts_confirmed_families_across_hamlets_and_forgets_a_leaver(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, (_, bob, carol) = await clan_of_three(areas)
    facts = await gr.group_facts(areas, registered.registration, SHIPPED)
    # Only Alice's family confirmed so far, and it is recognised.
    assert facts[Fact.CLAN_LEARNING_FAMILIES] == Share(1, 1)

    await gr.confirm_clan(areas, BOB, registered.clan.id, NOW)
    await gr.confirm_clan(areas, CAROL, registered.clan.id, NOW)
    bob_registration = await areas.registrations.add(bob, "household", "gia_dinh", YEAR, (), NOW)
    await areas.registrations.set_status(
        bob_registration.id, Status.SELF_ASSESSED, NOW, score=(85, True)
    )
    await areas.commit()
    facts = await gr.group_facts(areas, registered.registration, SHIPPED)
    # Bob's self-assessment passed (H2): counted; Carol's family only registered.
    assert facts[Fact.CLAN_LEARNING_FAMILIES] == Share(3, 2)

    await gr.leave_clan(areas, CAROL, NOW)
    facts = await gr.group_facts(areas, registered.registration, SHIPPED)
    assert facts[Fact.CLAN_LEARNING_FAMILIES] == Share(2, 2)
    assert (await audit(areas, "clan_left"))[-1]["clan"] == registered.clan.id
    assert carol not in {m.household_id for m in await areas.clans.members(registered.clan.id)}


async def test_children_in_school_add_up_the_member_families_own_answers(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, (alice, bob, _) = await clan_of_three(areas)
    await gr.confirm_clan(areas, BOB, registered.clan.id, NOW)
    bob_registration = await areas.registrations.add(bob, "household", "gia_dinh", YEAR, (), NOW)
    await areas.commit()
    for user_id, registration_id, answer in (
        (ALICE, (await registration_of(areas, alice)).id, Ratio(3, 3)),
        (BOB, bob_registration.id, Ratio(2, 1)),
    ):
        opened = await sa.open_assessment(
            areas, user_id, registration_id, shipped=SHIPPED, now=NOW
        )
        if opened.registration.can_answer:
            await sa.answer_question(areas, opened, "1a", answer, NOW)
        else:  # Alice's family is recognised already: its answers were kept before
            await areas.registrations.save_answers(
                registration_id,
                opened.registration.criteria_set_id or 0,
                {"1a": {"count": 3, "part": 3}},
            )
            await areas.commit()

    facts = await gr.group_facts(areas, registered.registration, SHIPPED)

    assert facts[Fact.CLAN_CHILDREN_IN_SCHOOL] == Share(5, 4)


async def test_the_representative_answers_what_the_bot_cannot_count_figures_freeze_on_submit(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, (_, bob, _) = await clan_of_three(areas)
    registration_id = registered.registration.id

    opened = await sa.open_assessment(areas, ALICE, registration_id, shipped=SHIPPED, now=NOW)
    assert opened.answers["1a"] == Ratio(1, 1)  # filled in, not asked
    with pytest.raises(ServiceError) as refused:
        await sa.answer_question(areas, opened, "1a", Ratio(10, 10), NOW)
    assert refused.value.msgid == sa.MSG_COUNTED_BY_BOT
    for indicator_id, answer in GOOD_CLAN_ANSWERS.items():
        opened = await sa.answer_question(areas, opened, indicator_id, answer, NOW)
    result = await sa.submit_assessment(areas, ALICE, registration_id, shipped=SHIPPED, now=NOW)
    assert (result.total, result.passed) == (100, True)  # 1 of 1 family, no child counted yet

    # A family confirms afterwards: the submitted assessment keeps the figures it had.
    await gr.confirm_clan(areas, BOB, registered.clan.id, LATER)
    after = await sa.open_assessment(areas, ALICE, registration_id, shipped=SHIPPED, now=LATER)
    assert after.registration.status == Status.SELF_ASSESSED
    assert after.answers["1a"] == Ratio(1, 1)
    assert (after.result.total, after.result.passed) == (100, True)

    # Reopened, it counts again: Bob's family is not learning, half of two is still enough.
    await sa.reopen_assessment(areas, ALICE, registration_id, LATER)
    reopened = await sa.open_assessment(areas, ALICE, registration_id, shipped=SHIPPED, now=LATER)
    assert reopened.answers["1a"] == Ratio(2, 1)
    assert reopened.result.total == 80
    assert bob  # (used above through the clan)


async def test_only_the_representative_or_the_commune_opens_a_clans_assessment(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, _ = await clan_of_three(areas)
    registration_id = registered.registration.id
    await user(areas, HEAD_H1)
    await user(areas, OFFICER_C2)

    for outsider in (BOB, HEAD_H1, OFFICER_C2):
        with pytest.raises(NotAllowed):
            await sa.open_assessment(areas, outsider, registration_id, shipped=SHIPPED, now=NOW)
    assert len(await audit(areas, "refused")) == 3
    officer = await user(areas, OFFICER_C1)
    opened = await sa.open_assessment(areas, officer.id, registration_id, shipped=SHIPPED, now=NOW)
    assert opened.on_behalf


async def test_the_commune_verifies_and_recognises_a_clan_and_the_representative_is_told(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, _ = await clan_of_three(areas)
    registration_id = registered.registration.id
    opened = await sa.open_assessment(areas, ALICE, registration_id, shipped=SHIPPED, now=NOW)
    for indicator_id, answer in GOOD_CLAN_ANSWERS.items():
        opened = await sa.answer_question(areas, opened, indicator_id, answer, NOW)
    await sa.submit_assessment(areas, ALICE, registration_id, shipped=SHIPPED, now=NOW)
    notifier = RecordingNotifier()
    head = await user(areas, HEAD_H1)

    with pytest.raises(NotAllowed):  # clans cross hamlets: not the hamlet head's to verify
        await sa.decide(areas, notifier, head, registration_id, Status.VERIFIED, NOW)
    officer = await user(areas, OFFICER_C1)
    await sa.decide(areas, notifier, officer, registration_id, Status.VERIFIED, NOW)
    with pytest.raises(ValueError):  # a group is recognised by a decision, not without one
        await sa.decide(areas, notifier, officer, registration_id, Status.RECOGNISED, NOW)
    await rv.recognise_group(areas, notifier, officer, "C1", registration_id, DECISION, NOW)

    decided = await areas.registrations.get(registration_id)
    assert decided is not None
    assert decided.status == Status.RECOGNISED
    assert [(to, msgid) for to, _, msgid, _ in notifier.sent] == [
        (ALICE, sa.GROUP_STATUS_NOTICES[Status.VERIFIED]),
        (ALICE, sa.MSG_GROUP_RECOGNISED),
    ]
    assert notifier.sent[-1][3]["name"] == "Họ Nguyễn Văn - chi 2"
    assert [e["subject"] for e in await audit(areas, "decide")] == [registered.clan.subject] * 2


async def test_a_hamlets_figures_come_from_its_households_and_are_kept_as_submitted(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await family(areas, "An", "+84912000001", status=Status.RECOGNISED)
    await family(areas, "Bình", "+84912000002", status=Status.SELF_ASSESSED)
    await family(areas, "Cúc", "+84912000003", status=Status.REGISTERED)
    await family(areas, "Dũng", "+84912000004")
    await family(areas, "Em", "+84912000005", hamlet="H2", status=Status.RECOGNISED)
    head = await user(areas, HEAD_H1)

    registration = await gr.register_hamlet(areas, head, "H1", year=YEAR, now=NOW)
    assert await gr.register_hamlet(areas, head, "H1", year=YEAR, now=NOW) == registration
    with pytest.raises(NotAllowed):
        await gr.register_hamlet(areas, await user(areas, HEAD_H2), "H1", year=YEAR, now=NOW)

    opened = await sa.open_assessment(areas, HEAD_H1, registration.id, shipped=SHIPPED, now=NOW)
    assert not opened.on_behalf
    assert opened.facts[Fact.HAMLET_FAMILIES_REGISTERED] == Share(4, 3)
    assert opened.facts[Fact.HAMLET_LEARNING_FAMILIES] == Share(4, 2)
    assert opened.facts[Fact.HAMLET_LEARNING_CLANS] == Share(0, 0)
    for indicator_id, answer in {
        "3a": Level("4plus"),
        "3b": YesNo(True),
        "3c": YesNo(True),
    }.items():
        opened = await sa.answer_question(areas, opened, indicator_id, answer, NOW)
    result = await sa.submit_assessment(areas, HEAD_H1, registration.id, shipped=SHIPPED, now=NOW)
    # 3 of 4 registered (10), 2 of 4 learning (10), no clan (10), activities (50).
    assert (result.total, result.passed) == (80, True)

    await family(areas, "Gấm", "+84912000006", status=Status.RECOGNISED)  # after submission
    kept = await sa.open_assessment(areas, HEAD_H1, registration.id, shipped=SHIPPED, now=LATER)
    assert kept.answers["1a"] == Ratio(4, 3)
    assert kept.result.total == 80


async def test_a_unit_counts_its_staff_who_are_learning_citizens_against_its_declared_size(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    dave = await new_user(areas, DAVE, consent=True)
    unit, registration = await gr.register_unit(
        areas, dave, "Trường Tiểu học Đông Hòa", "school", 4, "C1", year=YEAR, now=NOW
    )
    with pytest.raises(NotAllowed):
        await gr.confirm_unit(areas, await user(areas, OFFICER_C2), unit.id, NOW)
    await gr.confirm_unit(areas, await user(areas, OFFICER_C1), unit.id, NOW)
    assert (await areas.units.get(unit.id)).confirmed  # type: ignore[union-attr]

    staff = []
    for index, status in enumerate((Status.RECOGNISED, Status.SELF_ASSESSED, Status.REGISTERED)):
        account = 7000 + index
        home = await family(areas, f"Nhà {index}", f"+8491200010{index}", account=account)
        citizen = await areas.registrations.add(
            home, f"member:{index + 1}", "cong_dan", YEAR, (), NOW
        )
        if status != Status.REGISTERED:
            await areas.registrations.set_status(citizen.id, status, NOW, score=(85, True))
        await areas.commit()
        await gr.count_for_unit(areas, account, citizen.id, unit.code.lower(), NOW)
        staff.append(citizen.id)
    with pytest.raises(NotAllowed):  # someone else's registration cannot be counted
        await gr.count_for_unit(areas, 7000, staff[1], unit.code, NOW)

    facts = await gr.group_facts(areas, registration, SHIPPED)

    assert facts == {Fact.UNIT_LEARNING_CITIZENS: Share(4, 2)}
    assert group_of(registration.subject).kind == GroupKind.UNIT  # type: ignore[union-attr]


async def test_a_unit_is_recognised_only_once_the_commune_confirmed_it_is_real(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    dave = await new_user(areas, DAVE, consent=True)
    unit, registration = await gr.register_unit(
        areas, dave, "Trường Tiểu học Đông Hòa", "school", 4, "C1", year=YEAR, now=NOW
    )
    await areas.registrations.set_status(registration.id, Status.VERIFIED, NOW, score=(90, True))
    await areas.commit()
    notifier = RecordingNotifier()
    officer = await user(areas, OFFICER_C1)

    with pytest.raises(ServiceError) as refused:
        await rv.recognise_group(areas, notifier, officer, "C1", registration.id, DECISION, NOW)
    assert refused.value.msgid == rv.MSG_UNIT_NOT_CONFIRMED
    kept = await areas.registrations.get(registration.id)
    assert kept is not None
    assert kept.status == Status.VERIFIED
    assert notifier.sent == []

    await gr.confirm_unit(areas, officer, unit.id, NOW)
    await rv.recognise_group(areas, notifier, officer, "C1", registration.id, DECISION, NOW)
    assert [(to, msgid) for to, _, msgid, _ in notifier.sent] == [(DAVE, sa.MSG_GROUP_RECOGNISED)]


async def test_a_unit_needs_a_known_kind_and_a_sensible_size(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    dave = await new_user(areas, DAVE, consent=True)
    for kind, size in (("bank", 10), ("school", 0), ("school", 10_001)):
        with pytest.raises(ServiceError):
            await gr.register_unit(
                areas, dave, "Trường Đông", kind, size, "C1", year=YEAR, now=NOW
            )
    assert await areas.units.of_commune("C1") == []


async def test_the_representative_is_told_when_a_family_confirms_or_declines(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, _ = await clan_of_three(areas)
    notifier = RecordingNotifier()

    await gr.confirm_clan(areas, BOB, registered.clan.id, NOW, notifier)
    await gr.leave_clan(areas, CAROL, NOW, notifier)

    assert [(to, msgid, params) for to, _, msgid, params in notifier.sent] == [
        (ALICE, gr.MSG_FAMILY_JOINED, {"family": "Bình", "clan": registered.clan.name}),
        (ALICE, gr.MSG_FAMILY_LEFT, {"family": "Cúc", "clan": registered.clan.name}),
    ]


DECISION = Decision("37/QĐ-UBND", date(YEAR, 12, 1))


async def verified_clan(uow: SqlUnitOfWork) -> gr.ClanRegistered:
    """Alice's clan, its self-assessment checked by the commune and proposed."""
    registered, _ = await clan_of_three(uow)
    await uow.registrations.set_status(
        registered.registration.id, Status.VERIFIED, NOW, score=(90, True)
    )
    await uow.commit()
    return registered


async def test_the_commune_recognises_a_group_by_a_decision_kept_with_its_number_and_day(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered = await verified_clan(areas)
    registration_id = registered.registration.id
    notifier = RecordingNotifier()
    officer = await user(areas, OFFICER_C1)

    await rv.recognise_group(areas, notifier, officer, "C1", registration_id, DECISION, LATER)

    line = await rv.group_line(areas, officer, "C1", registration_id, LATER)
    assert line.registration.status == Status.RECOGNISED
    assert line.decision == DECISION
    assert await areas.group_registrations.decisions([registration_id]) == {
        registration_id: DECISION
    }
    [(to, _, msgid, params)] = notifier.sent
    assert (to, msgid) == (ALICE, sa.MSG_GROUP_RECOGNISED)
    assert params == {
        "comment": "",
        "decision": "37/QĐ-UBND",
        "day": DECISION.day,
        "title": Title.DONG_HO,
        "year": str(YEAR),
        "name": registered.clan.name,
    }
    [entry] = await audit(areas, "decide")
    assert (entry["status"], entry["decision"], entry["subject"], entry["actor_id"]) == (
        Status.RECOGNISED.value,
        "37/QĐ-UBND",
        registered.clan.subject,
        OFFICER_C1,
    )


async def test_only_the_groups_own_commune_officer_recognises_it_and_a_forged_id_is_written_down(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered = await verified_clan(areas)
    registration_id = registered.registration.id
    household_registration = await registration_of(areas, registered.asked[0])
    notifier = RecordingNotifier()
    head, other = await user(areas, HEAD_H1), await user(areas, OFFICER_C2)
    officer = await user(areas, OFFICER_C1)

    attempts = (
        (head, "C1", registration_id),  # not a commune officer
        (other, "C1", registration_id),  # another commune's officer
        (other, "C2", registration_id),  # its own commune, a forged id
        (officer, "C1", household_registration.id),  # a household's, not a group's
    )
    for actor, commune, forged in attempts:
        with pytest.raises(NotAllowed):
            await rv.recognise_group(areas, notifier, actor, commune, forged, DECISION, LATER)

    assert [e["attempted"] for e in await audit(areas, "refused")] == ["review_groups"] * 4
    assert [e["actor_id"] for e in await audit(areas, "refused")] == [
        HEAD_H1,
        OFFICER_C2,
        OFFICER_C2,
        OFFICER_C1,
    ]
    kept = await areas.registrations.get(registration_id)
    assert kept is not None
    assert kept.status == Status.VERIFIED
    assert await areas.group_registrations.decisions([registration_id]) == {}
    assert notifier.sent == []


async def test_a_group_is_recognised_by_decision_only_once_proposed(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, _ = await clan_of_three(areas)  # registered, not self-assessed
    notifier = RecordingNotifier()
    officer = await user(areas, OFFICER_C1)

    with pytest.raises(ServiceError):
        await rv.recognise_group(
            areas, notifier, officer, "C1", registered.registration.id, DECISION, LATER
        )
    assert await areas.group_registrations.decisions([registered.registration.id]) == {}
    assert notifier.sent == []


async def test_the_units_representative_is_told_once_when_the_commune_confirms_it_is_real(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    dave = await new_user(areas, DAVE, consent=True, language="en")
    unit, _ = await gr.register_unit(
        areas, dave, "Trường Tiểu học Đông Hòa", "school", 4, "C1", year=YEAR, now=NOW
    )
    notifier = RecordingNotifier()

    with pytest.raises(NotAllowed):
        await gr.confirm_unit(areas, await user(areas, OFFICER_C2), unit.id, NOW, notifier)
    officer = await user(areas, OFFICER_C1)
    confirmed = await gr.confirm_unit(areas, officer, unit.id, NOW, notifier)
    again = await gr.confirm_unit(areas, officer, unit.id, LATER, notifier)

    assert confirmed.confirmed
    assert again.confirmed
    assert notifier.sent == [
        (DAVE, "en", gr.MSG_UNIT_CONFIRMED, {"name": "Trường Tiểu học Đông Hòa"})
    ]
    assert len(await audit(areas, "unit_confirmed")) == 1


async def test_only_the_representative_registers_a_clan_again_and_once_a_year(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, _ = await clan_of_three(areas)
    ref = group_of(registered.clan.subject)
    assert ref is not None
    await areas.users.set_consent(BOB, 1, NOW)  # a member family's, not the representative
    bob = await user(areas, BOB)

    with pytest.raises(NotAllowed):  # a forged id from someone else's card
        await gr.register_again(areas, bob, ref, year=YEAR + 1, now=LATER)
    alice = await user(areas, ALICE)
    first = await gr.register_again(areas, alice, ref, year=YEAR + 1, now=LATER)
    second = await gr.register_again(areas, alice, ref, year=YEAR + 1, now=LATER)
    this_year = await gr.register_again(areas, alice, ref, year=YEAR, now=LATER)

    assert first.id == second.id != this_year.id
    assert this_year.id == registered.registration.id  # already registered: nothing new
    assert (first.title, first.year, first.area_code) == ("dong_ho", YEAR + 1, "C1")
    assert [e["actor_id"] for e in await audit(areas, "group_registered_again")] == [ALICE]
    assert [e["actor_id"] for e in await audit(areas, "refused")] == [BOB]


async def test_the_hamlet_head_says_yes_for_a_family_without_telegram(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered, homes = await clan_of_three(areas)  # An's own, Bình's (H2), Cúc's (H1)
    offline = await family(areas, "Dương", "+84912000009")  # H1, no Telegram account
    await areas.clans.add_member(registered.clan.id, offline, NOW, confirmed=False)
    await areas.commit()
    notifier = RecordingNotifier()
    head_h1, head_h2 = await user(areas, HEAD_H1), await user(areas, HEAD_H2)

    with pytest.raises(NotAllowed):  # another hamlet's head
        await gr.confirm_clan_for(areas, head_h2, offline, LATER, notifier)
    with pytest.raises(ServiceError) as on_telegram:  # Cúc answers on her own phone
        await gr.confirm_clan_for(areas, head_h1, homes[2], LATER, notifier)
    assert on_telegram.value.msgid == gr.MSG_ON_TELEGRAM
    clan = await gr.confirm_clan_for(areas, head_h1, offline, LATER, notifier)
    with pytest.raises(ServiceError) as again:
        await gr.confirm_clan_for(areas, head_h1, offline, LATER, notifier)

    assert clan.id == registered.clan.id
    assert again.value.msgid == gr.MSG_NOT_ASKED
    membership = await areas.clans.membership(offline)
    assert membership is not None
    assert membership.confirmed
    assert [(to, msgid) for to, _, msgid, _ in notifier.sent] == [(ALICE, gr.MSG_FAMILY_JOINED)]
    [entry] = await audit(areas, "clan_confirmed")
    assert (entry["actor_id"], entry["for_family"]) == (HEAD_H1, True)
    assert [e["attempted"] for e in await audit(areas, "refused")] == ["confirm_clan_for"]
