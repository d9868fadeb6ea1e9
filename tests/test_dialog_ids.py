"""Dialogs opened in the same second must not share an id (aiogram-dialog's do, once in 100)."""

from __future__ import annotations

from aiogram.fsm.state import State
from aiogram_dialog.api.entities.stack import Stack

from bot import dialog_ids


def test_dialogs_opened_at_once_each_get_their_own_id() -> None:
    dialog_ids.install()
    stack = Stack()
    opened = [stack.push(State("s"), None).id for _ in range(99)]
    assert len(set(opened)) == 99
