"""A consistent copy of a SQLite database while the bot runs (SQLite's online backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupRefused(Exception):
    """The database is not a SQLite file; the message says what to use instead."""


def backup_sqlite(source: Path | None, target: Path) -> int:
    """Copy `source` to `target` page by page; returns the number of pages copied."""
    if source is None:
        raise BackupRefused("backup works on SQLite only; for PostgreSQL use pg_dump")
    if not source.exists():
        raise BackupRefused(f"no database file at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=256)
        return int(dst.execute("PRAGMA page_count").fetchone()[0])
