"""commune administration: retired and merged hamlets, the year's deadlines, recognition
decisions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("areas", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("areas", sa.Column("merged_into", sa.String(32), nullable=True))
    for column in ("registration_opens_at", "registration_closes_at", "verification_closes_at"):
        op.add_column(
            "assessment_windows", sa.Column(column, sa.DateTime(timezone=True), nullable=True)
        )
    op.add_column("registrations", sa.Column("decision_no", sa.String(40), nullable=True))
    op.add_column("registrations", sa.Column("decided_on", sa.Date, nullable=True))
    # /audit lists an area's entries: the area an entry is about, from its details
    op.add_column("audit_log", sa.Column("area_code", sa.String(32), nullable=True))
    op.create_index("ix_audit_log_area_at", "audit_log", ["area_code", "at"])
    # an invitation may also be to become one of a commune's officers
    op.add_column(
        "invites",
        sa.Column("role", sa.String(24), nullable=False, server_default="hamlet_head"),
    )
    # /stats groups a year's registrations of one title by household
    op.create_index(
        "ix_registrations_year_title_household", "registrations", ["year", "title", "household_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_registrations_year_title_household", table_name="registrations")
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("role")
    op.drop_index("ix_audit_log_area_at", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("area_code")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("decided_on")
        batch.drop_column("decision_no")
    with op.batch_alter_table("assessment_windows") as batch:
        for column in ("verification_closes_at", "registration_closes_at", "registration_opens_at"):
            batch.drop_column(column)
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("merged_into")
        batch.drop_column("retired_at")
