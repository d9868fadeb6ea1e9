"""The `hoctap` command line: run, console, db, areas."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

NO_TOKEN = (
    "BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot), then run "
    "`BOT_TOKEN=<token> hoctap run` (or put BOT_TOKEN=<token> in .env); "
    "to try the bot offline without a token, run `hoctap console`."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoctap", description="hoctap-bot command line")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="start the bot (long polling, or webhook when WEBHOOK_URL)"
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="webhook workers sharing the port (needs WEBHOOK_URL and PostgreSQL)",
    )
    run.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    console = commands.add_parser("console", help="chat with the bot offline in the terminal")
    console.add_argument("--database", help="database URL (default: a separate demo database)")
    console.add_argument("--as-admin", action="store_true", help="make the user a super admin")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations")
    backup = db_commands.add_parser("backup", help="consistent copy of a SQLite database")
    backup.add_argument("path", type=Path)
    areas = commands.add_parser("areas", help="the administrative tree")
    area_commands = areas.add_subparsers(dest="areas_command", required=True)
    area_import = area_commands.add_parser(
        "import", help="load areas from a CSV file, or Vietnam's official map"
    )
    source = area_import.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="CSV: code,name,level,parent_code")
    source.add_argument(
        "--official",
        action="store_true",
        help="the 34 provinces and 3,321 communes since 1 July 2025 (needs the vn-map extra)",
    )
    area_import.add_argument(
        "--province", metavar="CODE", help="with --official: only this province and its communes"
    )
    criteria = commands.add_parser("criteria", help="criteria sets (data files)")
    criteria_commands = criteria.add_subparsers(dest="criteria_command", required=True)
    check = criteria_commands.add_parser("check", help="list every problem of a criteria file")
    check.add_argument("file", type=Path)
    load = criteria_commands.add_parser("load", help="put a criteria file in force for an area")
    load.add_argument("file", type=Path)
    load.add_argument("--area", required=True, help="area code (province or commune)")
    load.add_argument("--from-year", type=int, help="first year it applies to (default: now)")
    households = commands.add_parser("households", help="households of a commune")
    household_commands = households.add_subparsers(dest="households_command", required=True)
    roster = household_commands.add_parser(
        "import", help="add a commune's households from a roster file, all or nothing"
    )
    roster.add_argument("file", type=Path, help="XLSX or CSV: hamlet, head, phone, members")
    roster.add_argument("--commune", required=True, metavar="CODE", help="the commune's code")
    roster.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    roster.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows, skip rows with errors"
    )
    return parser


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.workers import cluster_problem, run_workers

    if problem := cluster_problem(settings, args.workers):
        print(problem, file=sys.stderr)
        return 2
    if args.workers > 1:
        return await run_workers(settings, args.workers)
    from bot.runner import run_bot

    await run_bot(settings, worker=args.worker)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "province", None) is not None and not args.official:
        parser.error("--province goes with --official")
    level = logging.INFO if args.command == "run" else logging.WARNING
    shape = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
    logging.basicConfig(level=level, format=shape)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return asyncio.run(_dispatch(args, settings))


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        return await _run(args, settings)
    from bot import cli  # imported late: the no-token answer above needs no aiogram

    if args.command == "console":
        return await cli.console(settings, args.database, args.as_admin)
    if args.command == "db":
        return await cli.db(settings, args.db_command, getattr(args, "path", None))
    if args.command == "criteria":
        return await cli.criteria(settings, args)
    if args.command == "households":
        return await cli.households_import(settings, args)
    if args.official:
        return await cli.areas_import_official(settings, args.province)
    return await cli.areas_import(settings, args.file)


if __name__ == "__main__":
    sys.exit(main())
