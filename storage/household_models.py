"""Tables of the household journey: households, members, accounts, registrations, audit."""

from __future__ import annotations

import json
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.households import Household, Member
from bot.domain.registrations import Registration, StatusEvent
from bot.domain.status import Status
from storage.base import Base, UtcDateTime


class HouseholdRow(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    hamlet_code: Mapped[str] = mapped_column(String(32), ForeignKey("areas.code"))
    head_name: Mapped[str | None] = mapped_column(String(80))
    name_key: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(16))
    members_count: Mapped[int] = mapped_column(Integer)
    school_age_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    forgotten_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def to_domain(self) -> Household:
        return Household(
            id=self.id,
            code=self.code,
            hamlet_code=self.hamlet_code,
            head_name=self.head_name,
            phone=self.phone,
            members_count=self.members_count,
            school_age_count=self.school_age_count,
            created_at=self.created_at,
            forgotten_at=self.forgotten_at,
        )


class HouseholdAccountRow(Base):
    """A Telegram account that speaks for a household; one household per account."""

    __tablename__ = "household_accounts"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    household_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MemberRow(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(80))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def to_domain(self) -> Member:
        return Member(id=self.id, name=self.name, birth_year=self.birth_year)


class RegistrationRow(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint(
            "household_id", "subject", "title", "year", name="uq_registrations_one_per_year"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("households.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    commitments: Mapped[str] = mapped_column(Text, default="[]")
    criteria_set_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("criteria_sets.id"))
    answers: Mapped[str] = mapped_column(Text, default="{}")
    total: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    events: Mapped[list[RegistrationEventRow]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="RegistrationEventRow.id"
    )

    def to_domain(self) -> Registration:
        return Registration(
            id=self.id,
            household_id=self.household_id,
            subject=self.subject,
            title=self.title,
            year=self.year,
            status=Status(self.status),
            commitments=tuple(json.loads(self.commitments or "[]")),
            criteria_set_id=self.criteria_set_id,
            answers=json.loads(self.answers or "{}"),
            total=self.total,
            passed=self.passed,
            events=tuple(e.to_domain() for e in self.events),
        )


class RegistrationEventRow(Base):
    __tablename__ = "registration_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    comment: Mapped[str | None] = mapped_column(Text)

    def to_domain(self) -> StatusEvent:
        return StatusEvent(Status(self.status), self.at, self.comment)


class AssessmentWindowRow(Base):
    """When an area's families may self-assess for a title in a year (set by the commune)."""

    __tablename__ = "assessment_windows"

    area_code: Mapped[str] = mapped_column(String(32), ForeignKey("areas.code"), primary_key=True)
    title: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditRow(Base):
    """Who did what, without personal data: ids and counts only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[str] = mapped_column(Text, default="{}")


Index("ix_households_hamlet_phone", HouseholdRow.hamlet_code, HouseholdRow.phone)
Index("ix_households_hamlet_name", HouseholdRow.hamlet_code, HouseholdRow.name_key)
Index("ix_registrations_year_status", RegistrationRow.year, RegistrationRow.status)
