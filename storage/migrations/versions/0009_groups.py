"""groups: clans and units with their members, and registrations of a clan, a unit or a
hamlet (no household: `household_id` may be empty, `area_code` says where the subject is)

On SQLite, making `registrations.household_id` nullable rebuilds the table in batch mode,
which drops its /stats triggers (0006): they are created again here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)
GROUP_SUBJECT = "uq_registrations_group_subject"


def upgrade() -> None:
    op.create_table(
        "clans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("commune_code", sa.String(32), sa.ForeignKey("areas.code"), nullable=False),
        sa.Column("representative_id", sa.BigInteger, nullable=False),
        sa.Column("created_at", AT, nullable=False),
    )
    op.create_index("ix_clans_commune", "clans", ["commune_code"])
    op.create_table(
        "clan_members",
        # A household belongs to at most one clan.
        sa.Column(
            "household_id",
            sa.Integer,
            sa.ForeignKey("households.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column(
            "clan_id", sa.Integer, sa.ForeignKey("clans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("added_at", AT, nullable=False),
        sa.Column("confirmed_at", AT, nullable=True),
    )
    op.create_index("ix_clan_members_clan", "clan_members", ["clan_id"])
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("staff_count", sa.Integer, nullable=False),
        sa.Column("commune_code", sa.String(32), sa.ForeignKey("areas.code"), nullable=False),
        sa.Column("representative_id", sa.BigInteger, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("confirmed_at", AT, nullable=True),
        sa.Column("confirmed_by", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_units_commune", "units", ["commune_code"])
    op.create_table(
        "unit_citizens",
        # A learning-citizen registration counts for one unit at most.
        sa.Column(
            "registration_id",
            sa.Integer,
            sa.ForeignKey("registrations.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column(
            "unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("linked_at", AT, nullable=False),
    )
    op.create_index("ix_unit_citizens_unit", "unit_citizens", ["unit_id"])
    with op.batch_alter_table("registrations") as batch:
        batch.alter_column("household_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("area_code", sa.String(32), nullable=True))
    # One registration per group subject, title and year (the existing unique constraint
    # covers households; NULLs never collide in it).
    op.create_index(
        GROUP_SUBJECT,
        "registrations",
        ["subject", "title", "year"],
        unique=True,
        sqlite_where=sa.text("household_id IS NULL"),
        postgresql_where=sa.text("household_id IS NULL"),
    )
    _recreate_registration_triggers()


def downgrade() -> None:
    op.drop_index(GROUP_SUBJECT, table_name="registrations")
    op.execute("DELETE FROM registrations WHERE household_id IS NULL")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("area_code")
        batch.alter_column("household_id", existing_type=sa.Integer, nullable=False)
    _recreate_registration_triggers()
    op.drop_table("unit_citizens")
    op.drop_table("units")
    op.drop_table("clan_members")
    op.drop_table("clans")


def _recreate_registration_triggers() -> None:
    """SQLite's batch rebuild dropped them; PostgreSQL altered the table in place."""
    if op.get_bind().dialect.name != "sqlite":
        return
    stats = _revision_0006()
    for trigger in stats.TRIGGERS:
        if trigger.table == "registrations":
            ddl = stats._sqlite(trigger)
            for statement in [*ddl.drop, *ddl.create]:
                op.execute(statement)


def _revision_0006() -> ModuleType:
    # Revision files are not a package: load the one that defines the triggers by path.
    path = Path(__file__).with_name("0006_stats_cache.py")
    spec = importlib.util.spec_from_file_location("hoctap_migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
