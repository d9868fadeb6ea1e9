"""hamlet heads: invitations, proxy registration and claim codes, meeting pledges, reminders,
targets, unreachable users, the acting user in the audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("claim_code", sa.String(8), nullable=True))
        batch.add_column(sa.Column("consent_by", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint("uq_households_claim_code", ["claim_code"])
    op.add_column("registrations", sa.Column("pledged_on", sa.Date, nullable=True))
    op.add_column("registrations", sa.Column("recorded_by", sa.BigInteger, nullable=True))
    op.add_column("registrations", sa.Column("assessed_by", sa.BigInteger, nullable=True))
    op.add_column("users", sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("audit_log", sa.Column("actor_id", sa.BigInteger, nullable=True))
    op.create_index("ix_audit_log_actor_action", "audit_log", ["actor_id", "action", "at"])
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hamlet_code", sa.String(32), sa.ForeignKey("areas.code"), nullable=False),
        sa.Column("created_by", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.BigInteger, nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_invites_hamlet_code", "invites", ["hamlet_code"])
    op.create_table(
        "reminders_sent",
        sa.Column(
            "household_id",
            sa.Integer,
            sa.ForeignKey("households.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
    )
    op.create_table(
        "targets",
        sa.Column("area_code", sa.String(32), sa.ForeignKey("areas.code"), primary_key=True),
        sa.Column("title", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("percent", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("targets")
    op.drop_table("reminders_sent")
    op.drop_index("ix_invites_hamlet_code", table_name="invites")
    op.drop_table("invites")
    op.drop_index("ix_audit_log_actor_action", table_name="audit_log")
    op.drop_column("audit_log", "actor_id")
    op.drop_column("users", "unreachable_at")
    op.drop_column("registrations", "assessed_by")
    op.drop_column("registrations", "recorded_by")
    op.drop_column("registrations", "pledged_on")
    with op.batch_alter_table("households") as batch:
        batch.drop_constraint("uq_households_claim_code", type_="unique")
        batch.drop_column("consent_at")
        batch.drop_column("consent_by")
        batch.drop_column("claim_code")
