"""Tables of the groups (migration 0009): clans with their member households, units with the
learning citizens counted for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.groups import Clan, Unit
from storage.base import Base, UtcDateTime


class ClanRow(Base):
    __tablename__ = "clans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    commune_code: Mapped[str] = mapped_column(String(32), ForeignKey("areas.code"))
    representative_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def to_domain(self) -> Clan:
        return Clan(self.id, self.code, self.name, self.commune_code, self.representative_id)


class ClanMemberRow(Base):
    __tablename__ = "clan_members"

    household_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("households.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    clan_id: Mapped[int] = mapped_column(Integer, ForeignKey("clans.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class UnitRow(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    staff_count: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(String(32), ForeignKey("areas.code"))
    representative_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    confirmed_by: Mapped[int | None] = mapped_column(BigInteger)

    def to_domain(self) -> Unit:
        return Unit(
            id=self.id,
            code=self.code,
            name=self.name,
            kind=self.kind,
            staff_count=self.staff_count,
            commune_code=self.commune_code,
            representative_id=self.representative_id,
            confirmed=self.confirmed_at is not None,
        )


class UnitCitizenRow(Base):
    __tablename__ = "unit_citizens"

    registration_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("registrations.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("units.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime())


Index("ix_clans_commune", ClanRow.commune_code)
Index("ix_clan_members_clan", ClanMemberRow.clan_id)
Index("ix_units_commune", UnitRow.commune_code)
Index("ix_unit_citizens_unit", UnitCitizenRow.unit_id)
