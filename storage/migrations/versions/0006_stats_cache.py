"""/stats cache: a change counter per hamlet kept by triggers, standings cached per hamlet,
title and year with the counter they were counted at

Every write that can change a hamlet's numbers bumps `hamlet_versions` in the database
itself, so no write path can forget it. On SQLite, a later migration that rebuilds
households, registrations, household_accounts or users in batch mode drops their triggers
and must create them again (tests/test_stats_cache.py checks they are all there at head).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The upsert that bumps the hamlets in {rows}. SQLite (3.24+) needs a WHERE on an INSERT ...
# SELECT upsert (every SELECT below has one); DISTINCT, because PostgreSQL refuses to update
# one row twice in a statement.
SQLITE_BUMP = (
    "INSERT INTO hamlet_versions (hamlet_code, version) {rows} "
    "ON CONFLICT (hamlet_code) DO UPDATE SET version = hamlet_versions.version + 1"
)
# PostgreSQL (13+) keeps each version of a row that a transaction updates until it ends, and
# every update walks them: one bump per row made a 20,000-row insert into one hamlet take 2 s
# (10,000 rows: 0.5 s). So a hamlet this transaction already bumped (the row's xmin) is bumped
# again only if a cache was counted at that version since; else it is stale already. Another
# transaction's count cannot have seen this one's writes, so it stays stale for it too.
POSTGRESQL_BUMP = (
    "INSERT INTO hamlet_versions AS v (hamlet_code, version) {rows} "
    "ON CONFLICT (hamlet_code) DO UPDATE SET version = v.version + 1 "
    "WHERE v.xmin <> pg_current_xact_id()::xid OR EXISTS (SELECT 1 FROM standing_cache_meta m "
    "WHERE m.hamlet_code = v.hamlet_code AND m.version >= v.version)"
)


def _hamlet(code: str) -> str:
    return f"VALUES ({code}, 1)"


def _hamlets_of(*household_ids: str) -> str:
    ids = ", ".join(household_ids)
    return f"SELECT DISTINCT hamlet_code, 1 FROM households WHERE id IN ({ids})"


class Trigger(NamedTuple):
    name: str
    table: str
    event: str
    bumps: tuple[str, ...]  # the rows of hamlets to bump, one statement each
    when: str | None = None


# What the counting query (storage/stats.py) reads: households by hamlet, this year's
# registration (status, passed), and whether a linked account's user can be reached.
TRIGGERS = (
    Trigger(
        "registrations_ai_hamlet", "registrations", "INSERT", (_hamlets_of("NEW.household_id"),)
    ),
    Trigger(
        "registrations_au_hamlet",
        "registrations",
        "UPDATE OF status, passed, household_id, subject, title, year",
        (_hamlets_of("OLD.household_id", "NEW.household_id"),),
    ),
    Trigger(
        "registrations_ad_hamlet", "registrations", "DELETE", (_hamlets_of("OLD.household_id"),)
    ),
    Trigger("households_ai_hamlet", "households", "INSERT", (_hamlet("NEW.hamlet_code"),)),
    Trigger(
        "households_au_hamlet",
        "households",
        "UPDATE OF hamlet_code",
        (_hamlet("OLD.hamlet_code"), _hamlet("NEW.hamlet_code")),
        when="OLD.hamlet_code <> NEW.hamlet_code",
    ),
    Trigger("households_ad_hamlet", "households", "DELETE", (_hamlet("OLD.hamlet_code"),)),
    Trigger(
        "household_accounts_ai_hamlet",
        "household_accounts",
        "INSERT",
        (_hamlets_of("NEW.household_id"),),
    ),
    Trigger(
        "household_accounts_ad_hamlet",
        "household_accounts",
        "DELETE",
        (_hamlets_of("OLD.household_id"),),
    ),
    Trigger(
        "household_accounts_au_hamlet",
        "household_accounts",
        "UPDATE OF user_id, household_id",
        (_hamlets_of("OLD.household_id", "NEW.household_id"),),
    ),
    Trigger(
        "users_au_hamlet",
        "users",
        "UPDATE OF unreachable_at",
        (
            "SELECT DISTINCT h.hamlet_code, 1 FROM household_accounts a "
            "JOIN households h ON h.id = a.household_id WHERE a.user_id = NEW.id",
        ),
        when="(OLD.unreachable_at IS NULL) <> (NEW.unreachable_at IS NULL)",
    ),
)


class Ddl(NamedTuple):
    create: list[str]
    drop: list[str]


def _sqlite(trigger: Trigger) -> Ddl:
    """One trigger on SQLite."""
    when = f"WHEN {trigger.when} " if trigger.when else ""
    body = "".join(f"{SQLITE_BUMP.format(rows=rows)}; " for rows in trigger.bumps)
    create = (
        f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} ON {trigger.table} "
        f"FOR EACH ROW {when}BEGIN {body}END"
    )
    return Ddl([create], [f"DROP TRIGGER IF EXISTS {trigger.name}"])


def _postgresql(trigger: Trigger) -> Ddl:
    """One trigger on PostgreSQL: a plpgsql function and the trigger that runs it."""
    when = f"WHEN ({trigger.when}) " if trigger.when else ""
    body = "".join(f"{POSTGRESQL_BUMP.format(rows=rows)}; " for rows in trigger.bumps)
    function = (
        f"CREATE FUNCTION {trigger.name}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {body}RETURN NULL; END $$"
    )
    create = (
        f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} ON {trigger.table} "
        f"FOR EACH ROW {when}EXECUTE FUNCTION {trigger.name}()"
    )
    drop = [
        f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}",
        f"DROP FUNCTION IF EXISTS {trigger.name}()",
    ]
    return Ddl([function, create], drop)


def _triggers() -> list[Ddl]:
    render = _postgresql if op.get_bind().dialect.name == "postgresql" else _sqlite
    return [render(trigger) for trigger in TRIGGERS]


def upgrade() -> None:
    op.create_table(
        "hamlet_versions",
        sa.Column("hamlet_code", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "standing_cache",
        sa.Column("hamlet_code", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("passed", sa.Integer, primary_key=True),
        sa.Column("reachable", sa.Boolean, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "standing_cache_meta",
        sa.Column("hamlet_code", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    for ddl in _triggers():
        for statement in ddl.create:
            op.execute(statement)


def downgrade() -> None:
    for ddl in reversed(_triggers()):
        for statement in ddl.drop:
            op.execute(statement)
    op.drop_table("standing_cache_meta")
    op.drop_table("standing_cache")
    op.drop_table("hamlet_versions")
