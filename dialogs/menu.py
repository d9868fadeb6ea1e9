"""The main menu: the family's starting point; later journeys add their buttons here."""

from __future__ import annotations

from typing import Any

from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Column, Start

from bot.domain.areas import place_label
from bot.services.areas import home_area_path
from dialogs.states import AboutSG, AreaSG, LanguageSG, MainSG
from dialogs.widgets import I18nFormat, Label, UnexpectedText, current_user_id


async def get_menu(dialog_manager: DialogManager, uow: Any, **_: Any) -> dict[str, Any]:
    path = await home_area_path(uow, current_user_id(dialog_manager))
    return {"has_area": bool(path), "place": place_label(path)}


def menu_dialog() -> Dialog:
    return Dialog(
        Window(
            I18nFormat(
                "🏠 <b>Main menu</b>\n"
                "Hello! I help your family take part in the “Learning family” movement "
                "of your commune.\nWhat would you like to do?"
            ),
            I18nFormat("📍 Your place: {place}", when="has_area"),
            Column(
                Start(Label("📍 My commune and hamlet"), id="area", state=AreaSG.province),
                Start(Label("📖 About the movement"), id="about", state=AboutSG.what),
                Start(Label("🌐 Language"), id="language", state=LanguageSG.choose),
            ),
            UnexpectedText(),
            state=MainSG.menu,
            getter=get_menu,
        )
    )
