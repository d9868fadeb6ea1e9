"""Tables of the household journey: households, members, accounts, registrations, audit."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.deadlines import Deadlines
from bot.domain.hamlets import Invite
from bot.domain.households import Household, Member
from bot.domain.registrations import Registration, StatusEvent
from bot.domain.status import Status
from bot.domain.users import Role
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
    # Registered by a hamlet head for a family without a smartphone: the single-use code
    # that the family's own account claims it with, and who recorded the verbal consent when.
    claim_code: Mapped[str | None] = mapped_column(String(8), unique=True)
    consent_by: Mapped[int | None] = mapped_column(BigInteger)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

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
            claim_code=self.claim_code,
            consent_by=self.consent_by,
            consent_at=self.consent_at,
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
    # None for a group's registration (a clan, a unit, a hamlet: see `subject`), which is
    # then placed by `area_code`.
    household_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("households.id", ondelete="CASCADE")
    )
    area_code: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    commitments: Mapped[str] = mapped_column(Text, default="[]")
    criteria_set_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("criteria_sets.id"))
    answers: Mapped[str] = mapped_column(Text, default="{}")
    total: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # Pledged at a hamlet meeting: its date, and the hamlet head who recorded it.
    pledged_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    # Filled in by a hamlet head at the family's request (None: by the family itself).
    assessed_by: Mapped[int | None] = mapped_column(BigInteger)
    # The commune's decision recognising the title (or not): its number and date.
    decision_no: Mapped[str | None] = mapped_column(String(40))
    decided_on: Mapped[date | None] = mapped_column(Date)
    events: Mapped[list[RegistrationEventRow]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="RegistrationEventRow.id"
    )

    def to_domain(self) -> Registration:
        return registration_from(self, tuple(e.to_domain() for e in self.events))


def registration_from(row: Any, events: tuple[StatusEvent, ...]) -> Registration:
    """A registration from a `RegistrationRow` or a result row with the same column names."""
    return Registration(
        id=row.id,
        household_id=row.household_id,
        area_code=row.area_code,
        subject=row.subject,
        title=row.title,
        year=row.year,
        status=Status(row.status),
        commitments=tuple(json.loads(row.commitments or "[]")),
        criteria_set_id=row.criteria_set_id,
        answers=json.loads(row.answers or "{}"),
        total=row.total,
        passed=row.passed,
        pledged_on=row.pledged_on,
        recorded_by=row.recorded_by,
        assessed_by=row.assessed_by,
        events=events,
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
    """The year's deadlines of an area for a title (set by the commune): registration,
    self-assessment (`opens_at`, `closes_at`) and verification."""

    __tablename__ = "assessment_windows"

    area_code: Mapped[str] = mapped_column(String(32), ForeignKey("areas.code"), primary_key=True)
    title: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    registration_opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    verification_closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def to_domain(self) -> Deadlines:
        return Deadlines(
            registration_opens=self.registration_opens_at,
            registration_closes=self.registration_closes_at,
            assessment_opens=self.opens_at,
            assessment_closes=self.closes_at,
            verification_closes=self.verification_closes_at,
        )

    def update_from(self, deadlines: Deadlines) -> None:
        self.registration_opens_at = deadlines.registration_opens
        self.registration_closes_at = deadlines.registration_closes
        self.opens_at = deadlines.assessment_opens
        self.closes_at = deadlines.assessment_closes
        self.verification_closes_at = deadlines.verification_closes


class AuditRow(Base):
    """Who did what, without personal data: ids and counts only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[str] = mapped_column(Text, default="{}")
    # The staff member (or, for refusals and wrong codes, the user) who acted.
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    # The area the entry is about (a commune or hamlet), for /audit to list by area.
    area_code: Mapped[str | None] = mapped_column(String(32))


class InviteRow(Base):
    """An invitation to become a hamlet's head or a commune's officer; only the token's hash
    is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hamlet_code: Mapped[str] = mapped_column(String(32), ForeignKey("areas.code"), index=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    role: Mapped[str] = mapped_column(String(24), server_default=Role.HAMLET_HEAD.value)

    def to_domain(self) -> Invite:
        return Invite(
            id=self.id,
            hamlet_code=self.hamlet_code,
            created_by=self.created_by,
            created_at=self.created_at,
            expires_at=self.expires_at,
            used_by=self.used_by,
            used_at=self.used_at,
            revoked_at=self.revoked_at,
            role=Role(self.role),
        )


class ReminderRow(Base):
    """A household reminded on a day (local date): at most once a day per kind."""

    __tablename__ = "reminders_sent"

    household_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class TargetRow(Base):
    """An area's target for a title in a year: the share of households to be recognised."""

    __tablename__ = "targets"

    area_code: Mapped[str] = mapped_column(String(32), ForeignKey("areas.code"), primary_key=True)
    title: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    percent: Mapped[int] = mapped_column(Integer)


Index("ix_households_hamlet_phone", HouseholdRow.hamlet_code, HouseholdRow.phone)
Index("ix_households_hamlet_name", HouseholdRow.hamlet_code, HouseholdRow.name_key)
Index("ix_registrations_year_status", RegistrationRow.year, RegistrationRow.status)
Index(
    "ix_registrations_year_title_household",
    RegistrationRow.year,
    RegistrationRow.title,
    RegistrationRow.household_id,
)
Index(
    "uq_registrations_group_subject",
    RegistrationRow.subject,
    RegistrationRow.title,
    RegistrationRow.year,
    unique=True,
    sqlite_where=RegistrationRow.household_id.is_(None),
    postgresql_where=RegistrationRow.household_id.is_(None),
)
Index("ix_audit_log_actor_action", AuditRow.actor_id, AuditRow.action, AuditRow.at)
Index("ix_audit_log_area_at", AuditRow.area_code, AuditRow.at)
