"""A registered household pledges for a new year: the commitments, then it is registered."""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column

from bot.services.errors import ServiceError
from bot.services.households import pledge_for_year
from dialogs.registration import PLEDGE_TEXT, commitment_choices
from dialogs.registration.handlers import get_pledge
from dialogs.states import PledgeSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, now, tell, this_year


async def on_pledge(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    chosen = tuple(manager.dialog_data.get("commitments", []))
    try:
        await pledge_for_year(
            manager.middleware_data["uow"],
            callback.from_user.id,
            chosen,
            year=this_year(manager),
            now=now(),
        )
    except ServiceError as error:
        await tell(manager, callback, error)
        return
    await manager.done(result="pledged")


def pledge_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(PLEDGE_TEXT),
            commitment_choices(),
            Column(
                Button(
                    Label("✅ Register our pledge"),
                    id="pledge",
                    on_click=on_pledge,
                    when="any_chosen",
                ),
                Cancel(Label("🏠 Main menu")),
            ),
            UnexpectedText(),
            state=PledgeSG.choose,
            getter=get_pledge,
        )
    )
