"""The `hoctap` maintenance commands as an operator runs them: one real process per command."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import create_engine
from storage.migrate import MIGRATIONS
from tests.conftest import PG_URL
from tests.support import seed_areas

# Settings the commands must not pick up from the developer's environment.
UNSET = ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "ADMIN_IDS", "DEFAULT_LOCALE")

AREAS = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã An,commune,P
C2,Xã Bình,commune,P
H1,Thôn Một,hamlet,C1
"""
AREAS_BY_CODE = {"P": "Tỉnh Thử", "C1": "Xã An", "C2": "Xã Bình", "H1": "Thôn Một"}
# The same file a month later: one commune renamed, one hamlet added.
AREAS_AGAIN = AREAS.replace("C2,Xã Bình", "C2,Xã Bình Minh") + "H2,Thôn Hai,hamlet,C2\n"
# Lines 2 and 3 are fine; lines 4, 5 and 6 are not.
BAD_AREAS = """code,name,level,parent_code
C3,Xã Mới,commune,P
C1,Xã An Đổi Tên,commune,P
BAD CODE,Xã Lỗi,commune,P
H9,,hamlet,C1
H10,Thôn Lạ,village,NOPE
"""


@dataclass(frozen=True)
class Done:
    """How a command ended and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def cli_env(database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    return {**env, "DATABASE_URL": database_url, "PYTHONIOENCODING": "utf-8"}


async def hoctap(cwd: Path, database_url: str, *args: str) -> Done:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=cli_env(database_url),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Done(process.returncode, stdout.decode(), stderr.decode())


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names: list[str] = await connection.run_sync(
                lambda sync: inspect(sync).get_table_names()
            )
    finally:
        await engine.dispose()
    return set(names)


async def stored_areas(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows: Any = await connection.execute(text("SELECT code, name FROM areas"))
            return dict(rows.all())
    finally:
        await engine.dispose()


def sqlite_areas(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return dict(connection.execute("SELECT code, name FROM areas").fetchall())


# --- hoctap db upgrade ----------------------------------------------------------------------


async def test_db_upgrade_prints_the_revision_and_creates_the_tables(
    database_url: str, tmp_path: Path
) -> None:
    done = await hoctap(tmp_path, database_url, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"database is at revision {head_revision()}"
    assert {"alembic_version", "areas", "users"} <= await table_names(database_url)


async def test_db_upgrade_again_keeps_the_revision_and_the_data(
    database_url: str, tmp_path: Path
) -> None:
    await seed_areas(database_url, AREAS)  # already at the newest revision
    again = await hoctap(tmp_path, database_url, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"database is at revision {head_revision()}"
    assert await stored_areas(database_url) == AREAS_BY_CODE


# --- hoctap db backup -----------------------------------------------------------------------


async def test_backup_copies_committed_data_while_a_write_is_open(tmp_path: Path) -> None:
    database = tmp_path / "hoctap.db"
    url = f"sqlite+aiosqlite:///{database}"
    await seed_areas(url, AREAS)
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        # Committed but only in the WAL file so far, then a write left half-done.
        writer.execute("UPDATE areas SET name = 'Xã An Mới' WHERE code = 'C1'")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE areas SET name = 'half written' WHERE code = 'C2'")
        writer.execute("DELETE FROM areas WHERE level = 'hamlet'")
        done = await hoctap(tmp_path, url, "db", "backup", "backups/copy.db")
    finally:
        if writer.in_transaction:
            writer.rollback()
        writer.close()
    assert done.returncode == 0, done.stderr
    assert "backups/copy.db" in done.stdout
    alone = Path(shutil.copy(tmp_path / "backups" / "copy.db", tmp_path / "moved.db"))
    assert sqlite_areas(alone) == {**AREAS_BY_CODE, "C1": "Xã An Mới"}


@pytest.mark.skipif(PG_URL is None, reason="HOCTAP_TEST_DATABASE_URL is not set")
async def test_backup_refuses_postgresql_and_points_to_pg_dump(tmp_path: Path) -> None:
    assert PG_URL is not None
    done = await hoctap(tmp_path, PG_URL, "db", "backup", "copy.db")
    assert done.returncode != 0
    assert "pg_dump" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "copy.db").exists()


# --- hoctap areas import --------------------------------------------------------------------


async def test_import_reports_new_then_updated_areas_without_duplicates(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "areas.csv").write_text(AREAS, encoding="utf-8")
    first = await hoctap(tmp_path, database_url, "areas", "import", "areas.csv")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "imported: 4 new, 0 updated"
    (tmp_path / "areas.csv").write_text(AREAS_AGAIN, encoding="utf-8")
    again = await hoctap(tmp_path, database_url, "areas", "import", "areas.csv")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "imported: 1 new, 4 updated"
    expected = {**AREAS_BY_CODE, "C2": "Xã Bình Minh", "H2": "Thôn Hai"}
    assert await stored_areas(database_url) == expected


async def test_import_with_bad_rows_lists_every_problem_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    await seed_areas(database_url, AREAS)
    (tmp_path / "bad.csv").write_text(BAD_AREAS, encoding="utf-8")
    done = await hoctap(tmp_path, database_url, "areas", "import", "bad.csv")
    assert done.returncode != 0
    problems = [line for line in done.stderr.splitlines() if line.startswith("bad.csv:")]
    assert {line.split(":")[1] for line in problems} == {"4", "5", "6"}
    assert "nothing imported" in done.stderr
    assert done.stdout == ""
    assert await stored_areas(database_url) == AREAS_BY_CODE


async def test_unreadable_area_files_get_a_clear_message(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "folder.csv").mkdir()
    # Saved by an old spreadsheet in Latin-1 instead of UTF-8.
    (tmp_path / "latin1.csv").write_bytes(
        "code,name,level,parent_code\nP,Hòa Bình,province,\n".encode("latin-1")
    )
    names = ["missing.csv", "folder.csv", "latin1.csv"]
    results = await asyncio.gather(
        *(hoctap(tmp_path, database_url, "areas", "import", name) for name in names)
    )
    for name, done in zip(names, results, strict=True):
        assert done.returncode != 0, name
        assert done.stderr.startswith(f"cannot read {name}"), done.stderr
        assert "Traceback" not in done.stderr


# --- bad configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["console"],
        ["db", "upgrade"],
        ["db", "backup", "copy.db"],
        ["areas", "import", "areas.csv"],
    ],
    ids=" ".join,
)
async def test_unsupported_database_url_is_one_line_naming_it(
    command: list[str], tmp_path: Path
) -> None:
    done = await hoctap(tmp_path, "mysql://x", *command)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "DATABASE_URL" in lines[0]
    assert done.stdout == ""


async def test_console_with_an_unsupported_database_option_is_one_clear_line(
    tmp_path: Path,
) -> None:
    done = await hoctap(
        tmp_path, "sqlite+aiosqlite:///unused.db", "console", "--database", "mysql://x"
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--database" in done.stderr
