"""What the maintenance commands do; `bot.__main__` parses, this module acts."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.console.runner import DEMO_DATABASE_URL, run_console
from bot.domain.parsers import InputError
from bot.domain.roster import ImportPlan
from bot.domain.users import Role, RoleGrant, User
from bot.official_map import (
    INSTALL_HINT,
    OfficialMapMissing,
    UnknownProvince,
    load_official_map,
    official_areas,
)
from bot.services.areas import LevelCounts, import_areas, import_official_areas
from bot.services.criteria import CriteriaRejected, check_criteria, load_criteria
from bot.services.errors import NotAllowed, ServiceError
from bot.services.roster_import import (
    MSG_HAS_ERRORS,
    RosterRefused,
    apply_roster,
    check_applicable,
    check_roster,
)
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


async def areas_import_official(settings: Settings, province: str | None) -> int:
    """Load the official provinces and communes (all, or one province's) from the vn-map extra."""
    try:
        official = load_official_map()
        areas = official_areas(official.provinces, official.communes, province)
    except OfficialMapMissing:
        print(f"the official map needs the vn-map extra: {INSTALL_HINT}", file=sys.stderr)
        return 2
    except UnknownProvince as unknown:
        print(unknown, file=sys.stderr)
        return 2
    async with migrated_unit_of_work(settings.database_url) as uow:
        report = await import_official_areas(uow, areas)
    for code, problem in report.errors:
        print(f"{code}: {problem.describe()}", file=sys.stderr)
    if not report.ok:
        print(f"nothing imported: {len(report.errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"official map ({official.source})")
    print(f"provinces: {_counts(report.provinces)}")
    print(f"communes: {_counts(report.communes)}")
    return 0


def _counts(counts: LevelCounts) -> str:
    return f"{counts.added} new, {counts.updated} updated, {counts.unchanged} unchanged"


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


# The command line acts as an operator on the server: a super admin, id 0 in the audit log.
OPERATOR = User(0, grants=(RoleGrant(Role.SUPER_ADMIN),))


async def households_import(settings: Settings, args: argparse.Namespace) -> int:
    """`households import FILE --commune CODE`: report every row's problem and the likely
    duplicates, then import all the rows ready, or nothing (always nothing with --dry-run)."""
    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    try:
        async with migrated_unit_of_work(settings.database_url) as uow:
            if args.dry_run:
                plan = await check_roster(uow, OPERATOR, args.commune, data, now)
                _print_roster(args.file, plan)
                check_applicable(plan, args.skip_invalid)
                print(f"dry run: {plan.counts.to_add} households would be imported")
                return 0
            report = await apply_roster(
                uow, OPERATOR, args.commune, data, now, skip_invalid=args.skip_invalid
            )
    except RosterRefused as refused:
        if not args.dry_run:
            _print_roster(args.file, refused.plan)
        print(f"nothing imported: {_why(refused)}", file=sys.stderr)
        return 1
    except NotAllowed:  # the operator may import anywhere: the code is unknown
        print(f"no area has the code {args.commune}", file=sys.stderr)
        return 1
    except InputError as unreadable:
        print(f"{args.file}: {_english(unreadable)}", file=sys.stderr)
        return 1
    except ServiceError as refused:
        print(_english(refused), file=sys.stderr)
        return 1
    _print_roster(args.file, report.plan)
    commune = f"{report.commune.name} ({report.commune.code})"
    print(f"imported {report.imported} households into {commune}, {report.skipped} rows skipped")
    return 0


def _english(error: InputError | ServiceError) -> str:
    return error.msgid.format(**error.params)


def _why(refused: RosterRefused) -> str:
    counts = refused.plan.counts
    if refused.msgid == MSG_HAS_ERRORS:
        skip = f"--skip-invalid imports the {counts.to_add} valid rows"
        return f"{counts.invalid} rows with errors ({skip})"
    return _english(refused)


def _print_roster(file: Path, plan: ImportPlan) -> None:
    """Errors on stderr, the rows held back and the counts on stdout, by spreadsheet row."""
    for error in plan.errors:
        shown = error.value and error.value != error.column
        cell = f' {error.column} "{error.value}":' if shown else ""
        print(f"{file}:{error.row}:{cell} {error.describe()}", file=sys.stderr)
    for warning in plan.warnings:
        reason = warning.message_id.format(**warning.params)
        print(f"{file}:{warning.row}: held back: {reason}")
    counts = plan.counts
    print(
        f"{file}: {counts.rows} rows: {counts.to_add} ready to import, "
        f"{counts.invalid} with errors, {len(plan.held_back)} held back as likely duplicates"
    )
