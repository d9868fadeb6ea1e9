"""Repositories over one AsyncSession. They never commit: the unit of work does."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.areas import Area
from bot.domain.text import search_key
from bot.domain.users import Role, User
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
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, code: str) -> Area | None:
        row = await self._session.get(AreaRow, code)
        return row.to_domain() if row else None

    async def path(self, code: str) -> list[Area]:
        """The area and its ancestors, top-down, in one query (a recursive walk up)."""
        rows = await self._session.scalars(AREA_PATH, {"code": code})
        return [row.to_domain() for row in rows]

    async def all_by_code(self) -> Mapping[str, Area]:
        rows = await self._session.scalars(select(AreaRow))
        return {row.code: row.to_domain() for row in rows}

    async def children(self, parent_code: str | None) -> list[Area]:
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
        return [row.to_domain() for row in await self._session.scalars(ordered)]

    async def upsert_many(self, areas: Iterable[Area]) -> None:
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


def _parents_first(areas: list[Area]) -> list[Area]:
    by_code = {area.code: area for area in areas}

    def depth(area: Area) -> int:
        seen = 0
        while area.parent_code in by_code and seen < len(by_code):
            area, seen = by_code[area.parent_code], seen + 1
        return seen

    return sorted(areas, key=depth)


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> User | None:
        row = await self._session.get(UserRow, user_id)
        return row.to_domain() if row else None

    async def add(self, user: User, now: datetime) -> None:
        row = UserRow(id=user.id, language=user.language, area_code=user.area_code, created_at=now)
        row.grants = [RoleRow(role=g.role.value, area_code=g.area_code) for g in user.grants]
        self._session.add(row)
        await self._session.flush()

    async def set_language(self, user_id: int, language: str) -> None:
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(language=language)
        )

    async def set_area(self, user_id: int, area_code: str | None) -> None:
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(area_code=area_code)
        )

    async def set_consent(self, user_id: int, version: int | None, at: datetime | None) -> None:
        await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(consent_version=version, consent_at=at)
        )

    async def consent_time(self, user_id: int) -> datetime | None:
        return await self._session.scalar(select(UserRow.consent_at).where(UserRow.id == user_id))

    async def grant(self, user_id: int, role: Role, area_code: str | None) -> None:
        """Give the role on the area, once (granting it again changes nothing)."""
        if role in await self._roles_on(user_id, area_code):
            return
        self._session.add(RoleRow(user_id=user_id, role=role.value, area_code=area_code))
        await self._session.flush()
        self._session.expire_all()  # the user's joined grants are read afresh

    async def revoke(self, user_id: int, role: Role, area_code: str | None) -> bool:
        result = await self._session.execute(
            delete(RoleRow).where(
                RoleRow.user_id == user_id, RoleRow.role == role.value, _area_is(area_code)
            )
        )
        self._session.expire_all()
        return bool(getattr(result, "rowcount", 0))

    async def holders(self, role: Role, area_codes: Iterable[str]) -> list[tuple[int, str]]:
        """(user id, area code) of everyone holding `role` on one of `area_codes`."""
        rows = await self._session.execute(
            select(RoleRow.user_id, RoleRow.area_code)
            .where(RoleRow.role == role.value, RoleRow.area_code.in_(list(area_codes)))
            .order_by(RoleRow.area_code, RoleRow.id)
        )
        return [(user_id, code) for user_id, code in rows if code is not None]

    async def set_unreachable(self, user_id: int, at: datetime | None) -> None:
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(unreachable_at=at)
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
