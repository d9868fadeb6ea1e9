"""Staff windows answer only to staff. A button pressed, or an answer typed, in an officer's
or a hamlet head's window is refused and written down when the user does not hold the role:
it ended while the window was still on their screen, or the callback data was forged. The
check runs before any handler or getter; the services still check each action's scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram_dialog.api.entities import Context
from aiogram_dialog.api.internal import CONTEXT_KEY

from bot.domain.users import Role
from bot.services.scope import check_role
from dialogs import states

OFFICER = (Role.COMMUNE_OFFICER,)
HEAD = (Role.HAMLET_HEAD, Role.COMMUNE_OFFICER)
STAFF_DIALOGS: dict[str, tuple[Role, ...]] = {
    group.__name__: roles
    for roles, groups in (
        (
            OFFICER,
            (
                states.OfficerSG,
                states.StatsSG,
                states.TargetsSG,
                states.DeadlinesSG,
                states.RecognizeSG,
                states.HamletsSG,
                states.ImportSG,
                states.BroadcastSG,
                states.RemindersSG,
                states.GroupReviewSG,
            ),
        ),
        (HEAD, (states.HamletSG, states.ProxySG)),
    )
    for group in groups
}


class StaffDialogGuard(BaseMiddleware):
    """Outer middleware on button presses and messages, after aiogram-dialog has loaded the
    window the update is for (commands pass: /start and /cancel must always work)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        context: Context | None = data.get(CONTEXT_KEY)
        roles = STAFF_DIALOGS.get(context.state.group.__name__) if context else None
        if roles and _answers_a_window(event):
            action = f"window:{context.state.state}"  # type: ignore[union-attr]
            await check_role(data["uow"], data["user"], roles, action, datetime.now(UTC))
        return await handler(event, data)


def _answers_a_window(event: TelegramObject) -> bool:
    if isinstance(event, CallbackQuery):
        return True
    return isinstance(event, Message) and not (event.text or "").startswith("/")
