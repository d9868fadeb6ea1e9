"""The five titles in the commune's numbers: /stats, /targets, /chart and /export count each
title's own subjects (households, the members households declared, clans, hamlets, confirmed
units) against the national target of bot/data/targets.toml unless an area set its own."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from aiogram.methods import SendPhoto
from openpyxl import load_workbook

from bot.domain.hamlets import ListFilter
from bot.domain.national_targets import (
    NationalTargetsError,
    national_target,
    parse_national_targets,
)
from bot.domain.stats import Numbers
from bot.domain.status import Status
from bot.services import groups as gr
from bot.services.commune_export import export_households
from bot.services.group_review import recognise_group
from bot.services.stats import area_stats
from bot.target_files import load_national_targets
from storage.uow import SqlUnitOfWork
from tests.test_commune_dialogs import HEAD, chat  # noqa: F401  (fixture)
from tests.test_dialogs import buttons
from tests.test_group_services import DECISION, clan_of_three, family, user, verified_clan
from tests.test_hamlet_services import (
    DAVE,
    HEAD_H1,
    NOW,
    OFFICER_C1,
    YEAR,
    ZONE,
    areas,  # noqa: F401  (fixture)
    new_user,
)
from tests.test_household_dialogs import Family
from tests.test_household_services import RecordingNotifier


async def groups_of_c1(uow: SqlUnitOfWork) -> None:
    """In C1 (hamlets H1, H2): Alice's clan of three families (recognised), two units of
    which the commune confirmed one, the hamlet H1 registered, and one learning citizen."""
    clan, homes = await clan_of_three(uow)
    await uow.registrations.set_status(
        clan.registration.id, Status.RECOGNISED, NOW, score=(90, True)
    )
    dave = await new_user(uow, DAVE, consent=True)
    school, _ = await gr.register_unit(
        uow, dave, "Trường Đông Hòa", "school", 30, "C1", year=YEAR, now=NOW
    )
    await gr.register_unit(uow, dave, "HTX Đông Hòa", "cooperative", 12, "C1", year=YEAR, now=NOW)
    await gr.confirm_unit(uow, await user(uow, OFFICER_C1), school.id, NOW)
    await gr.register_hamlet(uow, await user(uow, HEAD_H1), "H1", year=YEAR, now=NOW)
    await uow.registrations.add(homes[0], "member:1", "cong_dan", YEAR, (), NOW)
    await uow.commit()


async def stats_of(uow: SqlUnitOfWork, title: str, area: str = "C1") -> Any:
    return await area_stats(uow, await user(uow, OFFICER_C1), area, YEAR, NOW, ZONE, title)


async def test_clans_and_units_are_the_communes_and_count_against_their_own_targets(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await groups_of_c1(areas)

    clans = await stats_of(areas, "dong_ho")
    assert clans.numbers == Numbers(
        households=1, registered=1, self_assessed=1, passed=1, verified=1, recognised=1
    )
    assert (clans.target, clans.to_recognise) == (65, 0)  # QĐ 387: 65% of clans by 2025
    assert clans.below == ()  # a clan is no hamlet's: no ranking of hamlets with none

    units = await stats_of(areas, "don_vi")
    assert (units.numbers.households, units.numbers.registered) == (1, 1)  # confirmed only
    assert (units.target, units.to_recognise, units.to_register) == (80, 1, 0)

    families = await area_stats(areas, await user(areas, OFFICER_C1), "C1", YEAR, NOW, ZONE)
    assert families.numbers.households == 3  # the families' numbers are unchanged


async def test_hamlets_and_citizens_are_counted_per_hamlet(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await groups_of_c1(areas)

    hamlets = await stats_of(areas, "cong_dong")
    assert (hamlets.numbers.households, hamlets.numbers.registered) == (2, 1)
    assert hamlets.target == 65
    assert [(s.code, s.numbers.registered) for s in hamlets.below] == [("H2", 0), ("H1", 1)]

    citizens = await stats_of(areas, "cong_dan")
    # Three families of four members declared; one member registered so far.
    assert (citizens.numbers.households, citizens.numbers.registered) == (12, 1)
    assert citizens.target is None  # the programmes set no share of citizens of this kind


async def test_an_areas_own_target_for_a_title_wins_over_the_national_one(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await groups_of_c1(areas)
    await areas.targets.set("C1", "cong_dong", YEAR, 100)
    await areas.commit()

    hamlets = await stats_of(areas, "cong_dong")

    assert (hamlets.target, hamlets.to_recognise) == (100, 2)
    assert (await stats_of(areas, "dong_ho")).target == 65  # other titles keep theirs


async def test_the_communes_workbook_lists_the_other_titles_and_its_groups(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    await groups_of_c1(areas)
    await family(areas, "Đào", "+84912000009", hamlet="H2")
    out = io.BytesIO()

    await export_households(
        areas, await user(areas, OFFICER_C1), "C1", YEAR, ListFilter.ALL, NOW, ZONE, out
    )

    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames[:2] == ["Tổng hợp", "Dòng họ, đơn vị, thôn"]
    summary = [[cell.value for cell in row] for row in book["Tổng hợp"].iter_rows()]
    titles = {row[0]: row[1:] for row in summary if row and row[0]}
    # what can hold the title, registered, self-assessed, verified, recognised
    assert titles["Dòng họ học tập"] == [1, 1, 1, 1, 1]
    assert titles["Đơn vị học tập"] == [1, 1, 0, 0, 0]
    assert titles["Cộng đồng học tập (thôn)"] == [2, 1, 0, 0, 0]
    assert titles["Công dân học tập"] == [16, 1, 0, 0, 0]
    groups = [[cell.value for cell in row] for row in book["Dòng họ, đơn vị, thôn"].iter_rows()]
    listed = sorted((row[1], row[2], row[3], row[4]) for row in groups[1:])
    assert listed == [
        ("Cộng đồng học tập (thôn)", "Thôn Đoài", None, "Chưa tự đánh giá"),
        ("Dòng họ học tập", "Họ Nguyễn Văn - chi 2", 90, "Được công nhận"),
        ("Đơn vị học tập", "HTX Đông Hòa", None, "Chưa tự đánh giá"),
        ("Đơn vị học tập", "Trường Đông Hòa", None, "Chưa tự đánh giá"),
    ]
    recognised = next(row for row in groups[1:] if row[2] == "Họ Nguyễn Văn - chi 2")
    assert recognised[5] is not None  # the day the commune recognised it
    assert recognised[6] is None  # recorded without a decision


async def test_the_groups_sheet_shows_the_decision_that_recognised_a_group(
    areas: SqlUnitOfWork,  # noqa: F811
) -> None:
    registered = await verified_clan(areas)
    officer = await user(areas, OFFICER_C1)
    await recognise_group(
        areas, RecordingNotifier(), officer, "C1", registered.registration.id, DECISION, NOW
    )
    out = io.BytesIO()

    await export_households(areas, officer, "C1", YEAR, ListFilter.ALL, NOW, ZONE, out)

    sheet = load_workbook(io.BytesIO(out.getvalue()))["Dòng họ, đơn vị, thôn"]
    header, row = ([cell.value for cell in row] for row in sheet.iter_rows())
    assert header[5:] == ["Ngày công nhận", "Số quyết định"]
    assert row[1:] == [
        "Dòng họ học tập",
        registered.clan.name,
        90,
        "Được công nhận",
        datetime(YEAR, 12, 1),  # the decision's day, not the day it was typed in
        "37/QĐ-UBND",
    ]


def test_the_national_targets_apply_until_a_newer_programme_is_written_in() -> None:
    shipped = load_national_targets()
    assert national_target(shipped, "gia_dinh", 2023) == 70  # working towards 2025
    assert national_target(shipped, "dong_ho", 2020) == 50  # QĐ 281's year
    assert national_target(shipped, "dong_ho", 2021) == 65  # then QĐ 387's
    assert national_target(shipped, "don_vi", 2031) == 80  # the last one stays in force
    assert national_target(shipped, "cong_dan", 2025) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[targets]]\nyear = 2025\nsource = "QĐ"\nho_gia = 70\n', "targets[0].ho_gia"),
        ('[[targets]]\nyear = 2025\nsource = "QĐ"\ngia_dinh = 170\n', "targets[0].gia_dinh"),
        ("[[targets]]\nyear = 2025\ngia_dinh = 70\n", "targets[0].source"),
        ('[[targets]]\nsource = "QĐ"\n', "targets[0].year"),
        (
            '[[targets]]\nyear = 2025\nsource = "A"\n[[targets]]\nyear = 2025\nsource = "B"\n',
            "twice",
        ),
    ],
)
def test_a_broken_targets_file_says_where(text: str, problem: str) -> None:
    with pytest.raises(
        NationalTargetsError, match=problem.replace("[", r"\[").replace("]", r"\]")
    ):
        parse_national_targets(text)


async def test_an_officer_steps_through_the_titles_in_stats_targets_and_the_chart(
    chat: Family,  # noqa: F811
) -> None:
    async with chat.session_factory() as session:
        uow = SqlUnitOfWork(session)
        head = await uow.users.get(HEAD.id)
        assert head is not None
        await gr.register_hamlet(uow, head, "H1", year=YEAR, now=NOW)

    shown = await chat.send("/stats")
    assert "🏷 Title: Learning family" in (shown.text or "")
    await chat.click("🔄 Learning family")
    await chat.click("🔄 Learning citizen")
    hamlets = await chat.click("🔄 Learning clan")
    text = hamlets.text or ""
    assert "🏷 Title: Learning community" in text
    assert "🏘 Hamlets: 3" in text  # the three hamlets of the commune
    assert "📝 Registered: 1 (33%)" in text
    assert "✅ Verified by the commune: 0 (0%)" in text
    assert "🎯 2 more hamlets to be recognised to reach 65%." in text
    await chat.click("📈 Chart")
    [photo] = [call for call in chat.session.calls if isinstance(call, SendPhoto)]
    assert "🏷 Title: Learning community" in (photo.caption or "")

    targets = await chat.send("/targets")
    assert "Xã Đông Hòa: 70%, national" in buttons(targets)
    await chat.click("🔄 Learning family")
    await chat.click("🔄 Learning citizen")
    clans = await chat.click("🔄 Learning clan")
    assert "🏷 Learning community: the share to be recognised" in (clans.text or "")
    assert "Xã Đông Hòa: 65%, national" in buttons(clans)
    await chat.click("Xã Đông Hòa")
    listed = await chat.send("90")
    assert "Xã Đông Hòa: 90%" in buttons(listed)
    async with chat.session_factory() as session:
        assert await SqlUnitOfWork(session).targets.of(["C1"], "cong_dong", YEAR) == {"C1": 90}
        assert await SqlUnitOfWork(session).targets.of(["C1"], "gia_dinh", YEAR) == {}
