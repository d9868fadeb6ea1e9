"""criteria sets in force per area and year, stored as their TOML text

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "criteria_sets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(16), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("area_code", sa.String(32), sa.ForeignKey("areas.code"), nullable=True),
        sa.Column("from_year", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("title", "version", "area_code", "from_year",
                            name="uq_criteria_sets_in_force"),
    )
    op.create_index("ix_criteria_sets_title", "criteria_sets", ["title"])


def downgrade() -> None:
    op.drop_index("ix_criteria_sets_title", table_name="criteria_sets")
    op.drop_table("criteria_sets")
