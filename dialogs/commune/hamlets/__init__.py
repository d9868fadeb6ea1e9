"""/hamlets: the commune's officers add, rename, merge, retire and restore its hamlets. It
starts on the commune in its start data, or the officer's own; every button's code is
checked again by the services, since callback data can be forged."""

from __future__ import annotations

from aiogram_dialog import Dialog

from dialogs.commune.hamlets.browse import card_window, list_window, on_start
from dialogs.commune.hamlets.edit import add_window, code_window, rename_window
from dialogs.commune.hamlets.merge import confirm_merge_window, merge_window, retire_window


def hamlets_dialog() -> Dialog:
    return Dialog(
        list_window(),
        card_window(),
        add_window(),
        code_window(),
        rename_window(),
        merge_window(),
        confirm_merge_window(),
        retire_window(),
        on_start=on_start,
    )
