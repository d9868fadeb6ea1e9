"""Alembic migrations on every configured database: stairway, head, and schema == models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import MIGRATIONS, current_revision, downgrade, upgrade
from storage.models import Base

# Alembic's own bookkeeping table, which downgrading to base leaves behind on purpose.
VERSION_TABLE = "alembic_version"

# The tables each revision creates. A new migration must add its row here.
TABLES_CREATED = {
    "0001": {"areas", "users", "user_roles", "drafts", "fsm_states"},
    "0002": {"criteria_sets"},
    "0003": {
        "households",
        "household_accounts",
        "members",
        "registrations",
        "registration_events",
        "assessment_windows",
        "audit_log",
    },
    "0004": {"invites", "reminders_sent", "targets"},
    "0005": set(),  # columns only
    "0006": {"hamlet_versions", "standing_cache", "standing_cache_meta"},
    "0007": {"outbox", "broadcasts", "reminder_rules", "reminder_runs"},
    "0008": {"seen_updates"},
    "0009": {"clans", "clan_members", "units", "unit_citizens"},
}


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def revisions_base_first() -> list[Script]:
    return list(reversed(list(script_directory().walk_revisions())))


def tables_at(revision: str | None) -> set[str]:
    """The application tables expected once `revision` is applied (None: base)."""
    expected: set[str] = set()
    for script in revisions_base_first():
        if revision is None:
            break
        expected |= TABLES_CREATED[script.revision]
        if script.revision == revision:
            break
    return expected


@pytest.fixture
async def bare_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty, not yet migrated database."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {VERSION_TABLE}


def test_every_revision_lists_its_tables() -> None:
    revisions = [script.revision for script in revisions_base_first()]

    assert revisions
    assert set(revisions) == set(TABLES_CREATED)
    assert script_directory().get_heads() == [revisions[-1]], "the history must not branch"


async def test_full_upgrade_downgrade_upgrade(bare_engine: AsyncEngine) -> None:
    head = script_directory().get_current_head()

    await upgrade(bare_engine)
    assert await table_names(bare_engine) == set(Base.metadata.tables)
    assert await current_revision(bare_engine) == head

    await downgrade(bare_engine, "base")
    assert await table_names(bare_engine) == set()
    assert await current_revision(bare_engine) is None

    await upgrade(bare_engine)
    assert await table_names(bare_engine) == set(Base.metadata.tables)
    assert await current_revision(bare_engine) == head


@pytest.mark.parametrize("script", revisions_base_first(), ids=lambda script: str(script.revision))
async def test_stairway(bare_engine: AsyncEngine, script: Script) -> None:
    """Each revision goes up, down to its predecessor and up again, leaving the right tables."""
    below = script.down_revision
    assert below is None or isinstance(below, str), "merge revisions are not expected"
    if below:
        await upgrade(bare_engine, below)

    await upgrade(bare_engine, script.revision)
    assert await table_names(bare_engine) == tables_at(script.revision)

    await downgrade(bare_engine, below or "base")
    assert await table_names(bare_engine) == tables_at(below)
    assert await current_revision(bare_engine) == below

    await upgrade(bare_engine, script.revision)
    assert await table_names(bare_engine) == tables_at(script.revision)
    assert await current_revision(bare_engine) == script.revision


async def test_migrated_engine_reports_head(engine: AsyncEngine) -> None:
    assert await current_revision(engine) == script_directory().get_current_head()


async def test_upgrading_twice_changes_nothing(engine: AsyncEngine) -> None:
    await upgrade(engine)

    assert await current_revision(engine) == script_directory().get_current_head()
    assert await table_names(engine) == set(Base.metadata.tables)


async def test_models_match_the_migrated_schema(engine: AsyncEngine) -> None:
    # Types and server defaults are compared too; nothing is filtered out.
    options = {"compare_type": True, "compare_server_default": True}

    def differences(sync_connection: Any) -> list[Any]:
        context = MigrationContext.configure(sync_connection, opts=options)
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)

    assert diff == []
