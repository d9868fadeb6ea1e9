"""Who holds which role (bot.domain.users), pure."""

from __future__ import annotations

import pytest

from bot.domain.users import Role, RoleGrant, User, holds_role

HEAD = RoleGrant(Role.HAMLET_HEAD, "H1")
OFFICER = RoleGrant(Role.COMMUNE_OFFICER, "C1")
SUPER = RoleGrant(Role.SUPER_ADMIN)


@pytest.mark.parametrize(
    ("grants", "roles", "holds"),
    [
        ((), (Role.COMMUNE_OFFICER,), False),
        ((HEAD,), (Role.COMMUNE_OFFICER,), False),
        ((HEAD,), (Role.HAMLET_HEAD, Role.COMMUNE_OFFICER), True),
        ((OFFICER,), (Role.COMMUNE_OFFICER,), True),
        ((SUPER,), (Role.COMMUNE_OFFICER,), True),  # a super admin holds every role
        ((SUPER,), (Role.HAMLET_HEAD,), True),
        ((HEAD, OFFICER), (Role.HAMLET_HEAD,), True),
    ],
)
def test_a_role_is_held_anywhere_and_a_super_admin_holds_them_all(
    grants: tuple[RoleGrant, ...], roles: tuple[Role, ...], holds: bool
) -> None:
    assert holds_role(User(1, grants=grants), roles) is holds
