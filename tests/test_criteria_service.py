"""Criteria sets in force: loading per area and year, choosing, and the CLI around them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.criteria_files import SHIPPED, shipped_criteria
from bot.services.areas import import_areas
from bot.services.criteria import CriteriaRejected, criteria_in_force, load_criteria
from bot.services.errors import ServiceError
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 3, 1, tzinfo=UTC)
AREAS = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã Đông Hòa,commune,P
C2,Xã Tân Lập,commune,P
H1,Thôn Đông,hamlet,C1
"""
CDHT = (SHIPPED / "cong_dan.qd244.toml").read_text("utf-8")


def variant(version: str, threshold: int) -> str:
    """The shipped CDHT set under another version and pass threshold."""
    text = CDHT.replace('version = "qd244-2022.1"', f'version = "{version}"')
    return text.replace("pass_threshold = 80", f"pass_threshold = {threshold}")


@pytest.fixture
async def areas(uow: SqlUnitOfWork) -> SqlUnitOfWork:
    assert (await import_areas(uow, AREAS)).ok
    return uow


async def test_without_a_loaded_set_the_shipped_default_applies(areas: SqlUnitOfWork) -> None:
    set_id, criteria = await criteria_in_force(areas, "H1", "cong_dan", 2026, shipped_criteria())
    assert set_id is None
    assert criteria.version == "qd244-2022.1"
    assert criteria.default


async def test_the_most_specific_area_wins_then_the_latest_year(areas: SqlUnitOfWork) -> None:
    await load_criteria(areas, variant("province-1", 70), "P", 2025, NOW)
    commune = await load_criteria(areas, variant("commune-1", 75), "C1", 2026, NOW)
    shipped = shipped_criteria()
    _, in_hamlet = await criteria_in_force(areas, "H1", "cong_dan", 2026, shipped)
    _, other_commune = await criteria_in_force(areas, "C2", "cong_dan", 2026, shipped)
    set_id, last_year = await criteria_in_force(areas, "H1", "cong_dan", 2025, shipped)
    assert in_hamlet.pass_threshold == 75
    assert other_commune.pass_threshold == 70
    assert last_year.pass_threshold == 70
    assert set_id != commune.id


async def test_loading_a_new_set_keeps_the_earlier_one_as_it_was(areas: SqlUnitOfWork) -> None:
    first = await load_criteria(areas, variant("v1", 80), "C1", 2026, NOW)
    await load_criteria(areas, variant("v2", 60), "C1", 2026, NOW)
    kept = await areas.criteria.text_of(first.id)
    assert kept is not None
    assert "pass_threshold = 80" in kept


async def test_the_same_version_twice_in_one_place_and_year_is_refused(
    areas: SqlUnitOfWork,
) -> None:
    await load_criteria(areas, CDHT, "C1", 2026, NOW)
    with pytest.raises(ServiceError, match="already in force"):
        await load_criteria(areas, CDHT, "C1", 2026, NOW)
    assert len(await areas.criteria.for_title("cong_dan")) == 1


async def test_an_unknown_area_is_refused_and_nothing_is_stored(areas: SqlUnitOfWork) -> None:
    with pytest.raises(ServiceError, match="Unknown area"):
        await load_criteria(areas, CDHT, "NOPE", 2026, NOW)
    assert await areas.criteria.for_title("cong_dan") == []


async def test_a_broken_file_is_refused_with_every_problem(areas: SqlUnitOfWork) -> None:
    broken = variant("v1", 180).replace('title = "cong_dan"', 'title = "gia_dinh"', 1)
    with pytest.raises(CriteriaRejected) as rejected:
        await load_criteria(areas, broken, "C1", 2026, NOW)
    assert "set.pass_threshold" in [problem.path for problem in rejected.value.problems]
    assert await areas.criteria.for_title("cong_dan") == []


def hoctap(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_check_names_the_path_of_each_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(variant("v1", 180), encoding="utf-8")
    good = hoctap(tmp_path, "criteria", "check", str(SHIPPED / "gia_dinh.qd448.toml"))
    broken = hoctap(tmp_path, "criteria", "check", str(bad))
    assert good.returncode == 0, good.stderr
    assert broken.returncode == 1
    assert "set.pass_threshold: Must be from 1 to 100" in broken.stderr


def test_cli_load_puts_a_set_in_force_for_an_area(tmp_path: Path) -> None:
    csv = tmp_path / "areas.csv"
    csv.write_text(AREAS, encoding="utf-8")
    assert hoctap(tmp_path, "areas", "import", str(csv)).returncode == 0
    cdht = str(SHIPPED / "cong_dan.qd244.toml")
    loaded = hoctap(tmp_path, "criteria", "load", cdht, "--area", "C1", "--from-year", "2026")
    again = hoctap(tmp_path, "criteria", "load", cdht, "--area", "C1", "--from-year", "2026")
    assert loaded.returncode == 0, loaded.stderr
    assert "cong_dan qd244-2022.1 for C1 from 2026" in loaded.stdout
    assert again.returncode == 1
    assert "already in force" in again.stderr
