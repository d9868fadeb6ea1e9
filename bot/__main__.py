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
    commands.add_parser("run", help="start the bot (long polling, or webhook when WEBHOOK_URL)")
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
    area_import = area_commands.add_parser("import", help="load areas from a CSV file")
    area_import.add_argument("file", type=Path)
    criteria = commands.add_parser("criteria", help="criteria sets (data files)")
    criteria_commands = criteria.add_subparsers(dest="criteria_command", required=True)
    check = criteria_commands.add_parser("check", help="list every problem of a criteria file")
    check.add_argument("file", type=Path)
    load = criteria_commands.add_parser("load", help="put a criteria file in force for an area")
    load.add_argument("file", type=Path)
    load.add_argument("--area", required=True, help="area code (province or commune)")
    load.add_argument("--from-year", type=int, help="first year it applies to (default: now)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.INFO if args.command == "run" else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return asyncio.run(_dispatch(args, settings))


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        if not settings.token:
            print(NO_TOKEN, file=sys.stderr)
            return 2
        from bot.runner import run_bot

        await run_bot(settings)
        return 0
    from bot import cli  # imported late: the no-token answer above needs no aiogram

    if args.command == "console":
        return await cli.console(settings, args.database, args.as_admin)
    if args.command == "db":
        return await cli.db(settings, args.db_command, getattr(args, "path", None))
    if args.command == "criteria":
        return await cli.criteria(settings, args)
    return await cli.areas_import(settings, args.file)


if __name__ == "__main__":
    sys.exit(main())
