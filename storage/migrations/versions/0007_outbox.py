"""outbox: reminders and broadcasts stored before they are sent; /stop; reminder rules a
commune changed and the reminder occurrences already run

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    # add_column only: a batch rebuild of users would drop its 0006 triggers on SQLite
    op.add_column("users", sa.Column("muted_at", AT, nullable=True))
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("author_id", sa.BigInteger, nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("audience", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("cancelled_at", AT, nullable=True),
        sa.Column("finished_at", AT, nullable=True),
        sa.Column("report_chat_id", sa.BigInteger, nullable=True),
        sa.Column("report_message_id", sa.BigInteger, nullable=True),
        sa.Column("report_locale", sa.String(8), nullable=False, server_default="vi"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("priority", sa.SmallInteger, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_before", AT, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("sending_at", AT, nullable=True),
        sa.Column("done_at", AT, nullable=True),
        sa.Column("message_id", sa.BigInteger, nullable=True),
        sa.Column("broadcast_id", sa.Integer, sa.ForeignKey("broadcasts.id"), nullable=True),
        sa.Column("reminder", sa.String(64), nullable=True),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "priority", "not_before", "id"])
    op.create_index("ix_outbox_broadcast", "outbox", ["broadcast_id", "state"])
    op.create_table(
        "reminder_rules",
        sa.Column("area_code", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("offset_days", sa.Integer, nullable=False),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("updated_by", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "reminder_runs",
        sa.Column("area_code", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("occurrence", AT, primary_key=True),
        sa.Column("ran_at", AT, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reminder_runs")
    op.drop_table("reminder_rules")
    op.drop_index("ix_outbox_broadcast", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("broadcasts")
    op.drop_column("users", "muted_at")
