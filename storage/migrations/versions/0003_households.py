"""households, members, linked accounts, registrations with their history, consent, audit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("consent_version", sa.Integer, nullable=True))
    op.add_column("users", sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "criteria_sets",
        sa.Column("shipped", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "households",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("hamlet_code", sa.String(32), sa.ForeignKey("areas.code"), nullable=False),
        sa.Column("head_name", sa.String(80), nullable=True),
        sa.Column("name_key", sa.String(80), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("members_count", sa.Integer, nullable=False),
        sa.Column("school_age_count", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_households_hamlet_phone", "households", ["hamlet_code", "phone"])
    op.create_index("ix_households_hamlet_name", "households", ["hamlet_code", "name_key"])
    op.create_table(
        "household_accounts",
        sa.Column("user_id", sa.BigInteger,
                  sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("household_id", sa.Integer,
                  sa.ForeignKey("households.id", ondelete="CASCADE"), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_household_accounts_household_id", "household_accounts",
                    ["household_id"])
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("household_id", sa.Integer,
                  sa.ForeignKey("households.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(80), nullable=True),
        sa.Column("birth_year", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_members_household_id", "members", ["household_id"])
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("household_id", sa.Integer,
                  sa.ForeignKey("households.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.String(24), nullable=False),
        sa.Column("title", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("commitments", sa.Text, nullable=False),
        sa.Column("criteria_set_id", sa.Integer, sa.ForeignKey("criteria_sets.id"),
                  nullable=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("total", sa.Integer, nullable=True),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.UniqueConstraint("household_id", "subject", "title", "year",
                            name="uq_registrations_one_per_year"),
    )
    op.create_index("ix_registrations_year_status", "registrations", ["year", "status"])
    op.create_table(
        "registration_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("registration_id", sa.Integer,
                  sa.ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
    )
    op.create_index("ix_registration_events_registration_id", "registration_events",
                    ["registration_id"])
    op.create_table(
        "assessment_windows",
        sa.Column("area_code", sa.String(32), sa.ForeignKey("areas.code"), primary_key=True),
        sa.Column("title", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("household_id", sa.Integer, nullable=True),
        sa.Column("details", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("assessment_windows")
    op.drop_index("ix_registration_events_registration_id", table_name="registration_events")
    op.drop_table("registration_events")
    op.drop_index("ix_registrations_year_status", table_name="registrations")
    op.drop_table("registrations")
    op.drop_index("ix_members_household_id", table_name="members")
    op.drop_table("members")
    op.drop_index("ix_household_accounts_household_id", table_name="household_accounts")
    op.drop_table("household_accounts")
    op.drop_index("ix_households_hamlet_name", table_name="households")
    op.drop_index("ix_households_hamlet_phone", table_name="households")
    op.drop_table("households")
    with op.batch_alter_table("criteria_sets") as batch:
        batch.drop_column("shipped")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("consent_at")
        batch.drop_column("consent_version")
