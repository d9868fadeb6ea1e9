"""The commune officer's hamlet heads: invitations (link and QR), the list, removal; and the
invitation's confirmation by the person invited.

An officer works on one commune at a time: the communes of their COMMUNE_OFFICER grants (a
grant on a district or province covers its communes); a super admin may choose any commune.
With a single commune the choice is skipped. The services check the scope again on each call.
"""

from __future__ import annotations

from aiogram_dialog import Dialog

from dialogs.officer import invite, lists, menu
from dialogs.officer.accept import invite_dialog

__all__ = ["invite_dialog", "officer_dialog"]


def officer_dialog() -> Dialog:
    return Dialog(
        menu.menu_window(),
        invite.hamlet_window(),
        invite.done_window(),
        lists.invites_window(),
        lists.heads_window(),
        on_start=menu.on_start,
    )
