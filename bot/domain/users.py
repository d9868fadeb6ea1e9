"""Users, their roles and their language: the rules that need no framework."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from enum import StrEnum

SUPPORTED_LOCALES = ("vi", "en")


class Role(StrEnum):
    """What a user may do; a user may hold several roles."""

    SUPER_ADMIN = "super_admin"
    COMMUNE_OFFICER = "commune_officer"
    HAMLET_HEAD = "hamlet_head"
    HOUSEHOLD = "household"


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    area_code: str | None = None


@dataclass(frozen=True)
class User:
    """A Telegram user as the bot knows them: no names, no phone, only what is needed."""

    id: int
    language: str | None = None
    area_code: str | None = None
    grants: tuple[RoleGrant, ...] = field(default_factory=tuple)
    consent_version: int | None = None
    unreachable: bool = False  # Telegram refused our last message (they blocked the bot)
    muted: bool = False  # sent /stop: no reminders or broadcasts

    def has_role(self, role: Role) -> bool:
        return any(grant.role == role for grant in self.grants)


def telegram_locale(telegram_code: str | None) -> str | None:
    """Telegram's language for the user ("en-GB" -> "en") when the bot speaks it, else None."""
    base = (telegram_code or "").split("-")[0].lower()
    return base if base in SUPPORTED_LOCALES else None


def choose_locale(saved: str | None, telegram_code: str | None, default: str) -> str:
    """The user's saved choice, else Telegram's language when supported, else the default."""
    if saved in SUPPORTED_LOCALES:
        return saved
    return telegram_locale(telegram_code) or default


def is_admin(user_id: int, admin_ids: frozenset[int], user: User | None = None) -> bool:
    """Super admins come from ADMIN_IDS; officers are admins of their own commune."""
    if user_id in admin_ids:
        return True
    return user is not None and holds_role(user, (Role.COMMUNE_OFFICER,))


def holds_role(user: User, roles: Collection[Role]) -> bool:
    """Does `user` hold one of `roles` anywhere? A super admin holds every role."""
    return any(grant.role in roles or grant.role == Role.SUPER_ADMIN for grant in user.grants)


def oversees(user: User, area_path_codes: Collection[str], roles: Collection[Role]) -> bool:
    """May `user` act with one of `roles` on something in the area whose path (the area and
    its ancestors) is `area_path_codes`? A super admin may everywhere."""
    return any(
        grant.role == Role.SUPER_ADMIN
        or (grant.role in roles and grant.area_code in area_path_codes)
        for grant in user.grants
    )


def with_env_admin(user: User, admin_ids: frozenset[int]) -> User:
    """The user with the super admin grant that ADMIN_IDS gives (never stored)."""
    if user.id not in admin_ids or user.has_role(Role.SUPER_ADMIN):
        return user
    return replace(user, grants=(*user.grants, RoleGrant(Role.SUPER_ADMIN)))


def areas_with_role(user: User, role: Role) -> list[str]:
    """The areas where the user holds `role`, in the order granted."""
    return [g.area_code for g in user.grants if g.role == role and g.area_code is not None]
