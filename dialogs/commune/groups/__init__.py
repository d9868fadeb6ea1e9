"""The commune's groups: the clans, units and hamlets that registered this year. Pick one to
see where it stands, confirm a unit is real, and verify, return, recognise (by a decision, as
households are) or not, through the same decisions as families'."""

from __future__ import annotations

from aiogram_dialog import Dialog

from dialogs.commune.decision import day_window, number_window
from dialogs.commune.groups.recognition import confirm_window
from dialogs.commune.groups.review import card_window, comment_window, list_window, on_start
from dialogs.states import GroupReviewSG


def group_review_dialog() -> Dialog:
    return Dialog(
        list_window(),
        card_window(),
        comment_window(),
        number_window(GroupReviewSG.number, then=GroupReviewSG.day, back=GroupReviewSG.card),
        day_window(GroupReviewSG.day, then=GroupReviewSG.confirm, back=GroupReviewSG.number),
        confirm_window(),
        on_start=on_start,
    )
