"""Dialog state saved before the window that depends on it is shown.

aiogram-dialog saves a user's dialog state after the update's handler returns, which is after
the next window was sent. A crash in between (a SIGKILL, the machine going down) leaves the
user looking at the next question while the answer to the last one, or the dialog the window
belongs to, was never stored: the answer is lost, or a button on screen is refused as stale.
Saving first turns that into the harmless case: the state is kept and the window may be
missing, which the user's next message or a button of the previous window brings back."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram_dialog import ShowMode
from aiogram_dialog.api.entities import ChatEvent
from aiogram_dialog.api.internal import DialogManagerFactory
from aiogram_dialog.api.protocols import (
    DialogManager,
    DialogRegistryProtocol,
    MediaIdStorageProtocol,
    MessageManagerProtocol,
)
from aiogram_dialog.manager.manager import ManagerImpl


class SavingManager(ManagerImpl):
    async def show(self, show_mode: ShowMode | None = None) -> None:
        storage = self.storage()
        if self.has_context():
            await storage.save_context(self.current_context())
        await storage.save_stack(self.current_stack())
        await super().show(show_mode)  # aiogram-dialog saves again, with the window's id


class SavingManagerFactory(DialogManagerFactory):
    """aiogram-dialog's default factory, making SavingManagers."""

    def __init__(
        self, message_manager: MessageManagerProtocol, media_id_storage: MediaIdStorageProtocol
    ) -> None:
        self.message_manager = message_manager
        self.media_id_storage = media_id_storage

    def __call__(
        self,
        event: ChatEvent,
        data: dict[str, Any],
        registry: DialogRegistryProtocol,
        router: Router,
    ) -> DialogManager:
        return SavingManager(
            event=event,
            data=data,
            message_manager=self.message_manager,
            media_id_storage=self.media_id_storage,
            registry=registry,
            router=router,
            getter=None,
        )
