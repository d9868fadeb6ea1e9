"""`hoctap areas import --official`: the adapter, the service, the command line.

The last test reads the real national list, so it needs the `vn-map` extra installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import cli
from bot.__main__ import main
from bot.config import Settings, load_settings
from bot.domain.areas import Area
from bot.official_map import (
    OfficialCommune,
    OfficialMap,
    OfficialProvince,
    UnknownProvince,
    load_official_map,
    official_areas,
)
from bot.services.areas import (
    LevelCounts,
    OfficialImportReport,
    import_areas,
    import_official_areas,
)
from storage.uow import SqlUnitOfWork
from tests.conftest import IN_CI

PROVINCES = (
    OfficialProvince(1, "Thành phố Hà Nội", "thành phố trung ương"),
    OfficialProvince(4, "Cao Bằng", "tỉnh"),
)
COMMUNES = (
    OfficialCommune(70, "Phường Hoàn Kiếm", 1),
    OfficialCommune(10369, "Xã  Ứng Thiên", 1),  # the list has a few doubled spaces
    OfficialCommune(1273, "Phường Thục Phán", 4),
)
HANOI = [
    Area("01", "Thành phố Hà Nội", "province", None),
    Area("00070", "Phường Hoàn Kiếm", "commune", "01"),
    Area("10369", "Xã Ứng Thiên", "commune", "01"),
]
CAO_BANG = [
    Area("04", "Tỉnh Cao Bằng", "province", None),
    Area("01273", "Phường Thục Phán", "commune", "04"),
]


# --- the adapter ----------------------------------------------------------------------------


def test_provinces_come_first_then_communes_with_official_codes_and_names() -> None:
    areas = official_areas(PROVINCES, COMMUNES)
    assert areas == [HANOI[0], CAO_BANG[0], *HANOI[1:], CAO_BANG[1]]


@pytest.mark.parametrize("code", ["04", "4", " 04 "])
def test_one_province_brings_only_its_communes(code: str) -> None:
    assert official_areas(PROVINCES, COMMUNES, code) == CAO_BANG


@pytest.mark.parametrize("code", ["99", "HN", ""])
def test_an_unknown_province_code_lists_the_real_ones(code: str) -> None:
    with pytest.raises(UnknownProvince) as raised:
        official_areas(PROVINCES, COMMUNES, code)
    assert f"unknown province code {code!r}" in str(raised.value)
    assert "01 Thành phố Hà Nội, 04 Tỉnh Cao Bằng" in str(raised.value)


# --- the service ----------------------------------------------------------------------------


async def import_official(
    session_factory: async_sessionmaker[AsyncSession], areas: list[Area]
) -> OfficialImportReport:
    """One run of the command: its own session, like the CLI."""
    async with session_factory() as session:
        return await import_official_areas(SqlUnitOfWork(session), areas)


async def stored(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, Area]:
    async with session_factory() as session:
        return dict(await SqlUnitOfWork(session).areas.all_by_code())


async def test_the_official_map_is_written_once_and_renames_update_in_place(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    first = await import_official(session_factory, official_areas(PROVINCES, COMMUNES))
    assert (first.provinces, first.communes) == (LevelCounts(2, 0, 0), LevelCounts(3, 0, 0))
    async with session_factory() as session:  # an officer adds a hamlet under a commune
        hamlet = await import_areas(
            SqlUnitOfWork(session), "code,name,level,parent_code\nH1,Thôn Đông,hamlet,00070\n"
        )
    assert hamlet.ok
    renamed = (OfficialCommune(70, "Phường Hoàn Kiếm Mới", 1), *COMMUNES[1:])
    again = await import_official(session_factory, official_areas(PROVINCES, renamed))
    assert (again.provinces, again.communes) == (LevelCounts(0, 0, 2), LevelCounts(0, 1, 2))
    areas = await stored(session_factory)
    assert len(areas) == 6
    assert areas["00070"] == Area("00070", "Phường Hoàn Kiếm Mới", "commune", "01")
    assert areas["H1"] == Area("H1", "Thôn Đông", "hamlet", "00070")


async def test_one_province_leaves_the_others_alone(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await import_official(session_factory, official_areas(PROVINCES, COMMUNES, "01"))
    report = await import_official(session_factory, official_areas(PROVINCES, COMMUNES, "04"))
    assert (report.provinces, report.communes) == (LevelCounts(1, 0, 0), LevelCounts(1, 0, 0))
    assert set(await stored(session_factory)) == {"01", "00070", "10369", "04", "01273"}


async def test_a_code_already_used_at_another_level_stops_the_whole_import(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    clash = "code,name,level,parent_code\nP,Tỉnh Thử,province,\n04,Xã Cũ,commune,P\n"
    assert (await import_areas(uow, clash)).ok
    report = await import_official(session_factory, official_areas(PROVINCES, COMMUNES))
    assert not report.ok
    assert [(code, error.describe()) for code, error in report.errors] == [
        ("04", "Code 04 already exists as a commune: it cannot become a province")
    ]
    assert set(await stored(session_factory)) == {"P", "04"}


# --- the command line -----------------------------------------------------------------------


def sqlite_settings(tmp_path: Path) -> Settings:
    return load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'areas.db'}")


async def test_without_the_extra_the_command_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "vietnam_provinces", None)  # import fails
    settings = sqlite_settings(tmp_path)
    assert await cli.areas_import_official(settings, None) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "the official map needs the vn-map extra: pip install 'hoctap-bot[vn-map]'\n"
    assert not (tmp_path / "areas.db").exists()


async def test_the_command_reports_counts_per_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = OfficialMap(PROVINCES, COMMUNES, "sample list")
    monkeypatch.setattr(cli, "load_official_map", lambda: sample)
    settings = sqlite_settings(tmp_path)
    assert await cli.areas_import_official(settings, "4") == 0
    assert await cli.areas_import_official(settings, None) == 0
    assert await cli.areas_import_official(settings, "99") == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "official map (sample list)",
        "provinces: 1 new, 0 updated, 0 unchanged",
        "communes: 1 new, 0 updated, 0 unchanged",
        "official map (sample list)",
        "provinces: 1 new, 0 updated, 1 unchanged",
        "communes: 2 new, 0 updated, 1 unchanged",
    ]
    assert err.startswith("unknown province code '99': the codes are 01 Thành phố Hà Nội")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "one of the arguments file --official is required"),
        (["--official", "areas.csv"], "not allowed with argument"),
        (["areas.csv", "--province", "01"], "--province goes with --official"),
    ],
    ids=["neither", "both", "province-without-official"],
)
def test_import_takes_a_file_or_the_official_map(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["areas", "import", *args])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


# --- the real national list (needs the vn-map extra) ----------------------------------------


async def test_the_real_list_loads_34_provinces_and_3321_communes(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    if not IN_CI:  # CI installs the vn-map extra, so there the real list is required
        pytest.importorskip("vietnam_provinces")
    official = load_official_map()
    report = await import_official(
        session_factory, official_areas(official.provinces, official.communes)
    )
    assert (report.provinces, report.communes) == (
        LevelCounts(34, 0, 0),
        LevelCounts(3321, 0, 0),
    )
    areas = await stored(session_factory)
    assert areas["01"] == Area("01", "Thành phố Hà Nội", "province", None)
    assert areas["04"] == Area("04", "Tỉnh Cao Bằng", "province", None)
    assert areas["00070"] == Area("00070", "Phường Hoàn Kiếm", "commune", "01")
    assert all(area.parent_code in areas for area in areas.values() if area.level == "commune")
