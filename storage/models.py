"""Declarative tables. Rows turn into domain objects with `to_domain()`; callers never see rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.areas import Area
from bot.domain.criteria import StoredCriteriaSet
from bot.domain.users import Role, RoleGrant, User
from storage.base import Base, UtcDateTime
from storage.household_models import (
    AssessmentWindowRow,
    AuditRow,
    HouseholdAccountRow,
    HouseholdRow,
    InviteRow,
    MemberRow,
    RegistrationEventRow,
    RegistrationRow,
    ReminderRow,
    TargetRow,
)
from storage.outbox_models import BroadcastRow, OutboxRow, ReminderRuleRow, ReminderRunRow
from storage.stats_models import HamletVersionRow, StandingCacheMetaRow, StandingCacheRow


class AreaRow(Base):
    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("areas.code", ondelete="RESTRICT"), index=True
    )
    search_key: Mapped[str] = mapped_column(String(200))
    # A hamlet the commune no longer uses keeps its households and history.
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    merged_into: Mapped[str | None] = mapped_column(String(32))

    def to_domain(self) -> Area:
        return Area(
            code=self.code,
            name=self.name,
            level=self.level,
            parent_code=self.parent_code,
            retired=self.retired_at is not None,
            merged_into=self.merged_into,
        )


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    area_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("areas.code"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    consent_version: Mapped[int | None] = mapped_column(Integer)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Telegram refused a message (blocked the bot): skipped until they write again.
    unreachable_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # /stop: no reminders or broadcasts (replies to their own actions still come)
    muted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    grants: Mapped[list[RoleRow]] = relationship(lazy="joined", cascade="all, delete-orphan")

    def to_domain(self) -> User:
        grants = tuple(RoleGrant(Role(g.role), g.area_code) for g in self.grants)
        return User(
            id=self.id,
            language=self.language,
            area_code=self.area_code,
            grants=grants,
            consent_version=self.consent_version,
            unreachable=self.unreachable_at is not None,
            muted=self.muted_at is not None,
        )


class RoleRow(Base):
    __tablename__ = "user_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("areas.code"))


class DraftRow(Base):
    """What a user had typed in a dialog they left: kept until they finish or discard it."""

    __tablename__ = "drafts"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    dialog: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FsmRow(Base):
    """aiogram FSM state and data (including aiogram-dialog stacks), one row per storage key."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SeenUpdateRow(Base):
    """An update already taken by a worker (migration 0008); pruned once out of the window."""

    __tablename__ = "seen_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(16))  # of the update's content
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CriteriaSetRow(Base):
    """A criteria file in force for an area (None: everywhere) from a year; never edited."""

    __tablename__ = "criteria_sets"
    __table_args__ = (
        UniqueConstraint(
            "title", "version", "area_code", "from_year", name="uq_criteria_sets_in_force"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("areas.code"))
    from_year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # A shipped default kept because an assessment was made with it; never "in force".
    shipped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def to_domain(self) -> StoredCriteriaSet:
        return StoredCriteriaSet(self.id, self.title, self.version, self.area_code, self.from_year)


Index("ix_areas_level_search", AreaRow.level, AreaRow.search_key)


__all__ = [
    "AreaRow",
    "AssessmentWindowRow",
    "AuditRow",
    "Base",
    "BroadcastRow",
    "CriteriaSetRow",
    "DraftRow",
    "FsmRow",
    "HamletVersionRow",
    "HouseholdAccountRow",
    "HouseholdRow",
    "InviteRow",
    "MemberRow",
    "OutboxRow",
    "RegistrationEventRow",
    "RegistrationRow",
    "ReminderRow",
    "ReminderRuleRow",
    "ReminderRunRow",
    "RoleRow",
    "SeenUpdateRow",
    "StandingCacheMetaRow",
    "StandingCacheRow",
    "TargetRow",
    "UserRow",
]
