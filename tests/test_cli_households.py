"""`hoctap households import` as an operator runs it: one real process per command, the
report on the terminal, the exit code a script can trust."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.db import create_engine
from tests.support import seed_areas
from tests.test_cli import AREAS, hoctap
from tests.test_roster_files import xlsx
from tests.test_roster_import import csv_bytes

HEADER = ["Thôn", "Họ tên chủ hộ", "Điện thoại", "Số người"]
# C1 "Xã An" has one hamlet: H1 "Thôn Một".
CLEAN = [
    HEADER,
    ["Thôn Một", "Nguyễn Văn Bình", "0912 000 101", "4"],
    ["Một", "Trần Thị Hoa", "0912000102", "3"],
    ["H1", "Lê Văn Cường", "0912000103", "5"],
]
WITH_ERRORS = [
    *CLEAN,
    ["Thôn Hai", "Phạm Văn Dũng", "0912000104", "2"],  # row 5: not a hamlet of C1
    ["Thôn Một", "Hoàng Thị Em", "", "2"],  # row 6: no phone
    ["Thôn Một", "Vũ Văn Giang", "0912000102", "4"],  # row 7: row 3's phone
]


async def stored_names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT head_name FROM households ORDER BY id"))
            return [row[0] for row in rows]
    finally:
        await engine.dispose()


async def test_a_clean_roster_is_imported_and_reported(database_url: str, tmp_path: Path) -> None:
    await seed_areas(database_url, AREAS)
    (tmp_path / "roster.xlsx").write_bytes(xlsx(CLEAN))

    done = await hoctap(
        tmp_path, database_url, "households", "import", "roster.xlsx", "--commune", "C1"
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "roster.xlsx: 3 rows: 3 ready to import, 0 with errors, 0 held back as likely duplicates",
        "imported 3 households into Xã An (C1), 0 rows skipped",
    ]
    assert await stored_names(database_url) == ["Nguyễn Văn Bình", "Trần Thị Hoa", "Lê Văn Cường"]


async def test_a_dry_run_reports_and_writes_nothing(database_url: str, tmp_path: Path) -> None:
    await seed_areas(database_url, AREAS)
    (tmp_path / "roster.csv").write_bytes(csv_bytes(CLEAN))

    done = await hoctap(
        tmp_path,
        database_url,
        *("households", "import", "roster.csv", "--commune", "C1", "--dry-run"),
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "dry run: 3 households would be imported"
    assert await stored_names(database_url) == []


async def test_rows_with_errors_stop_it_and_every_problem_is_listed(
    database_url: str, tmp_path: Path
) -> None:
    await seed_areas(database_url, AREAS)
    (tmp_path / "roster.csv").write_bytes(csv_bytes(WITH_ERRORS))

    done = await hoctap(
        tmp_path, database_url, "households", "import", "roster.csv", "--commune", "C1"
    )

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        'roster.csv:5: Thôn "Thôn Hai": No hamlet of this commune is called "Thôn Hai"',
        "roster.csv:6: Điện thoại is empty",
        "nothing imported: 2 rows with errors (--skip-invalid imports the 3 valid rows)",
    ]
    assert done.stdout.splitlines() == [
        "roster.csv:7: held back: Likely the same household as row 3: same phone number",
        "roster.csv: 6 rows: 3 ready to import, 2 with errors, 1 held back as likely duplicates",
    ]
    assert await stored_names(database_url) == []


async def test_skip_invalid_imports_the_valid_rows(database_url: str, tmp_path: Path) -> None:
    await seed_areas(database_url, AREAS)
    (tmp_path / "roster.csv").write_bytes(csv_bytes(WITH_ERRORS))

    done = await hoctap(
        tmp_path,
        database_url,
        *("households", "import", "roster.csv", "--commune", "C1", "--skip-invalid"),
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "imported 3 households into Xã An (C1), 3 rows skipped"
    assert len(await stored_names(database_url)) == 3


async def test_a_dry_run_of_a_file_with_errors_says_it_would_stop(
    database_url: str, tmp_path: Path
) -> None:
    await seed_areas(database_url, AREAS)
    (tmp_path / "roster.csv").write_bytes(csv_bytes(WITH_ERRORS))

    done = await hoctap(
        tmp_path,
        database_url,
        *("households", "import", "roster.csv", "--commune", "C1", "--dry-run"),
    )

    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith("nothing imported: 2 rows with errors")


async def test_what_is_no_roster_or_no_commune_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    await seed_areas(database_url, AREAS)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    (tmp_path / "roster.csv").write_bytes(csv_bytes(CLEAN))

    old = await hoctap(
        tmp_path, database_url, "households", "import", "old.xls", "--commune", "C1"
    )
    unknown = await hoctap(
        tmp_path, database_url, "households", "import", "roster.csv", "--commune", "C9"
    )
    hamlet = await hoctap(
        tmp_path, database_url, "households", "import", "roster.csv", "--commune", "H1"
    )

    assert (old.returncode, unknown.returncode, hamlet.returncode) == (1, 1, 1)
    assert old.stderr.strip().startswith("old.xls: This is an old Excel file (.xls)")
    assert unknown.stderr.strip() == "no area has the code C9"
    assert hamlet.stderr.strip().startswith("Thôn Một is not a commune")
    assert await stored_names(database_url) == []


async def test_usage_errors_exit_with_2(database_url: str, tmp_path: Path) -> None:
    missing_file = await hoctap(
        tmp_path, database_url, "households", "import", "nowhere.csv", "--commune", "C1"
    )
    missing_commune = await hoctap(tmp_path, database_url, "households", "import", "x.csv")

    assert missing_file.returncode == 2
    assert missing_file.stderr.startswith("cannot read nowhere.csv")
    assert missing_commune.returncode == 2
    assert "--commune" in missing_commune.stderr
