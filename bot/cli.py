"""What the maintenance commands do; `bot.__main__` parses, this module acts."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.console.runner import DEMO_DATABASE_URL, run_console
from bot.services.areas import import_areas
from bot.services.criteria import CriteriaRejected, check_criteria, load_criteria
from bot.services.errors import ServiceError
from storage.backup import BackupRefused, backup_sqlite
from storage.db import create_engine
from storage.migrate import current_revision, upgrade
from storage.uow import migrated_unit_of_work


async def console(settings: Settings, database: str | None, as_admin: bool) -> int:
    changes: dict[str, object] = {"database_url": database or DEMO_DATABASE_URL}
    if as_admin:
        changes["admin_ids"] = settings.admin_ids | {1001}
    try:  # validated like the environment, so a bad --database is one clear line
        console_settings = load_settings(**settings.model_dump(exclude_unset=True) | changes)
    except ConfigError as error:
        print(str(error).replace("DATABASE_URL", "--database"), file=sys.stderr)
        return 2
    return await run_console(console_settings)


async def db(settings: Settings, command: str, path: Path | None) -> int:
    if command == "upgrade":
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            print(f"database is at revision {await current_revision(engine)}")
        finally:
            await engine.dispose()
        return 0
    assert path is not None
    try:
        pages = backup_sqlite(settings.sqlite_path(), path)
    except BackupRefused as refused:
        print(f"backup refused: {refused}", file=sys.stderr)
        return 2
    print(f"backup written to {path} ({pages} pages)")
    return 0


async def areas_import(settings: Settings, file: Path) -> int:
    """Validate the whole file, then import all of it or nothing."""
    try:
        text = _read_text(file)
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {file}: {error}", file=sys.stderr)
        return 2
    async with migrated_unit_of_work(settings.database_url) as uow:
        report = await import_areas(uow, text)
    for problem in report.errors:
        print(f"{file}:{problem.line}: {problem.describe()}", file=sys.stderr)
    if not report.ok:
        print(f"nothing imported: {len(report.errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"imported: {report.created} new, {report.updated} updated")
    return 0


def _read_text(file: Path) -> str:
    # A CLI reading one file before any async work starts: blocking here delays nothing.
    return file.read_text(encoding="utf-8-sig")


async def criteria(settings: Settings, args: argparse.Namespace) -> int:
    """`criteria check FILE` lists every problem; `criteria load` also puts it in force."""
    try:
        text = _read_text(args.file)
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    if args.criteria_command == "check":
        return _report_problems(args.file, check_criteria(text))
    now = datetime.now(UTC)
    year = args.from_year or now.astimezone(settings.zone).year
    try:
        async with migrated_unit_of_work(settings.database_url) as uow:
            stored = await load_criteria(uow, text, args.area, year, now)
    except CriteriaRejected as rejected:
        return _report_problems(args.file, rejected.problems)
    except ServiceError as refused:
        print(refused.msgid.format(**refused.params), file=sys.stderr)
        return 1
    print(f"in force: {stored.title} {stored.version} for {stored.area_code} from {year}")
    return 0


def _report_problems(file: Path, problems: list) -> int:
    for problem in problems:
        print(f"{file}: {problem.describe()}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{file}: no problems")
    return 0
