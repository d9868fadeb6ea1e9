"""Tables of the outbox (migration 0007): messages waiting to be sent, the broadcasts they
belong to, the reminder rules a commune changed and the reminder occurrences already run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime


class BroadcastRow(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(BigInteger)
    area_code: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(200))  # the AudienceSpec as JSON
    text: Mapped[str] = mapped_column(Text)  # as the officer typed it
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # the officer's progress message, edited as the broadcast goes
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    report_locale: Mapped[str] = mapped_column(String(8), server_default="vi")


class OutboxRow(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)  # HTML, ready to send
    priority: Mapped[int] = mapped_column(SmallInteger)
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    not_before: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sending_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    reminder: Mapped[str | None] = mapped_column(String(64))


class ReminderRuleRow(Base):
    """A commune's change to a shipped rule; no row: the shipped rule as it is."""

    __tablename__ = "reminder_rules"

    area_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean)
    offset_days: Mapped[int] = mapped_column(Integer)
    hour: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


class ReminderRunRow(Base):
    """One occurrence of a rule for a commune, run once: its messages are in the outbox."""

    __tablename__ = "reminder_runs"

    area_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    occurrence: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recipients: Mapped[int] = mapped_column(Integer)


Index("ix_outbox_due", OutboxRow.state, OutboxRow.priority, OutboxRow.not_before, OutboxRow.id)
Index("ix_outbox_broadcast", OutboxRow.broadcast_id, OutboxRow.state)
