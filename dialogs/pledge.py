"""A registered household pledges for a new year: the commitments, then it is registered."""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Select
from aiogram_dialog.widgets.text import Format

from bot.services.errors import ServiceError
from bot.services.households import pledge_for_year
from dialogs.registration.handlers import get_pledge, on_commitment
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
            I18nFormat(
                "🤝 <b>Our pledge for {year}</b>: our family strives to become a "
                "“Learning family”. We commit to (choose one or more):"
            ),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="commitment",
                    item_id_getter=lambda i: i[0],
                    items="items",
                    on_click=on_commitment,
                ),
            ),
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
