"""Tables behind /stats: a change counter per hamlet, kept by database triggers (migration
0006), and the grouped standings cached per hamlet, title and year with the counter they
were counted at. No foreign keys: a cache must never stop an area or household change."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.status import Status
from storage.base import Base

# `passed` in the cache key, which must not be NULL: a registration not (yet) assessed.
NOT_ASSESSED = -1
CHUNK = 500  # hamlet codes per statement, well under the bind limits of SQLite and asyncpg
# A stored status (or "" for no registration) as the numbers count it.
STATUSES: dict[str, Status | None] = {"": None, **{status.value: status for status in Status}}


class HamletVersionRow(Base):
    """Bumped by triggers on every write that can change a hamlet's numbers; no row: 0."""

    __tablename__ = "hamlet_versions"

    hamlet_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class StandingCacheRow(Base):
    """`n` households of a hamlet at one standing for a title and year."""

    __tablename__ = "standing_cache"

    hamlet_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)  # '': not registered
    passed: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 0 or NOT_ASSESSED
    reachable: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class StandingCacheMetaRow(Base):
    """The hamlet's version its cached standings for the title and year were counted at."""

    __tablename__ = "standing_cache_meta"

    hamlet_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
