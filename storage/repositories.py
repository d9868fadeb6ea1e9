"""Repositories over one AsyncSession. They never commit: the unit of work does."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.areas import Area
from bot.domain.text import search_key
from bot.domain.users import Role, User
from storage.db import EVERYTHING, read_cache
from storage.household_models import HouseholdRow
from storage.models import AreaRow, DraftRow, RoleRow, UserRow

# Deeper than any real tree (province, district, commune, hamlet): a guard should a cycle
# ever be written, so that the recursive walk up still ends.
MAX_DEPTH = 16


def _area_path_query() -> Select[AreaRow]:
    """Built once: making the recursive statement costs more than running it."""
    walk = (
        select(AreaRow.code, AreaRow.parent_code, literal(0).label("depth"))
        .where(AreaRow.code == bindparam("code"))
        .cte("walk", recursive=True)
    )
    parent = aliased(AreaRow)
    walk = walk.union_all(
        select(parent.code, parent.parent_code, (walk.c.depth + 1).label("depth")).where(
            parent.code == walk.c.parent_code, walk.c.depth < MAX_DEPTH
        )
    )
    return select(AreaRow).join(walk, walk.c.code == AreaRow.code).order_by(walk.c.depth.desc())


AREA_PATH = _area_path_query()


class SqlAreaRepository:
    """Reads of single areas, paths and children go through the database's read cache:
    every method that writes areas must call `self._cache.written` (see storage/db.py)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._cache = read_cache(session, "areas")

    async def get(self, code: str) -> Area | None:
        return await self._cache.through(self._session, ("get", code), partial(self._get, code))

    async def _get(self, code: str) -> Area | None:
        row = await self._session.get(AreaRow, code)
        return row.to_domain() if row else None

    async def path(self, code: str) -> list[Area]:
        """The area and its ancestors, top-down, in one query (a recursive walk up)."""
        found = await self._cache.through(self._session, ("path", code), partial(self._path, code))
        return list(found or ())

    async def _path(self, code: str) -> tuple[Area, ...]:
        rows = await self._session.scalars(AREA_PATH, {"code": code})
        return tuple(row.to_domain() for row in rows)

    async def all_by_code(self) -> Mapping[str, Area]:
        rows = await self._session.scalars(select(AreaRow))
        return {row.code: row.to_domain() for row in rows}

    async def children(self, parent_code: str | None) -> list[Area]:
        key = ("children", parent_code)
        found = await self._cache.through(self._session, key, partial(self._children, parent_code))
        return list(found or ())

    async def _children(self, parent_code: str | None) -> tuple[Area, ...]:
        condition = (
            AreaRow.parent_code.is_(None)
            if parent_code is None
            else AreaRow.parent_code == parent_code
        )
        ordered = (
            select(AreaRow)
            .where(condition)
            .order_by(AreaRow.search_key, AreaRow.name, AreaRow.code)
        )
        return tuple(row.to_domain() for row in await self._session.scalars(ordered))

    async def upsert_many(self, areas: Iterable[Area]) -> None:
        self._cache.written(self._session, EVERYTHING)
        # Parents first, so foreign keys hold inside the transaction on both dialects.
        for area in _parents_first(list(areas)):
            row = await self._session.get(AreaRow, area.code)
            if row is None:
                row = AreaRow(code=area.code)
                self._session.add(row)
            row.name, row.level, row.parent_code = area.name, area.level, area.parent_code
            row.search_key = search_key(area.name)
            await self._session.flush()

    async def count_by_level(self) -> dict[str, int]:
        result = await self._session.execute(
            select(AreaRow.level, func.count()).group_by(AreaRow.level)
        )
        return dict(result.all())

    async def household_counts(self, codes: Iterable[str]) -> dict[str, int]:
        """Households (forgotten ones too) per hamlet code; a hamlet without any is left out."""
        result = await self._session.execute(
            select(HouseholdRow.hamlet_code, func.count())
            .where(HouseholdRow.hamlet_code.in_(list(codes)))
            .group_by(HouseholdRow.hamlet_code)
        )
        return dict(result.all())

    async def set_retired(
        self, code: str, at: datetime | None, merged_into: str | None = None
    ) -> None:
        self._cache.written(self._session, EVERYTHING)
        await self._session.execute(
            update(AreaRow)
            .where(AreaRow.code == code)
            .values(retired_at=at, merged_into=merged_into)
        )

    async def relocate(self, source: str, target: str) -> int:
        """Move the households of hamlet `source`, and the users who said they live there, to
        `target`; return how many households moved."""
        read_cache(self._session, "users").written(self._session, EVERYTHING)
        moved = await self._session.execute(
            update(HouseholdRow)
            .where(HouseholdRow.hamlet_code == source)
            .values(hamlet_code=target)
        )
        await self._session.execute(
            update(UserRow).where(UserRow.area_code == source).values(area_code=target)
        )
        return int(getattr(moved, "rowcount", 0))


