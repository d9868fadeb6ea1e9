"""seen_updates: the updates already taken, so a re-delivered one is skipped (several
workers on PostgreSQL without Redis)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "seen_updates",
        sa.Column("bot_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(16), nullable=False),
        sa.Column("seen_at", AT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("seen_updates")