def _parents_first(areas: list[Area]) -> list[Area]:
    by_code = {area.code: area for area in areas}

    def depth(area: Area) -> int:
        seen = 0
        while area.parent_code in by_code and seen < len(by_code):
            area, seen = by_code[area.parent_code], seen + 1
        return seen

    return sorted(areas, key=depth)


class SqlUserRepository:
    """A user (with their roles) is read through the database's read cache: every method
    that writes users or roles must call `self._written` (see storage/db.py)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._cache = read_cache(session, "users")

    async def get(self, user_id: int) -> User | None:
        return await self._cache.through(self._session, user_id, partial(self._get, user_id))

    async def _get(self, user_id: int) -> User | None:
        row = await self._session.get(UserRow, user_id)
        return row.to_domain() if row else None

    def _written(self, user_id: int) -> None:
        self._cache.written(self._session, user_id)

    async def add(self, user: User, now: datetime) -> None:
        self._written(user.id)
        row = UserRow(id=user.id, language=user.language, area_code=user.area_code, created_at=now)
        row.grants = [RoleRow(role=g.role.value, area_code=g.area_code) for g in user.grants]
        self._session.add(row)
        await self._session.flush()

    async def set_language(self, user_id: int, language: str) -> None:
        self._written(user_id)
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(language=language)
        )

    async def set_area(self, user_id: int, area_code: str | None) -> None:
        self._written(user_id)
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(area_code=area_code)
        )

    async def set_consent(self, user_id: int, version: int | None, at: datetime | None) -> None:
        self._written(user_id)
        await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(consent_version=version, consent_at=at)
        )

    async def consent_time(self, user_id: int) -> datetime | None:
        return await self._session.scalar(select(UserRow.consent_at).where(UserRow.id == user_id))

    async def grant(self, user_id: int, role: Role, area_code: str | None) -> None:
        """Give the role on the area, once (granting it again changes nothing)."""
        self._written(user_id)
        if role in await self._roles_on(user_id, area_code):
            return
        self._session.add(RoleRow(user_id=user_id, role=role.value, area_code=area_code))
        await self._session.flush()
        self._session.expire_all()  # the user's joined grants are read afresh

    async def revoke(self, user_id: int, role: Role, area_code: str | None) -> bool:
        self._written(user_id)
        result = await self._session.execute(
            delete(RoleRow).where(
                RoleRow.user_id == user_id, RoleRow.role == role.value, _area_is(area_code)
            )
        )
        self._session.expire_all()
        return bool(getattr(result, "rowcount", 0))

    async def ids_with_role(self, role: Role) -> list[int]:
        """Everyone holding `role` anywhere."""
        rows = await self._session.scalars(
            select(RoleRow.user_id).where(RoleRow.role == role.value).distinct()
        )
        return sorted(rows)

    async def holders(self, role: Role, area_codes: Iterable[str]) -> list[tuple[int, str]]:
        """(user id, area code) of everyone holding `role` on one of `area_codes`."""
        rows = await self._session.execute(
            select(RoleRow.user_id, RoleRow.area_code)
            .where(RoleRow.role == role.value, RoleRow.area_code.in_(list(area_codes)))
            .order_by(RoleRow.area_code, RoleRow.id)
        )
        return [(user_id, code) for user_id, code in rows if code is not None]

    async def set_unreachable(self, user_id: int, at: datetime | None) -> None:
        self._written(user_id)
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(unreachable_at=at)
        )

    async def set_muted(self, user_id: int, at: datetime | None) -> None:
        self._written(user_id)
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(muted_at=at)
        )

    async def _roles_on(self, user_id: int, area_code: str | None) -> set[Role]:
        rows = await self._session.scalars(
            select(RoleRow.role).where(RoleRow.user_id == user_id, _area_is(area_code))
        )
        return {Role(role) for role in rows}


def _area_is(area_code: str | None) -> ColumnElement[bool]:
    return RoleRow.area_code.is_(None) if area_code is None else RoleRow.area_code == area_code


class SqlDraftRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int, dialog: str) -> dict[str, Any] | None:
        row = await self._session.get(DraftRow, (user_id, dialog))
        return json.loads(row.data) if row else None

    async def put(self, user_id: int, dialog: str, data: dict[str, Any], now: datetime) -> None:
        row = await self._session.get(DraftRow, (user_id, dialog))
        if row is None:
            row = DraftRow(user_id=user_id, dialog=dialog)
            self._session.add(row)
        row.data, row.updated_at = json.dumps(data, ensure_ascii=False), now
        await self._session.flush()

    async def delete(self, user_id: int, dialog: str) -> None:
        await self._session.execute(
            delete(DraftRow).where(DraftRow.user_id == user_id, DraftRow.dialog == dialog)
        )

    async def delete_all(self, user_id: int) -> None:
        await self._session.execute(delete(DraftRow).where(DraftRow.user_id == user_id))
